"""What each command does, given parsed options. No option parsing here.

Each command imports what it needs when it runs: the interactive questionnaire shows its first
screen before the rule models are loaded (``interactive.first_screen``), so nothing here may load
them at import.
"""

from __future__ import annotations

import json
import sys
from argparse import Namespace
from typing import TYPE_CHECKING

from .errors import AnswersError, RulesProblems, UserError
from .fileio import atomic_write

if TYPE_CHECKING:
    from .ruleset.load import Ruleset


def run(args: Namespace) -> int:
    command = args.command or "interactive"
    handler = COMMANDS[command]
    return handler(args)


def _ruleset(args: Namespace) -> Ruleset:
    from .ruleset.load import load_ruleset

    return load_ruleset(args.rules)


def questions(args: Namespace) -> int:
    from .report.terminal import render_questions

    _write(render_questions(_ruleset(args), args.format))
    return 0


def assess(args: Namespace) -> int:
    if (args.answers is None) == (args.batch is None):
        raise UserError("assess: give one answers file, or --batch IN.jsonl (not both)")
    from .assessment.answers import load_answers_file
    from .assessment.assess import Assessor
    from .report.terminal import render_assessment

    if args.batch is not None and getattr(args, "record", False):
        raise UserError("assess: --record keeps one answers file's assessment, not a batch")
    ruleset = _ruleset(args)
    if args.batch is not None:
        from .assessment.batch import run_batch

        return run_batch(Assessor(ruleset), args.batch, args.output, force=args.force)
    summary_path = _summary_target(args)
    output = _output_target(args, summary_path)
    answers = load_answers_file(ruleset, args.answers)
    try:
        assessment = Assessor(ruleset).assess(answers)
    except AnswersError as error:  # the override's checks: name the file, like every other answers error
        raise AnswersError(f"{args.answers}: {error}") from None
    if getattr(args, "record", False):
        _record_file(answers, assessment)
    if summary_path is not None:
        from .report.save import save_summary

        save_summary(ruleset, answers, assessment, summary_path, args.summary_format, args.force)
    text = render_assessment(ruleset, answers, assessment, args.format)
    if output is not None:
        atomic_write(output, text if text.endswith("\n") else text + "\n", force=args.force)
    else:
        _write(text)
    return 0


def _output_target(args: Namespace, summary_path):
    """Check ``-o FILE`` before any work, like the summary ('-' is standard output): None for stdout."""
    output = args.output
    if output is None or str(output) == "-":
        return None
    from .fileio import same_file
    from .report.save import check_output_path

    check_output_path(output, args.force)
    for other, what in ((args.answers, "the input file"), (summary_path, "the summary file")):
        if other is not None and same_file(output, other):
            raise UserError(f"{output}: is {what}: choose another output file")
    return output


def _record_file(answers, assessment) -> None:
    from datetime import datetime

    from .record.entries import record_assessment

    now = datetime.now().astimezone()
    with _record_store() as store:
        record_id = record_assessment(store, answers, assessment, started=answers.started or now,
                                      ended=answers.ended or answers.started or now, source="file")
    print(f"Kept in the record on this computer as {record_id}.", file=sys.stderr)


def _record_store():
    from .interactive.store import data_dir  # the drafts' folder: one place for everything kept on this computer
    from .record.store import RecordStore

    return RecordStore(data_dir())


def _person(store, text: str | None):
    """The person ``--person`` names (None for everyone); one line, exit 2, if not in the record."""
    from .record.people import find_person

    if text is None:
        return None
    return find_person(store.people() if store.exists() else [], text)


def history(args: Namespace) -> int:
    from .record.listing import history_json, history_text

    from .record.drafts import drafts

    with _record_store() as store:
        person = _person(store, args.person)
        rows = store.history(person) if store.exists() else []
        unfinished = drafts(store, person) + drafts(store, person, set_aside=True) if store.exists() else []
    _write(history_json(rows, unfinished) if args.format == "json" else history_text(rows, unfinished))
    return 0


def show(args: Namespace) -> int:
    from .record.entries import recorded_assessment
    from .record.listing import entry_heading
    from .report.terminal import assessment_text

    summary_path = _summary_target(args)
    from .record.trend import summary_trend

    with _record_store() as store:
        entry = store.entry(args.id)
        trend = summary_trend(store, entry) if summary_path is not None else []
    assessment = recorded_assessment(entry)
    if args.format == "json":
        _write(assessment.model_dump_json(indent=2))
    else:
        _write(f"{entry_heading(entry)}\n\n{assessment_text(assessment)}")
    if summary_path is not None:
        _resave_summary(args, entry, assessment, summary_path, trend)
    return 0


def _resave_summary(args: Namespace, entry, assessment, path, trend=()) -> None:
    """The summary again, from the stored answers and the recorded result, if the rules are the same;
    with the person's pain scores up to it (``trend``) when they have check-ins."""
    from .record.entries import recorded_answers
    from .report.save import save_summary

    ruleset = _ruleset(args)
    if entry.ruleset_hash != ruleset.digest:
        raise UserError(f"{entry.id}: the rules have changed since it was recorded (rules {entry.ruleset_version}, "
                        f"sha256 {entry.ruleset_hash[:12]}; now {ruleset.version}, {ruleset.digest[:12]}), so its "
                        "summary cannot be made again; the recorded result is shown above")
    written = save_summary(ruleset, recorded_answers(entry, ruleset), assessment, path,
                           getattr(args, "summary_format", None), args.force, created=entry.ended_at, pain_trend=trend)
    print(f"Saved the summary to {written}", file=sys.stderr)


def forget(args: Namespace) -> int:
    from .record.drafts import drafts

    with _record_store() as store:
        person = _person(store, args.person)
        count = len(store.history(person))
        unfinished = len(drafts(store, person)) + len(drafts(store, person, set_aside=True))
        also = f" (and {unfinished} unfinished questionnaire{'s' if unfinished != 1 else ''})" if unfinished else ""
        if not args.yes and not _confirmed(f"Delete {person.label} and all {count} of their records{also} from this computer? "
                                           "This cannot be undone. Type yes to delete: "):
            print("Nothing was deleted.")
            return 0
        store.forget(person)
    print(f"Deleted {person.label} and {count} record{'s' if count != 1 else ''}{also} from this computer.")
    return 0


def _confirmed(question: str) -> bool:
    if not sys.stdin.isatty():
        raise UserError("forget: not a terminal, so it cannot ask for confirmation: add --yes to delete")
    return input(question).strip().lower() in ("y", "yes")


def checkin(args: Namespace) -> int:
    from .interactive.checkin import checkin_command

    return checkin_command(args)


def _summary_target(args: Namespace):
    """Check ``--summary FILE`` before any work: a bad path is one line, exit 2, nothing written."""
    path = getattr(args, "summary", None)
    if path is None:
        return None
    from .report.save import check_output_path, summary_format

    check_output_path(path, getattr(args, "force", False))
    summary_format(path, getattr(args, "summary_format", None))
    from .fileio import same_file

    answers = getattr(args, "answers", None)  # `show` re-exports from the record: it has no input file
    if answers is not None and same_file(path, answers):
        raise UserError(f"{path}: is the input file: choose another summary file")
    return path


def rules(args: Namespace) -> int:
    return RULES_COMMANDS[args.rules_command](args)


def rules_coverage(args: Namespace) -> int:
    from .assessment.coverage import run_coverage

    return run_coverage(_ruleset(args), args.cases)


def rules_docs(args: Namespace) -> int:
    from .ruleset.reference import write_reference

    write_reference(_ruleset(args), args.output)
    return 0


def rules_compile(args: Namespace) -> int:
    from .interactive.first_screen import FIRST_SCREEN, first_screen_text
    from .ruleset.load import PARSED_COPY, parsed_copy_text

    ruleset = _ruleset(args)  # only rules that load cleanly are worth compiling
    folder = args.output or ruleset.directory
    for name, text in ((PARSED_COPY, parsed_copy_text(ruleset.directory)), (FIRST_SCREEN, first_screen_text(ruleset))):
        atomic_write(folder / name, text, mode=0o644)  # rules, not health data
        print(f"wrote {folder / name}")
    return 0


def rules_check(args: Namespace) -> int:
    from .assessment.assess import Assessor
    from .ruleset.files import rules_dir
    from .ruleset.load import inspect_rules, parsed_copy_problems

    ruleset, problems = inspect_rules(args.rules)
    problems += parsed_copy_problems(rules_dir(args.rules))
    if problems:
        raise RulesProblems(problems)
    Assessor(ruleset)  # compiles every rule into the engine: shape and hash checks run here
    print(
        f"rules OK: {ruleset.directory} (version {ruleset.version}, {len(ruleset.questions)} questions, "
        f"{len(ruleset.findings)} findings, sha256 {ruleset.digest[:12]})"
    )
    return 0


def schema(args: Namespace) -> int:
    from .assessment.answers import answers_file_schema

    _write(json.dumps(answers_file_schema(_ruleset(args)), indent=2) + "\n")
    return 0


def interactive(args: Namespace) -> int:
    from .interactive import run_interactive

    return run_interactive(args)


def resume(args: Namespace) -> int:
    from .interactive import run_resume

    return run_resume(args)


def _write(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


COMMANDS = {"questions": questions, "assess": assess, "rules": rules, "schema": schema, "interactive": interactive, "resume": resume,
            "history": history, "show": show, "forget": forget, "checkin": checkin}
RULES_COMMANDS = {"check": rules_check, "coverage": rules_coverage, "docs": rules_docs, "compile": rules_compile}
