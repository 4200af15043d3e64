"""What each command does, given parsed options. No option parsing here."""

from __future__ import annotations

import json
import sys
from argparse import Namespace

from .answers import answers_file_schema, load_answers_file
from .assess import Assessor
from .loader import Ruleset, load_ruleset
from .render import render_assessment, render_questions


def run(args: Namespace) -> int:
    command = args.command or "interactive"
    handler = COMMANDS[command]
    return handler(args)


def _ruleset(args: Namespace) -> Ruleset:
    return load_ruleset(args.rules)


def questions(args: Namespace) -> int:
    _write(render_questions(_ruleset(args), args.format))
    return 0


def assess(args: Namespace) -> int:
    ruleset = _ruleset(args)
    answers = load_answers_file(ruleset, args.answers)
    assessment = Assessor(ruleset).assess(answers)
    _write(render_assessment(ruleset, answers, assessment, args.format))
    return 0


def rules(args: Namespace) -> int:
    ruleset = _ruleset(args)
    Assessor(ruleset)  # compiles every rule into the engine: shape and hash checks run here
    print(
        f"rules OK: {ruleset.directory} (version {ruleset.version}, {len(ruleset.questions)} questions, "
        f"{len(ruleset.findings)} findings, sha256 {ruleset.digest[:12]})"
    )
    return 0


def schema(args: Namespace) -> int:
    _write(json.dumps(answers_file_schema(_ruleset(args)), indent=2) + "\n")
    return 0


def interactive(args: Namespace) -> int:
    from .interactive import run_interactive

    return run_interactive(args)


def _write(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


COMMANDS = {"questions": questions, "assess": assess, "rules": rules, "schema": schema, "interactive": interactive}
