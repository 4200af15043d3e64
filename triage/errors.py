"""The two kinds of error: user errors (one line, fixed exit code) and everything else (a bug)."""

from __future__ import annotations

EXIT_OK = 0
EXIT_INTERNAL = 1  # a bug or a failure we cannot recover from: fail safe, contact a provider
EXIT_USAGE = 2  # invalid input, rule files or command line: one line, no traceback
EXIT_INTERRUPTED = 130  # Ctrl-C


class TriageError(Exception):
    """Base of the errors the program reports itself."""

    exit_code = EXIT_INTERNAL


class UserError(TriageError):
    """Something the person can fix: a bad answers file, a bad option. One line, exit 2."""

    exit_code = EXIT_USAGE


class AnswersError(UserError):
    """An answers file that cannot be read or does not fit the questionnaire."""


class OutputError(UserError):
    """An output file that cannot be written."""


class RulesError(TriageError):
    """A rule file that is missing, malformed or inconsistent. Names the file and the rule id.

    Not the person's fault, and no advice can be given without the rules: exit 1, fail safe.
    """

    def __init__(self, file: str, where: str | None, problem: str):
        self.file, self.where, self.problem = file, where, problem
        location = f"{file}: {where}" if where else file
        super().__init__(f"{location}: {problem}")


class RulesProblems(TriageError):
    """Every problem ``triage rules check`` found in the rule files, one per line (exit 1)."""

    def __init__(self, problems: list[RulesError]):
        self.problems = problems
        if len(problems) == 1:
            super().__init__(str(problems[0]))
        else:
            listed = "\n".join(f"  {problem}" for problem in problems)
            super().__init__(f"{len(problems)} problems in the rule files:\n{listed}")


class EngineError(TriageError):
    """The rules engine failed while assessing a case. Never shown as a self-care outcome."""
