"""End to end: the installed ``triage`` command in a real pseudo-terminal, typed at like a person would."""

from __future__ import annotations

import io
import os
import re
import shutil
import stat
import sys
from pathlib import Path

import pytest
from test_interactive_support import ENTER, Reply, arrow_keys, calm_answers, screens

from triage.interactive.asks import question_ask
from triage.interactive.flow import Flow, asking_order

pexpect = pytest.importorskip("pexpect")

pytestmark = pytest.mark.timeout(120)

SGR = re.compile(r"\x1b\[([0-9;]*)m")
COLOUR_CODES = {*range(30, 39), *range(40, 49), *range(90, 98), *range(100, 108)}


def triage_command() -> str:
    beside_python = Path(sys.executable).with_name("triage")
    return str(beside_python) if beside_python.exists() else shutil.which("triage")


def terminal_env(tmp_path, **extra) -> dict:
    """pexpect's pseudo-terminal does not answer prompt_toolkit's cursor-position requests the way a
    terminal emulator does, so each prompt would wait ~1 s for the reply: switch the request off."""
    return {**os.environ, "TRIAGE_DATA_DIR": str(tmp_path / "data"), "TERM": "xterm-256color",
            "PROMPT_TOOLKIT_NO_CPR": "1", **extra}


def colour_escapes(output: str) -> list[str]:
    """SGR sequences that set a colour (bold and reverse video are allowed without colour)."""
    found = []
    for params in SGR.findall(output):
        codes = [int(p) for p in params.split(";") if p.isdigit()]
        if any(code in COLOUR_CODES for code in codes):
            found.append(params)
    return found


def test_a_person_answers_in_a_real_terminal_and_saves_the_summary(ruleset, assessor, tmp_path):
    answers = calm_answers(ruleset, assessor)
    env = terminal_env(tmp_path, NO_COLOR="1")
    child = pexpect.spawn(triage_command(), [], cwd=str(tmp_path), env=env, encoding="utf-8",
                          dimensions=(60, 400), timeout=20)
    transcript = []
    flow = Flow(ruleset, assessor)
    while (question := flow.next_question()) is not None:
        for spec, value in screens(flow, question, answers):
            child.expect_exact(" ".join(spec.message.split()))
            child.send(arrow_keys(spec, Reply(value)))
            transcript.append(child.before)
    child.expect_exact("Check the answers")
    child.send(ENTER)
    level = ruleset.scale.levels["self_care"]
    child.expect_exact(f"RESULT: {level.label.upper()}")
    child.expect_exact("Show the details?")
    child.send(ENTER)
    child.expect_exact("Save a summary to a file?")
    transcript.append(child.before)
    child.send("y")
    child.expect_exact("Name to put on the summary (optional)")
    child.send(ENTER)
    child.expect_exact("Date of birth")
    child.send(ENTER)
    child.expect_exact("Which formats?")
    child.send(ENTER)
    child.expect_exact("Save in which folder?")
    child.send(ENTER)
    child.expect_exact("Saved the summary:")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert colour_escapes("".join(transcript)) == [], "NO_COLOR=1 means no colours"
    summaries = list(tmp_path.glob("neck-triage-summary-*.txt"))
    assert len(summaries) == 1 and stat.S_IMODE(summaries[0].stat().st_mode) == 0o600
    text = summaries[0].read_text()
    assert level.label in text and "not a diagnosis" in text.lower()


def test_ctrl_c_in_a_real_terminal_keeps_the_answers_for_later(ruleset, assessor, tmp_path):
    env = terminal_env(tmp_path)
    child = pexpect.spawn(triage_command(), [], cwd=str(tmp_path), env=env, encoding="utf-8",
                          dimensions=(60, 400), timeout=20)
    child.logfile_read = seen = io.StringIO()
    first, second = asking_order(ruleset)[:2]
    child.expect_exact(" ".join(first.ask.split()))
    child.send(arrow_keys(question_ask(first, nurse=False, default=None, back=False), Reply("no")))
    child.expect_exact(" ".join(second.ask.split()))
    child.sendcontrol("c")
    child.expect_exact("triage resume")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert colour_escapes(seen.getvalue()), "colours are used when NO_COLOR is not set"
    from test_drafts_record import open_drafts

    assert [key for key, _ in open_drafts(tmp_path / "data")] == ["me"]


@pytest.mark.parametrize("columns", [40, 60, 120])
def test_every_line_fits_a_real_terminal_of_any_width(ruleset, assessor, tmp_path, columns):
    """--plain in a pseudo-terminal of 40, 60 and 120 columns: no line is longer, no word is cut."""
    from test_interactive_support import plain_line

    env = terminal_env(tmp_path, NO_COLOR="1", TRIAGE_SAVE_DIR=str(tmp_path))
    env.pop("COLUMNS", None)
    env.pop("LINES", None)
    child = pexpect.spawn(triage_command(), ["--plain"], cwd=str(tmp_path), env=env, encoding="utf-8",
                          dimensions=(50, columns), timeout=20)
    child.logfile_read = seen = io.StringIO()
    answers = calm_answers(ruleset, assessor)
    flow = Flow(ruleset, assessor)
    while (question := flow.next_question()) is not None:
        for spec, value in screens(flow, question, answers):
            child.expect_exact("Type ")
            child.expect_exact(": ")
            child.sendline(plain_line(spec, Reply(value)))
    for line in ("", "1", "n"):  # the review: all correct; show the details; no summary
        child.expect_exact(": ")
        child.sendline(line)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    out = seen.getvalue().replace("\r", "")
    too_long = [line for line in out.splitlines() if len(line) > columns]
    assert not too_long, too_long[:3]
    flat = " ".join(out.split())
    assert " ".join(ruleset.scale.levels["self_care"].action.split()) in flat
    assert " ".join(ruleset.scale.disclaimer.split()) in flat
