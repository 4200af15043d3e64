"""Command line: parse options, call ``app``, turn errors into one line and a fixed exit code.

Exit codes: 0 success, 1 internal error (fail safe: contact a provider), 2 invalid input or usage,
130 interrupted.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from pathlib import Path

from . import __version__, app
from .errors import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_USAGE, TriageError, UserError

FAILSAFE = (
    "The triage program could not finish, so it cannot give you advice. "
    "Please contact a healthcare provider. If you feel very unwell or your symptoms are severe, "
    "call emergency services (911 / 112 / 999)."
)


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2 (argparse also prints usage)
        self.print_usage(sys.stderr)
        raise SystemExit(_fail(f"{self.prog}: error: {message}", EXIT_USAGE))


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="triage", description="Neck-pain triage questionnaire. Not a diagnosis.")
    parser.add_argument("--version", action="version", version=f"triage {__version__}")
    parser.add_argument("--rules", type=Path, metavar="DIR", help="use the rule files in DIR")
    parser.add_argument("--traceback", action="store_true", help="show a traceback on internal errors")
    parser.add_argument("--nurse", action="store_true", help="nurse mode: third-person wording, notes, override")
    parser.add_argument("--plain", action="store_true", help="numbered questions read line by line (screen readers, pipes)")
    parser.add_argument("--no-color", action="store_true", help="no colours (also when NO_COLOR is set)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    questions = commands.add_parser("questions", help="print the questionnaire as data")
    questions.add_argument("--format", choices=("text", "json", "fhir"), default="text")

    assess = commands.add_parser("assess", help="assess an answers file (YAML or JSON), or many with --batch")
    assess.add_argument("answers", type=Path, nargs="?", metavar="ANSWERS", help="answers file (.yaml, .yml or .json)")
    assess.add_argument("--format", choices=("text", "json"), default="text")
    assess.add_argument(
        "--batch",
        type=Path,
        metavar="IN.jsonl",
        help="assess one answers document per line (JSON Lines, '-' for stdin) and write one JSON result "
        "per line; bad lines are reported by number and the rest go on (exit 2 if any was bad)",
    )
    assess.add_argument(
        "-o", "--output", type=Path, metavar="FILE", help="write to FILE (mode 0600, replaced atomically) instead of stdout"
    )
    assess.add_argument(
        "--summary",
        type=Path,
        metavar="FILE",
        help="also save the printable summary to FILE; the format follows the extension: "
        ".txt, .md, .html, .pdf, or .json (FHIR R4 QuestionnaireResponse)",
    )
    assess.add_argument(
        "--summary-format",
        choices=("text", "markdown", "html", "pdf", "fhir"),
        help="the summary's format, whatever FILE's extension",
    )
    assess.add_argument("--force", action="store_true", help="replace an existing output or summary FILE")
    assess.add_argument("--record", action="store_true", help="also keep the assessment in the record on this computer")

    rules = commands.add_parser("rules", help="work with the rule files")
    rules_commands = rules.add_subparsers(dest="rules_command", metavar="ACTION", required=True, parser_class=_Parser)
    rules_commands.add_parser("check", help="load and check every rule file, listing every problem; exit 0 only if clean")
    coverage = rules_commands.add_parser(
        "coverage", help="show that every finding fires in a vignette and stays silent in a near-miss (exit 1 if not)"
    )
    coverage.add_argument("--cases", type=Path, metavar="DIR", help="the vignettes (default: tests/cases of this checkout)")
    docs = rules_commands.add_parser("docs", help="print the rules reference for clinical review (Markdown)")
    docs.add_argument("-o", "--output", type=Path, metavar="FILE", help="write to FILE instead of stdout")
    compile_ = rules_commands.add_parser(
        "compile",
        help="write parsed.json (the rules already parsed) and first_screen.json (the opening screen, shown while "
        "the rules load) beside the rule files; each is used only while it matches them",
    )
    compile_.add_argument("-o", "--output", type=Path, metavar="DIR", help="write them into DIR instead")

    commands.add_parser("schema", help="print the JSON Schema of an answers file")

    resume = commands.add_parser("resume", help="continue a questionnaire stopped with Ctrl-C")
    for flag, text in (("--nurse", "nurse mode"), ("--plain", "numbered questions read line by line"), ("--no-color", "no colours")):
        resume.add_argument(flag, action="store_true", default=argparse.SUPPRESS, help=text)
    resume.add_argument("--person", metavar="NAME", help="whose unfinished questionnaire ('me', a name, or 'NAME, YYYY-MM-DD'; "
                        "default: the newest one not open in another triage)")
    _record_commands(commands)
    return parser


def _record_commands(commands) -> None:
    """The record on this computer: history, show, forget, checkin."""
    history = commands.add_parser("history", help="list the recorded assessments and check-ins, newest first")
    history.add_argument("--person", metavar="NAME", help="only this person's ('me', a name, or 'NAME, YYYY-MM-DD')")
    history.add_argument("--format", choices=("text", "json"), default="text")

    show = commands.add_parser("show", help="show one recorded assessment or check-in, and save its summary again")
    show.add_argument("id", metavar="ID", help="a record ID from `triage history` (a12, c3)")
    show.add_argument("--format", choices=("text", "json"), default="text")
    show.add_argument("--summary", type=Path, metavar="FILE", help="save its summary to FILE (.txt, .md, .html, .pdf, .json)")
    show.add_argument("--summary-format", choices=("text", "markdown", "html", "pdf", "fhir"), help=argparse.SUPPRESS)
    show.add_argument("--force", action="store_true", help="replace an existing summary FILE")

    forget = commands.add_parser("forget", help="delete a person and all their records from this computer")
    forget.add_argument("--person", metavar="NAME", required=True, help="'me', a name, or 'NAME, YYYY-MM-DD'")
    forget.add_argument("--yes", action="store_true", help="do not ask (needed when not at a terminal)")

    checkin = commands.add_parser("checkin", help="today's pain, the course and the warning signs, on top of the last questionnaire")
    checkin.add_argument("--person", metavar="NAME", help="whose check-in (default: me)")
    for flag, text in (("--plain", "numbered questions read line by line"), ("--no-color", "no colours")):
        checkin.add_argument(flag, action="store_true", default=argparse.SUPPRESS, help=text)


SUPPORTED_PYTHON = ((3, 10), (3, 13))  # the versions tested: keep in step with requires-python in pyproject.toml


def main(argv: list[str] | None = None) -> int:
    if not SUPPORTED_PYTHON[0] <= sys.version_info[:2] <= SUPPORTED_PYTHON[1]:
        found = ".".join(map(str, sys.version_info[:2]))
        low, high = (".".join(map(str, version)) for version in SUPPORTED_PYTHON)
        return _fail(f"triage: error: needs Python {low}-{high} (the versions it is tested on); this is Python {found}.\n{FAILSAFE}", EXIT_INTERNAL)
    args = build_parser().parse_args(argv)
    try:
        return app.run(args)
    except UserError as error:
        return _fail(f"triage: error: {error}", error.exit_code)
    except TriageError as error:
        if args.traceback:
            traceback.print_exc()
        return _fail(f"triage: error: {error}\n{FAILSAFE}", error.exit_code)
    except KeyboardInterrupt as error:  # Ctrl-C, or SIGTERM / SIGHUP during a questionnaire (128 + signal)
        return _fail("\ntriage: interrupted. Nothing was assessed.", getattr(error, "exit_code", EXIT_INTERRUPTED))
    except BrokenPipeError:  # e.g. `triage questions | head`: the reader stopped reading; not a bug
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return _fail("triage: error: standard output was closed before the output was complete", EXIT_USAGE)
    except Exception:  # a bug: show it, and fail safe
        traceback.print_exc()
        return _fail(f"triage: internal error.\n{FAILSAFE}", EXIT_INTERNAL)


def _fail(message: str, code: int) -> int:
    from .report.wrapping import wrap_block  # light: the standard library only
    from .text_safety import visible  # file names and values in messages may hold escape sequences

    message = visible(message, keep_lines=True)
    print(wrap_block(message) if sys.stderr.isatty() else message, file=sys.stderr)
    return code
