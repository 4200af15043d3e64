"""Where the rule files are, and their bytes and digest. Nothing is parsed or validated here.

Cheap to import on purpose: the first screen checks the rules' digest before pydantic is loaded.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from ..errors import RulesError

RULE_FILE_NAMES = (
    "scale.yaml",
    "questions.yaml",
    "red_flags.yaml",
    "thresholds.yaml",
    "self_care.yaml",
    "exercises.yaml",
    "prevention.yaml",
)


def default_rules_dir() -> Path:
    """The rules shipped inside the installed package, or ``rules/`` of a source checkout."""
    override = os.environ.get("TRIAGE_RULES_DIR")
    if override:
        return Path(override)
    package = Path(__file__).resolve().parents[1]
    packaged = package / "rules"  # the wheel puts rules/ inside the package
    if packaged.is_dir():
        return packaged
    return package.parent / "rules"


def rules_dir(directory: Path | str | None = None) -> Path:
    """``directory`` as given (``--rules DIR``), else the default one."""
    return Path(directory) if directory else default_rules_dir()


def read_rule_file(directory: Path, name: str) -> bytes:
    path = directory / name
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise RulesError(str(path), None, "rule file is missing") from None
    except OSError as error:
        raise RulesError(str(path), None, f"cannot read: {error.strerror}") from None


def rules_digest(raw: dict[str, bytes]) -> str:
    """SHA-256 over the rule files' names and bytes: pins exactly which content gave a result."""
    digest = hashlib.sha256()
    for name in sorted(raw):
        digest.update(name.encode() + b"\0" + raw[name] + b"\0")
    return digest.hexdigest()


def digest_of(directory: Path) -> str:
    """The digest of the rule files in ``directory`` as they are now (``RulesError`` if one is unreadable)."""
    return rules_digest({name: read_rule_file(directory, name) for name in RULE_FILE_NAMES})
