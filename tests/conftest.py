"""Shared fixtures: the real rules, the mini test rules, and the real engine built once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from triage.assessment.assess import Assessor
from triage.ruleset.load import load_ruleset

TESTS = Path(__file__).parent
MINI_RULES = TESTS / "fixtures" / "mini_rules"


@pytest.fixture(scope="session")
def ruleset():
    """The clinical rules that ship with the package."""
    return load_ruleset()


@pytest.fixture(scope="session")
def assessor(ruleset):
    """One real durable-rules engine for the shipped rules, shared like a long-running process."""
    return Assessor(ruleset)


@pytest.fixture(scope="session")
def mini_ruleset():
    return load_ruleset(MINI_RULES)


@pytest.fixture(scope="session")
def mini_assessor(mini_ruleset):
    return Assessor(mini_ruleset)


@pytest.fixture(scope="session", params=["mini", "shipped"])
def rules_and_engine(request):
    """(ruleset, assessor) for the mini test rules and for the shipped rules: a test runs on both."""
    prefix = "mini_" if request.param == "mini" else ""
    return request.getfixturevalue(f"{prefix}ruleset"), request.getfixturevalue(f"{prefix}assessor")


@pytest.fixture
def rules_copy(tmp_path):
    """A writable copy of the mini rules, for breaking on purpose."""
    target = tmp_path / "rules"
    shutil.copytree(MINI_RULES, target)
    return target


@pytest.fixture(autouse=True)
def save_here(tmp_path, monkeypatch):
    """Summaries are saved in the test's own folder, never in the user's documents folder."""
    monkeypatch.setenv("TRIAGE_SAVE_DIR", str(tmp_path))
