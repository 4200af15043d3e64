"""Helpers for driving the interactive questionnaire in tests (no tests here).

A *script* decides a ``Reply`` for each prompt (by question id, or by what the prompt says); the
reply is turned into real keystrokes for the arrow-key prompts (sent through prompt_toolkit's pipe
input just before each prompt starts) or into a typed line for ``--plain``. Answers come from the
loaded rules (for example the least urgent answer to every question), never from a hard-coded list.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output.plain_text import PlainTextOutput

from triage.interactive import run_with, start
from triage.interactive.asks import Ask
from triage.interactive.flow import Flow
from triage.interactive.plain import PlainPrompter
from triage.interactive.prompts import ArrowPrompter
from triage.interactive.store import DraftStore
from triage.ruleset.model import NO, Level, Question, QuestionGroup, QuestionType

DOWN, UP, ENTER, SPACE = "\x1b[B", "\x1b[A", "\r", " "
CTRL_B, CTRL_C, CTRL_T, CTRL_U = "\x02", "\x03", "\x14", "\x15"
FIXED_NOW = datetime(2026, 11, 23, 19, 30)


@dataclass(frozen=True)
class Reply:
    value: Any = None
    signal: str | None = None  # "back", "note", "interrupt", "eof"
    keys: str | None = None  # raw keystrokes (arrow front end) instead of ``value``
    line: str | None = None  # a raw typed line (plain front end) instead of ``value``


BACK, NOTE, INTERRUPT, EOF = (Reply(signal=s) for s in ("back", "note", "interrupt", "eof"))
Script = Callable[[Ask], Reply]


# --- answers derived from the rules ----------------------------------------------------------------


def candidates(question: Question) -> list[Any]:
    """Plausible answers, the usual ones first."""
    kind = question.type
    if kind is QuestionType.yes_no_unsure:
        return [NO, "yes", "not_sure"]
    if kind is QuestionType.single:
        return list(question.codes)
    if kind is QuestionType.multi:
        return [[code] for code in question.codes]
    if kind is QuestionType.text:
        return ["nothing else"] if question.required else [None]
    low, high = question.bounds
    return list(dict.fromkeys([low + (high - low) // 4, (low + high) // 2, low, high, min(high, low + 3)]))


def least_urgent_value(flow: Flow, question: Question) -> Any:
    """The candidate answer whose assessment (with the answers so far) is least urgent."""
    def rank(value):
        trial = {**flow.answers, **({} if value is None else {question.id: value})}
        assessment = flow.assessor.assess_answers(trial)
        return (assessment.disposition.rank, len(assessment.findings))

    return min(candidates(question), key=rank)


def calm_answers(ruleset, assessor) -> dict[str, Any]:
    """A complete answer set, answering every question the least urgent way, in asking order."""
    flow = Flow(ruleset, assessor, grouped=False)
    while (question := flow.next_question()) is not None:
        flow.answer(question.id, least_urgent_value(flow, question))
    return dict(flow.answers)


def emergency_question(ruleset, assessor) -> tuple[Question, int]:
    """The first question (asking order) whose 'yes', after 'no' to everything before, is an emergency."""
    flow = Flow(ruleset, assessor)
    position = 0
    while (question := flow.next_question()) is not None:
        position += 1
        if isinstance(question, QuestionGroup):  # a group: "yes", then "which?" with the member ticked
            for member in flow.due_members(question):
                if assessor.assess_answers({**flow.answers, member.id: "yes"}).disposition is Level.emergency:
                    return member, position + 1
            flow.answer_group(question.id, NO)
            continue
        if question.type is QuestionType.yes_no_unsure:
            trial = {**flow.answers, question.id: "yes"}
            if assessor.assess_answers(trial).disposition is Level.emergency:
                return question, position
        flow.answer(question.id, least_urgent_value(flow, question))
    raise AssertionError("no single 'yes' leads to an emergency")


# --- groups (grouped screening) ---------------------------------------------------------------------


_GROUPS: dict[str, tuple[str, ...]] = {}


def group_members(group_id: str | None) -> tuple[str, ...] | None:
    """The members of a group of the shipped rules (None: not a group id)."""
    if not _GROUPS:
        from triage.ruleset.load import load_ruleset

        _GROUPS.update({g.id: g.members for g in load_ruleset().groups})
    return _GROUPS.get(group_id or "")


def group_value(members, truths: dict[str, Any]) -> str:
    """How a person whose true answers are ``truths`` answers a group: yes if any member is yes,
    else not sure if any is not sure, else "No, none of these"."""
    values = [truths[m] for m in members if m in truths]
    return "yes" if "yes" in values else "not_sure" if "not_sure" in values else NO


def group_reply(spec: Ask, members, truths: dict[str, Any]) -> Any:
    """A person's reply to a group's screen, or to its "which ones?" tick-boxes that follow."""
    if spec.kind != "multi":
        return group_value(members, {m: as_ticked(v) for m, v in truths.items()})
    from triage.interactive.asks import NONE_OF_THEM, UNSURE_ABOUT_OTHERS

    listed = [value for value, _ in spec.options if value in members]
    ticking = "not_sure" if "not sure" in spec.message or "ruled out" in spec.message else "yes"
    ticked = [m for m in listed if as_ticked(truths.get(m, NO)) == ticking]
    codes = {value for value, _ in spec.options}
    if UNSURE_ABOUT_OTHERS in codes and any(truths.get(m) == "not_sure" for m in listed if m not in ticked):
        ticked.append(UNSURE_ABOUT_OTHERS)
    if not ticked and NONE_OF_THEM in codes:
        ticked.append(NONE_OF_THEM)
    return ticked


def as_ticked(value: Any) -> str:
    """A member's answer as a tick: a headache "mild" or "severe" is ticked as applying."""
    return value if value in ("yes", NO, "not_sure") else "yes"


def spec_for(flow: Flow, item, nurse: bool = False) -> Ask:
    from triage.interactive.asks import group_ask, question_ask

    if isinstance(item, QuestionGroup):
        return group_ask(item, nurse, None, back=bool(flow.history))
    return question_ask(item, nurse=nurse, default=None, back=bool(flow.history))


def screens(flow: Flow, item, truths: dict[str, Any], nurse: bool = False) -> list[tuple[Ask, Any]]:
    """The prompts the session shows for ``item`` and the replies of a person whose true answers
    are ``truths`` (a group: its screen, then its "which?" tick-boxes, through the session's own
    ``grouping.ask_group``); the flow is answered as the session answers it."""
    from triage.interactive.grouping import ask_group
    from triage.report.content import load_summary_content

    if not isinstance(item, QuestionGroup):
        spec = spec_for(flow, item, nurse)
        flow.answer(item.id, truths.get(item.id))
        return [(spec, truths.get(item.id))]
    members = flow.due_members(item)
    shown: list[tuple[Ask, Any]] = []

    def reply(spec: Ask) -> Any:
        shown.append((spec, group_reply(spec, [q.id for q in members], truths)))
        return shown[-1][1]

    answer = ask_group(reply, lambda text: None, item, members, nurse, load_summary_content(flow.ruleset).short_labels,
                       back=bool(flow.history), emergency=flow.emergency_with)
    flow.take_group_answer(item.id, answer)
    return shown


# --- scripts ---------------------------------------------------------------------------------------


def answering(answers: dict[str, Any], then: Script | None = None) -> Script:
    """Answer questions from ``answers``; every other prompt goes to ``then`` (or its default)."""
    def script(spec: Ask) -> Reply:
        if spec.question_id is not None and spec.question_id in answers:
            return Reply(answers[spec.question_id])
        members = group_members(spec.question_id)
        if members is not None and then is None:
            return Reply(group_reply(spec, members, answers))
        if then is not None:
            return then(spec)
        return default_reply(spec)

    return script


PROMPTS = {  # a short name for each prompt that is not a questionnaire question, by how it starts
    "Check the answers": "review",
    "What next?": "what_next",
    "Save a summary to a file?": "save",
    "Which formats": "formats",
    "Save in which folder": "folder",
    "Show the details": "details",
    "Lower the disposition": "confirm_lower",
    "Name to put on the summary": "summary_name",
    "Date of birth (YYYY-MM-DD, optional)": "summary_dob",
    "Finish quickly": "quick",
    "Do you agree": "override",
    "Reason for": "reason",
    "General note": "general_note",
    "Note on:": "note",
    "Your name": "nurse",
    "Who is answering": "respondent",
    "Patient's name": "patient",
    "Patient's date of birth": "dob",
    "You have an unfinished": "unfinished",
    "This patient has an unfinished": "patient_unfinished",
    "Start a new questionnaire": "start_new",
}


def prompt_name(spec: Ask) -> str:
    if spec.question_id:
        return spec.question_id
    for beginning, name in PROMPTS.items():
        if spec.message.startswith(beginning):
            return name
    return "replace" if "already exists" in spec.message else spec.message


def planned(plan: dict[str, list[Reply]], answers: dict[str, Any] | None = None) -> Script:
    """Replies from ``plan`` (by prompt name, used up in order), then ``answers``, then defaults."""
    queues = {name: list(replies) for name, replies in plan.items()}

    def script(spec: Ask) -> Reply:
        name = prompt_name(spec)
        if queues.get(name):
            return queues[name].pop(0)
        members = group_members(spec.question_id)
        if members is not None:  # answered as the person's planned and other answers say
            truths = {**(answers or {}), **{m: queues[m][0].value for m in members if queues.get(m) and queues[m][0].signal is None}}
            return Reply(group_reply(spec, members, truths))
        return answering(answers or {})(spec)

    return script


def default_reply(spec: Ask) -> Reply:
    """Accept what the prompt offers: finish the review, keep the file name, don't finish quickly."""
    if spec.message.startswith("Finish quickly"):
        return Reply("all")
    if spec.message.startswith("Show the details"):
        return Reply("show")
    if spec.kind == "choice" and spec.default is None:
        values = [value for value, _ in spec.options]
        return Reply(NO if NO in values else values[0])
    if spec.kind == "choice" or spec.kind == "confirm":
        return Reply(spec.default)
    if spec.kind in ("text", "number"):
        return Reply(spec.default if spec.default not in (None, "") else None)
    if spec.kind == "multi" and (not spec.required or spec.default):
        return Reply(spec.default or None)
    raise AssertionError(f"no reply for {spec}")


# --- front ends driven by scripts -------------------------------------------------------------------


def arrow_keys(spec: Ask, reply: Reply) -> str:
    """The keystrokes a person would type at the arrow-key prompt for ``reply``."""
    if reply.keys is not None:
        return reply.keys
    signal = {"back": CTRL_B, "note": CTRL_T, "interrupt": CTRL_C}
    if reply.signal in signal:
        return signal[reply.signal]
    if spec.kind == "choice":
        return _move(spec, reply.value) + ENTER
    if spec.kind == "multi":
        want, had = set(reply.value or ()), set(spec.default or ())
        return "".join((SPACE if (value in want) != (value in had) else "") + DOWN for value, _ in spec.options) + ENTER
    if spec.kind == "confirm":
        return "y" if reply.value else "n"
    return CTRL_U + ("" if reply.value is None else str(reply.value)) + ENTER


def _move(spec: Ask, value: Any) -> str:
    values = [v for v, _ in spec.options]
    start = values.index(spec.default) if spec.default in values else 0
    delta = values.index(value) - start
    return (DOWN * delta) if delta >= 0 else (UP * -delta)


def plain_line(spec: Ask, reply: Reply) -> str:
    """The line a person would type at the ``--plain`` prompt for ``reply``."""
    if reply.line is not None:
        return reply.line
    if reply.signal in ("back", "note"):
        return reply.signal
    values = [v for v, _ in spec.options]
    if spec.kind == "choice":
        return str(values.index(reply.value) + 1)
    if spec.kind == "multi":
        return " ".join(str(values.index(v) + 1) for v in reply.value or ())
    if spec.kind == "confirm":
        return "y" if reply.value else "n"
    return "" if reply.value is None else str(reply.value)


class ScriptedArrows(ArrowPrompter):
    """The real arrow-key prompts, fed the keystrokes of the script's reply for each prompt."""

    def __init__(self, script: Script, pipe):
        super().__init__(color=False)
        self.script, self.pipe, self.asked = script, pipe, []

    def ask(self, spec: Ask, meanwhile=None) -> Any:
        self.asked.append(spec)
        reply = self.script(spec)
        if reply.signal == "eof":
            self.pipe.close()
        else:
            self.pipe.send_text(arrow_keys(spec, reply))
        return super().ask(spec, meanwhile)


class ScriptedLines(PlainPrompter):
    """The real ``--plain`` prompts, reading the script's replies as typed lines."""

    def __init__(self, script: Script):
        super().__init__(io.StringIO(), io.StringIO(), interactive=True, width=100)
        self.script, self.asked = script, []

    def ask(self, spec: Ask, meanwhile=None) -> Any:
        self.asked.append(spec)
        reply = self.script(spec)
        if reply.signal == "interrupt":
            raise KeyboardInterrupt
        position = self.stdin.tell()
        if reply.signal != "eof":
            self.stdin.write(plain_line(spec, reply) + "\n")
        self.stdin.seek(position)
        return super().ask(spec, meanwhile)


@dataclass
class Run:
    code: int
    screen: str
    asked: list[Ask]

    def question_ids(self) -> list[str]:
        """The questions (and group screens) asked, in order; a group's "which?" steps count once."""
        ids = [spec.question_id for spec in self.asked if spec.question_id]
        return [qid for i, qid in enumerate(ids) if not (i and ids[i - 1] == qid and group_members(qid))]

    def covered(self) -> set[str]:
        """Every question asked on its own or listed on a group screen that was asked."""
        ids = set(self.question_ids())
        return ids | {m for qid in ids for m in (group_members(qid) or ())}


@contextmanager
def arrow_terminal():
    screen = io.StringIO()
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=PlainTextOutput(screen)):
        yield pipe, screen


def run_arrows(ruleset, assessor, script: Script, data_dir, nurse=False, resume=False) -> Run:
    """One interactive run on the arrow-key front end, through prompt_toolkit's pipe input."""
    with arrow_terminal() as (pipe, screen):
        prompter = ScriptedArrows(script, pipe)
        code = run_with(ruleset, assessor, prompter, DraftStore(data_dir), nurse=nurse, resume=resume, clock=lambda: FIXED_NOW)
    return Run(code, screen.getvalue(), prompter.asked)


def start_arrows(rules_dir, script: Script, data_dir, nurse=False, resume=False) -> Run:
    """``triage`` as started from the command line (loading ``rules_dir``), on the arrow-key front end."""
    with arrow_terminal() as (pipe, screen):
        prompter = ScriptedArrows(script, pipe)
        code = start(rules_dir, prompter, DraftStore(data_dir), nurse=nurse, resume=resume, clock=lambda: FIXED_NOW)
    return Run(code, screen.getvalue(), prompter.asked)


def start_plain(rules_dir, script: Script, data_dir, nurse=False, resume=False) -> Run:
    prompter = ScriptedLines(script)
    code = start(rules_dir, prompter, DraftStore(data_dir), nurse=nurse, resume=resume, clock=lambda: FIXED_NOW)
    return Run(code, prompter.stdout.getvalue(), prompter.asked)


def run_plain(ruleset, assessor, script: Script, data_dir, nurse=False, resume=False) -> Run:
    prompter = ScriptedLines(script)
    code = run_with(ruleset, assessor, prompter, DraftStore(data_dir), nurse=nurse, resume=resume, clock=lambda: FIXED_NOW)
    return Run(code, prompter.stdout.getvalue(), prompter.asked)
