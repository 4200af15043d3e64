"""Keeping a finished visit in the record, and ``triage checkin``: today's pain, the course, and the
warning signs again, on top of the last recorded questionnaire.

A check-in asks three things (pain now 0-10; better, the same or worse; the warning signs again, a
group on one screen as in the questionnaire, ``grouping``) and
then runs the full rules on the last recorded answers with today's in their place, including the
rules that depend on time (``record.checkins``). A warning sign (yes or not sure) is assessed at
once: an emergency stops the check-in there. The rules load while the first question is on screen.
Ctrl-C or end of input records nothing (exit 130).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import EXIT_INTERRUPTED, UserError
from .asks import Ask, question_ask
from .store import data_dir

if TYPE_CHECKING:
    from ..assessment.answers import AnswersFile
    from ..assessment.outcome import Assessment
    from ..record.store import RecordStore
    from .session import Prompter
    from .store import DraftStore

PAIN_ASK = Ask("number", "Pain now: on a scale from 0 to 10, how bad is your neck pain right now?", low=0, high=10,
               hint="0 = no pain   10 = worst pain you can imagine",
               range_text="from 0 (no pain) to 10 (worst pain you can imagine)", question_id="pain_now")
COURSE_MESSAGE = "Since your last check-in (or the questionnaire), is your neck pain better, the same or worse?"


def record_visit(answers: AnswersFile, assessment: Assessment, started: datetime, ended: datetime,
                 drafts: DraftStore | None = None) -> str:
    """Keep a finished questionnaire in the record on this computer; its ID. With ``drafts``, the
    questionnaire's draft is deleted in the same transaction."""
    from ..record.entries import record_assessment
    from ..record.store import RecordStore

    def write(store: RecordStore) -> str:
        return record_assessment(store, answers, assessment, started=started, ended=ended, source="questionnaire")

    if drafts is not None:
        return drafts.finish(write)
    with RecordStore(data_dir()) as store:
        return write(store)


def visit_trend(record_id: str) -> list:
    """The pain scores recorded for the person of ``record_id`` up to it, when they have check-ins."""
    from ..record.store import RecordStore
    from ..record.trend import summary_trend

    with RecordStore(data_dir()) as store:
        return summary_trend(store, store.entry(record_id))


def visit_patients() -> list[tuple[str | None, str | None, str]]:
    """(name, date of birth, label) of each patient in the record (not "me"), seen most recently first,
    labelled 'Ann Example (born 1980-04-02), last seen 2026-03-02' (and ', unfinished questionnaire
    saved 2026-03-09 10:40' when they have one); empty without a record."""
    from ..record.drafts import drafts
    from ..record.people import ME
    from ..record.store import RecordStore

    with RecordStore(data_dir()) as store:
        if not store.exists():
            return []
        seen = store.people_seen()
        unfinished = {row.person.id: row.saved_at for row in drafts(store)}
    patients = []
    for person, last in seen:
        if person.key == ME:
            continue
        born = f" (born {person.date_of_birth})" if person.date_of_birth else ""
        draft = f", unfinished questionnaire saved {unfinished[person.id]:%Y-%m-%d %H:%M}" if person.id in unfinished else ""
        patients.append((person.name, person.date_of_birth, f"{person.name or '(no name)'}{born}, last seen {last:%Y-%m-%d}{draft}"))
    return patients


def run_checkin(store: RecordStore, rules: Path | None, prompter: Prompter, person: str | None, now: datetime) -> int:
    """One check-in for ``person`` ("me" if None), at ``now`` (the caller's clock)."""
    from ..record.people import ME, find_person

    found = find_person(store.people() if store.exists() else [], person or ME)
    base = store.latest_assessment(found)
    if base is None:
        raise UserError(f"no questionnaire is recorded for {found.label}: run `triage` first")
    try:
        return _checkin(store, rules, prompter, found, base, now)
    except EOFError:
        prompter.show("\nStopped. Nothing was recorded.")
        return EXIT_INTERRUPTED


def _checkin(store, rules, prompter, person, base, now: datetime) -> int:
    loaded: list = []  # the rules (and pydantic) load while the first question is on screen
    pain = prompter.ask(PAIN_ASK, meanwhile=lambda: loaded.append(_load(rules)))
    if not loaded:
        loaded.append(_load(rules))
    ruleset, assessor = loaded[0]
    from ..record.checkins import COURSES
    told = prompter.ask(Ask("choice", COURSE_MESSAGE, options=COURSES, default="same"))
    return _warning_signs(store, ruleset, assessor, prompter, person, base, pain, told, now)


def _load(rules: Path | None):
    from ..assessment.assess import Assessor
    from ..record.checkins import check_questions
    from ..ruleset.load import load_ruleset

    ruleset = load_ruleset(rules)
    check_questions(ruleset)
    return ruleset, Assessor(ruleset, lazy=True)


def _warning_signs(store, ruleset, assessor, prompter, person, base, pain: int, told: str, now: datetime) -> int:
    from ..errors import AnswersError
    from ..record.checkins import is_warning, next_warning_question, recorded_course
    from ..record.entries import recorded_answers
    from ..ruleset.model import Level
    from .screens import emergency_text, urgent_text

    try:
        base_answers = recorded_answers(base, ruleset)
    except AnswersError as error:
        raise UserError(f"{error}: answer the full questionnaire again (`triage`)") from None
    if base.ruleset_hash != ruleset.digest:
        prompter.show(f"The rules have changed since the questionnaire of {base.ended_at:%Y-%m-%d}; its answers still fit "
                      "them, and today's result comes from the rules as they are now.")
    earlier = store.checkins_after(base.id)
    course = recorded_course(base.ended_at, base_answers.answers, len(earlier), pain, told, now)
    answers = {**base_answers.answers, **course.answers()}
    asked: set[str] = set()
    prompter.show("Warning signs: please answer these again, as things are now.", "bold")
    while (question := next_warning_question(ruleset, answers, asked)) is not None:
        given = _ask_warning(ruleset, prompter, question, answers, asked)
        answers.update(given)
        if not any(is_warning(value) for value in given.values()):
            continue
        now_assessed = assessor.assess(_answers_file(base_answers, answers))  # a warning sign: the full rules at once
        if now_assessed.disposition is Level.emergency:
            prompter.show(emergency_text(now_assessed, nurse=False), "bold fg:ansired")
            return _keep(store, prompter, person, base, course, _answers_file(base_answers, answers), now_assessed, now)
        if now_assessed.disposition is Level.urgent:
            prompter.show(urgent_text(now_assessed), "bold fg:ansiyellow")
    _ask_missing(ruleset, prompter, answers)
    final_answers = _answers_file(base_answers, answers)
    assessment = assessor.assess(final_answers)
    _show(ruleset, prompter, assessment, course)
    return _keep(store, prompter, person, base, course, final_answers, assessment, now)


def _ask_warning(ruleset, prompter, question, answers: dict[str, Any], asked: set[str]) -> dict[str, Any]:
    """One warning sign, or the group screen it belongs to when two or more of its group are due
    (the same screen as the questionnaire's, ``grouping``); the answers given, marked as asked."""
    from ..record.checkins import pending_members
    from ..report.content import load_summary_content
    from .grouping import ask_group

    group = ruleset.group_of.get(question.id)
    members = pending_members(ruleset, group, answers, asked) if group else []
    if len(members) < 2:
        asked.add(question.id)
        return {question.id: prompter.ask(question_ask(question, nurse=False, default=None, back=False))}
    short = load_summary_content(ruleset).short_labels
    prompter.show("")  # each group's list stands apart from the answer above it
    while (answer := ask_group(prompter.ask, prompter.show, group, members, False, short)).ticked is None:
        pass  # back from a tick-box: the group's screen again (there is no going back past it here)
    asked.update(q.id for q in members)
    given = answer.answers(members)
    asked.difference_update(q.id for q in members if q.id not in given)  # ticked, not yes/no: asked on its own next
    return given


def _ask_missing(ruleset, prompter, answers: dict[str, Any]) -> None:
    """Questions that apply now but were never answered (e.g. 'cannot get comfortable' at pain 7+)."""
    from ..assessment.answers import missing_required

    while missing := missing_required(ruleset, answers):
        question = ruleset.question_by_id[missing[0]]
        answers[question.id] = prompter.ask(question_ask(question, nurse=False, default=None, back=False))


def _answers_file(base: AnswersFile, answers: dict[str, Any]) -> AnswersFile:
    """The questionnaire's answers file with today's answers (a nurse's override and notes were for that visit)."""
    from ..assessment.answers import AnswersFile

    return AnswersFile.model_construct(**{**base.__dict__, "answers": dict(answers), "override": None, "notes": {}})


def _show(ruleset, prompter, assessment, course) -> None:
    from ..record.checkins import time_reasons
    from .screens import result_text

    prompter.show("")
    first, _, rest = result_text(assessment, nurse=False).partition("\n")
    prompter.show(first, "bold")
    prompter.show(rest)
    reasons = time_reasons(ruleset, assessment, course)
    if reasons:
        prompter.show("")
        prompter.show("From the recorded course:", "bold")
        for reason in reasons:
            prompter.show(f"- {reason}")


def _keep(store, prompter, person, base, course, answers, assessment, now: datetime) -> int:
    import json

    from ..record.trend import pain_series
    from ..report.chart import sparkline

    document = answers.model_dump(mode="json", exclude_none=True)
    record_id = store.add_checkin(
        person, base_id=base.id, at=now, pain=course.pain, course=course.told,
        ruleset_version=assessment.ruleset.version, ruleset_hash=assessment.ruleset.hash,
        disposition=assessment.disposition.value, answers_json=json.dumps(document, ensure_ascii=False),
        assessment_json=assessment.model_dump_json())
    points = [(base.ended_at, base.pain)] + [(c.ended_at, c.pain) for c in store.checkins_after(base.id)]
    prompter.show("")
    prompter.show(sparkline(pain_series(points)))
    prompter.show(f"Check-in recorded on this computer as {record_id} (`triage history` lists them).")
    return 0


def checkin_command(args, now: datetime | None = None) -> int:
    """``triage checkin [--person NAME]`` at a terminal (or ``--plain``)."""
    import os
    import sys

    from ..errors import EXIT_USAGE
    from ..record.store import RecordStore
    from . import NOT_A_TERMINAL, _prompter

    plain = bool(getattr(args, "plain", False)) or os.environ.get("TERM") == "dumb"
    if not plain and not (sys.stdin.isatty() and sys.stdout.isatty()):
        print(NOT_A_TERMINAL.replace("`triage --plain`", "`triage checkin --plain`"), file=sys.stderr)
        return EXIT_USAGE
    prompter = _prompter(plain, no_color=bool(getattr(args, "no_color", False)))
    with RecordStore(data_dir()) as store:
        return run_checkin(store, args.rules, prompter, args.person, now or datetime.now().astimezone())
