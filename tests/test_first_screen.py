"""A new questionnaire's first screen is drawn at once, and the rules load while it is on screen.

It must never let unvalidated rules through: the answer is used only after the rules loaded and
passed every check, only for exactly the question the validated rules ask first, and broken rules
end the screen at once and fail safe.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from test_interactive_support import (
    EOF,
    FIXED_NOW,
    INTERRUPT,
    Reply,
    ScriptedArrows,
    answering,
    arrow_terminal,
    calm_answers,
    planned,
    start_arrows,
    start_plain,
)

from triage import cli, interactive
from triage.errors import RulesError
from triage.interactive import first_screen as first_screen_module
from triage.interactive.asks import Ask, check_name, group_ask, group_list, question_ask
from triage.interactive.first_screen import FIRST_SCREEN, FirstScreen, Replay, first_screen_text
from triage.interactive.store import DraftStore
from triage.ruleset.files import default_rules_dir
from triage.ruleset.load import load_ruleset

pytestmark = pytest.mark.timeout(60)

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_RULES = ROOT / "rules"
CONTACT = "Please contact a healthcare provider"


@pytest.fixture
def shipped_copy(tmp_path) -> Path:
    """A writable copy of the shipped rules, with their parsed copy and first screen."""
    target = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), target)
    return target


@pytest.fixture
def data_dir(tmp_path) -> Path:
    return tmp_path / "data"


@pytest.fixture(autouse=True)
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def first_question(ruleset):
    """The first screen's question: the group of emergency signs that opens the questionnaire."""
    return ruleset.group_of[ruleset.questions[0].id]


def break_validation_behind_the_digest(rules: Path) -> None:
    """A red-flag file that no longer validates, with a first screen recorded for exactly those bytes.

    The first screen matches the rule files, so it is shown; loading them must then fail. (A
    parsed.json is read only from the program's own rules folder, so it cannot stand in here.)"""
    from triage.ruleset.files import digest_of

    red_flags = rules / "red_flags.yaml"
    red_flags.write_text(red_flags.read_text(encoding="utf-8").replace("level: emergency", "level: critical", 1), encoding="utf-8")
    screen = json.loads((rules / FIRST_SCREEN).read_text(encoding="utf-8"))
    screen["rules_sha256"] = digest_of(rules)
    (rules / FIRST_SCREEN).write_text(json.dumps(screen), encoding="utf-8")


def test_the_shipped_first_screen_is_up_to_date_and_used():
    committed = (SHIPPED_RULES / FIRST_SCREEN).read_text(encoding="utf-8")
    assert committed == first_screen_text(load_ruleset(SHIPPED_RULES)), "run `python -m triage rules compile`"
    assert FirstScreen.saved(SHIPPED_RULES) is not None and FirstScreen.saved(SHIPPED_RULES, nurse=True) is not None


def test_the_first_screen_is_the_first_question_exactly_as_the_session_asks_it(ruleset):
    screen = FirstScreen.saved(SHIPPED_RULES)
    question = first_question(ruleset)
    assert all(ruleset.question_by_id[m].red_flag for m in question.members), "a new questionnaire opens on red-flag questions"
    assert screen.ask == group_ask(question, nurse=False, default=None, back=False)
    shows = [text for text, _ in screen.shows]
    assert shows[1] == f"\n-- {ruleset.sections[question.section]} --"
    assert shows[2:] == [group_list([ruleset.question_by_id[m] for m in question.members], nurse=False)]
    opening = " ".join(shows[0].split())
    assert "not a diagnosis" in opening and "911, 112 or 999" in opening and "minutes" in opening


@pytest.mark.parametrize(
    "change",
    [
        lambda rules: (rules / FIRST_SCREEN).unlink(),
        lambda rules: (rules / FIRST_SCREEN).write_text("{not json"),
        lambda rules: (rules / FIRST_SCREEN).write_text(json.dumps({"format": 99})),
        lambda rules: (rules / "questions.yaml").write_text((rules / "questions.yaml").read_text() + "\n# edited\n"),
        lambda rules: (rules / "thresholds.yaml").unlink(),
    ],
    ids=["missing", "damaged", "other format", "a rule file edited since", "a rule file missing"],
)
def test_a_first_screen_that_may_not_match_the_rules_is_not_used(shipped_copy, change):
    change(shipped_copy)
    assert FirstScreen.saved(shipped_copy) is None and FirstScreen.saved(shipped_copy, nurse=True) is None


def test_a_recorded_answer_check_must_be_one_of_ours(shipped_copy):
    """A check is code: the recording names it, and only the program's own checks are accepted."""
    recorded = (shipped_copy / FIRST_SCREEN).read_text(encoding="utf-8")
    assert '"check": "check_name"' in recorded
    (shipped_copy / FIRST_SCREEN).write_text(recorded.replace('"check_name"', '"exec"'), encoding="utf-8")
    assert FirstScreen.saved(shipped_copy, nurse=True) is None


def test_the_rules_load_while_the_first_question_is_on_screen(shipped_copy, ruleset, assessor, data_dir, monkeypatch):
    """The real arrow-key prompt: the question is drawn before the rules load, and asked only once."""
    screens_when_loading = []
    load = interactive._load_rules

    def load_and_look(rules):
        screens_when_loading.append(terminal.getvalue())
        return load(rules)

    monkeypatch.setattr(interactive, "_load_rules", load_and_look)
    answers = calm_answers(ruleset, assessor)
    with arrow_terminal() as (pipe, terminal):
        prompter = ScriptedArrows(answering(answers), pipe)
        code = interactive.start(shipped_copy, prompter, DraftStore(data_dir), clock=lambda: FIXED_NOW)
    question = first_question(ruleset)
    assert code == 0
    assert len(screens_when_loading) == 1 and question.ask in " ".join(screens_when_loading[0].split())
    assert ruleset.question_by_id[question.members[0]].ask in " ".join(screens_when_loading[0].split())
    assert [spec.question_id for spec in prompter.asked].count(question.id) == 1, "the session did not ask it again"


def test_the_first_answer_counts_like_any_other(shipped_copy, ruleset, data_dir):
    """'Yes' on the first screen asks which; ticking the first is an emergency at once, as 'yes' to it alone is."""
    question = first_question(ruleset)
    run = start_plain(shipped_copy, planned({question.id: [Reply("yes"), Reply([question.members[0]])]}), data_dir)
    assert run.code == 0
    asked = [spec for spec in run.asked if spec.question_id]
    assert [(spec.question_id, spec.kind) for spec in asked] == [(question.id, "choice"), (question.id, "multi")]
    assert [value for value, _ in asked[1].options][:len(question.members)] == list(question.members)
    assert "EMERGENCY: CALL EMERGENCY SERVICES NOW" in run.screen


@pytest.mark.parametrize("front_end", ["arrows", "plain"])
def test_rules_that_fail_to_load_end_the_first_screen_at_once(shipped_copy, data_dir, front_end):
    break_validation_behind_the_digest(shipped_copy)
    assert FirstScreen.saved(shipped_copy) is not None, "the screen is shown: the failure comes while it is up"
    # nothing is typed on the arrow-key front end: the prompt must end by itself, not wait for a key
    script = (lambda spec: Reply(keys="")) if front_end == "arrows" else planned({})
    starter = start_arrows if front_end == "arrows" else start_plain
    with pytest.raises(RulesError, match="red_flags.yaml"):
        starter(shipped_copy, script, data_dir)
    assert not DraftStore(data_dir).exists()


def test_rules_that_fail_behind_the_first_screen_fail_safe_from_the_command_line(shipped_copy, data_dir):
    break_validation_behind_the_digest(shipped_copy)
    result = subprocess.run(
        [sys.executable, "-m", "triage", "--rules", str(shipped_copy), "--plain"],
        capture_output=True, text=True, input="2\n" * 5, cwd=ROOT, timeout=120,
        env={**os.environ, "TRIAGE_DATA_DIR": str(data_dir)},
    )
    assert result.returncode == 1, result.stderr
    assert CONTACT in result.stderr and "red_flags.yaml" in result.stderr and "Traceback" not in result.stderr
    shown = " ".join(result.stdout.split())
    assert FirstScreen.saved(shipped_copy).ask.message in shown, "the first screen had been shown"
    assert "self-care" not in result.stdout.lower() and not DraftStore(data_dir).exists()


def test_a_stale_first_screen_is_asked_again_from_the_validated_rules(shipped_copy, ruleset, data_dir):
    """A recording that differs from what the validated rules ask is never given to them."""
    recorded = json.loads((shipped_copy / FIRST_SCREEN).read_text(encoding="utf-8"))
    recorded["screens"]["patient"]["ask"]["message"] = "An old wording of the first question?"
    (shipped_copy / FIRST_SCREEN).write_text(json.dumps(recorded), encoding="utf-8")
    question = first_question(ruleset)
    replies = {"An old wording of the first question?": Reply("yes")}  # would be an emergency if it were used
    script = planned({question.id: [Reply("no")]})

    def stale_then_real(spec: Ask) -> Reply:
        return replies.get(spec.message) or (EOF if spec.question_id != question.id else script(spec))

    run = start_plain(shipped_copy, stale_then_real, data_dir)
    assert run.code == 130, "stopped at the second question: no emergency was concluded from the stale answer"
    assert [spec.message for spec in run.asked[:2]] == ["An old wording of the first question?", question.ask]
    assert DraftStore(data_dir).load().flow["answers"] == {m: "no" for m in question.members}


def test_ctrl_c_on_the_first_screen_is_not_an_answer(shipped_copy, ruleset, data_dir):
    run = start_arrows(shipped_copy, planned({first_question(ruleset).id: [INTERRUPT]}), data_dir)
    assert run.code == 130 and "nothing was saved" in run.screen
    assert not DraftStore(data_dir).exists()


def test_a_nurse_starts_on_the_recorded_first_screen_too(shipped_copy, data_dir):
    screen = FirstScreen.saved(shipped_copy, nurse=True)
    assert screen is not None and screen.ask.message == "Your name (the nurse):" and screen.ask.check is check_name
    replies = {"Your name (the nurse):": Reply("Ann Nurse")}
    run = start_plain(shipped_copy, lambda spec: replies.get(spec.message, EOF), data_dir, nurse=True)
    assert run.code == 130
    assert [spec.message for spec in run.asked][:2] == ["Your name (the nurse):", "Who is answering the questions?"]
    assert "No patient had been entered yet, so nothing was saved" in run.screen, "a draft is kept per patient"
    assert not DraftStore(data_dir).exists()


def test_continuing_a_draft_loads_the_rules_first(shipped_copy, ruleset, data_dir, monkeypatch):
    """'Continue where you left off' needs the rules (the draft must match them): no recorded screen."""
    start_plain(shipped_copy, planned({ruleset.questions[1].id: [EOF]}, {first_question(ruleset).id: "no"}), data_dir)
    assert DraftStore(data_dir).exists()
    monkeypatch.setattr(first_screen_module.FirstScreen, "saved", classmethod(lambda cls, *args: pytest.fail("used")))
    run = start_plain(shipped_copy, lambda spec: EOF, data_dir)
    assert run.code == 130 and run.asked[0].message.startswith("You have an unfinished questionnaire")


def test_replay_passes_on_everything_from_the_first_call_that_differs():
    ask = Ask("choice", "First?", options=(("yes", "Yes"), ("no", "No")))
    screen = FirstScreen(shows=(("Heading", "bold"),), ask=ask)
    calls = []

    class Front:
        def show(self, text, style=""):
            calls.append(("show", text))

        def ask(self, spec):
            calls.append(("ask", spec.message))
            return "typed"

    same = Replay(Front(), screen, answer="no")
    same.show("Heading", "bold")
    assert same.ask(ask) == "no" and calls == []
    assert same.ask(ask) == "typed", "the recorded answer is given once"
    changed = Replay(Front(), screen, answer="no")
    changed.show("Heading", "bold")
    assert changed.ask(replace(ask, message="First, reworded?")) == "typed"
    assert calls == [("ask", "First?"), ("ask", "First, reworded?")]


def test_the_first_screen_comes_before_pydantic_and_the_rule_models(data_dir):
    """Through the real command line: nothing heavy is imported before the first question is written."""
    probe = (
        "import sys\n"
        "from triage.interactive import plain\n"
        "import triage.interactive.prompts\n"
        "original = plain.PlainPrompter._run_meanwhile\n"
        "def probe(self):\n"
        "    if self._meanwhile is not None:\n"
        "        heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'durable', 'yaml')\n"
        "                       or m in ('triage.ruleset.model', 'triage.ruleset.load', 'triage.assessment.answers', 'triage.assessment.outcome'))\n"
        "        print('HEAVY BEFORE THE RULES LOAD:', heavy, flush=True)\n"
        "    original(self)\n"
        "plain.PlainPrompter._run_meanwhile = probe\n"
        "from triage import cli\n"
        "sys.exit(cli.main(['--plain']))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, input="", cwd=ROOT, timeout=120,
                            env={**os.environ, "TRIAGE_DATA_DIR": str(data_dir)})
    assert result.returncode == 130, result.stderr
    first = FirstScreen.saved(default_rules_dir()).ask.message
    assert "HEAVY BEFORE THE RULES LOAD: []" in result.stdout
    shown = " ".join(result.stdout.split())
    assert shown.index(first) < shown.index("HEAVY BEFORE")


def test_rules_compile_writes_the_first_screen(tmp_path, ruleset):
    rules = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), rules)
    (rules / FIRST_SCREEN).unlink()
    assert cli.main(["--rules", str(rules), "rules", "compile"]) == 0
    for nurse in (False, True):
        assert FirstScreen.saved(rules, nurse) == FirstScreen.saved(default_rules_dir(), nurse)
