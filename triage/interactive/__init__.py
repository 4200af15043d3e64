"""The questionnaire: a person's or a nurse's answers in, an assessment and a saved summary out.

Exit codes: 0 finished (whatever the result), 2 not a terminal (without ``--plain``), no draft to
resume, or a damaged draft given to ``resume``, 130 stopped by Ctrl-C or end of input (a draft was
saved if anything had been typed), 1 anything failed (fail safe: contact a provider).

A new questionnaire's first screen is drawn before the rules are loaded, and they are loaded and
validated while it is on screen (``first_screen``). So this module and everything it imports at the
top stay free of pydantic and the rule models; those are imported once the first screen is up.
``tests/test_first_screen.py`` checks it.
"""

from __future__ import annotations

import os
import sys
from argparse import Namespace
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import EXIT_INTERRUPTED, EXIT_USAGE, UserError
from ..ruleset.files import rules_dir
from .asks import Ask
from .first_screen import FirstScreen
from .store import DraftError, DraftStore

if TYPE_CHECKING:
    from .draft import Draft
    from .session import Prompter, Session

NOT_A_TERMINAL = (
    "triage: not running in a terminal (input or output is redirected): to assess a file of answers "
    "use `triage assess FILE`; to answer line by line (pipes, screen readers) use `triage --plain`."
)


def run_interactive(args: Namespace) -> int:
    return _start(args, resume=False)


def run_resume(args: Namespace) -> int:
    return _start(args, resume=True)


def _start(args: Namespace, resume: bool) -> int:
    plain = bool(getattr(args, "plain", False)) or os.environ.get("TERM") == "dumb"
    if not plain and not (sys.stdin.isatty() and sys.stdout.isatty()):
        print(NOT_A_TERMINAL, file=sys.stderr)
        return EXIT_USAGE
    prompter = _prompter(plain, no_color=bool(getattr(args, "no_color", False)))
    return start(args.rules, prompter, DraftStore(), nurse=bool(getattr(args, "nurse", False)), resume=resume,
                 resume_hint=_resume_hint(args, plain), recorder=_record_visit)


def _record_visit(*details):
    from .checkin import record_visit  # SQLite is imported only once the result is final

    return record_visit(*details)


def start(rules: Path | None, prompter: Prompter, store: DraftStore, nurse: bool = False, resume: bool = False,
          resume_hint: str = "triage resume", clock: Callable[[], datetime] = datetime.now, recorder=None) -> int:
    """Load the rules and run the questionnaire; a new one's first screen is up while they load."""
    screen = None if resume or store.exists() else FirstScreen.saved(rules_dir(rules), nurse)
    if screen is None:
        ruleset = _load_rules(rules)
    else:
        try:
            ruleset, prompter = screen.show_while(prompter, lambda: _load_rules(rules))
        except (KeyboardInterrupt, EOFError):
            return _stopped(prompter, None, store, resume_hint)
    from ..assessment.assess import Assessor

    return run_with(ruleset, Assessor(ruleset, lazy=True), prompter, store, nurse=nurse, resume=resume,
                    resume_hint=resume_hint, clock=clock, recorder=recorder)


def _load_rules(rules: Path | None):
    from ..ruleset.load import load_ruleset  # builds the rule models: most of the work before a question

    return load_ruleset(rules)


def _prompter(plain: bool, no_color: bool) -> Prompter:
    if plain:
        from .plain import PlainPrompter

        return PlainPrompter(sys.stdin, sys.stdout)
    from .prompts import ArrowPrompter

    return ArrowPrompter(color=not no_color)


def _resume_hint(args: Namespace, plain: bool) -> str:
    rules = f" --rules {args.rules}" if getattr(args, "rules", None) else ""
    return f"triage{rules} resume" + (" --plain" if plain else "")


def run_with(ruleset, assessor, prompter: Prompter, store: DraftStore, nurse: bool = False, resume: bool = False,
             resume_hint: str = "triage resume", clock: Callable[[], datetime] = datetime.now, recorder=None) -> int:
    """Open (or continue) a session and run it; Ctrl-C or end of input saves a draft and exits 130.

    ``recorder`` keeps the final result in the record (``checkin.record_visit``); None keeps nothing."""
    from .session import Session

    def new_session(nurse_mode: bool) -> Session:
        session = Session(ruleset, assessor, prompter, store, nurse=nurse_mode, clock=clock)
        session.recorder = recorder
        return session

    session = None
    try:
        session = _open(new_session, prompter, store, nurse, resume)
        return 0 if session is None else session.run()
    except (KeyboardInterrupt, EOFError):
        return _stopped(prompter, session, store, resume_hint)
    except Exception:  # reported (fail safe) by the command line; what was typed is kept first
        _keep_quietly(session)
        raise


def _keep_quietly(session: Session | None) -> None:
    try:
        if session is not None:
            session.save_draft()
    except Exception:  # noqa: BLE001 - the original error is the one to report
        pass


def _stopped(prompter: Prompter, session: Session | None, store: DraftStore, resume_hint: str) -> int:
    """Ctrl-C is never an answer: keep what was typed and say how to continue."""
    path = session.save_draft() if session is not None else None
    if path is None and store.exists():
        prompter.show(f"\nStopped. The unfinished questionnaire is still saved. To continue it, run: {resume_hint}")
    elif path is None:
        prompter.show("\nStopped. Nothing had been answered, so nothing was saved.")
    else:
        prompter.show(f"\nStopped. Your answers so far are saved on this computer ({path}).\n"
                      f"To continue where you left off, run: {resume_hint}")
    return EXIT_INTERRUPTED


def _open(new_session, prompter: Prompter, store: DraftStore, nurse: bool, resume: bool) -> Session | None:
    """A new session, or one continued from the saved draft (asking first when it is not asked for)."""
    draft = _load(store, prompter, resume)
    if resume and draft is None:
        raise UserError(f"there is no unfinished questionnaire to resume (drafts are kept in {store.directory})")
    if draft is not None and not resume:
        options = (("resume", "Continue where I left off"), ("new", "Start a new questionnaire (the unfinished one is deleted)"))
        message = f"You have an unfinished questionnaire, {draft.describe()}."
        resume = prompter.ask(Ask("choice", message, options=options, default="resume")) == "resume"
    if draft is None or not resume:
        store.delete()
        return new_session(nurse)
    return _continue(new_session(nurse or draft.nurse_mode), prompter, store, draft)


def _load(store: DraftStore, prompter: Prompter, resume: bool) -> Draft | None:
    """The saved draft; a damaged one stops ``resume`` (one line) and is replaced by a new start."""
    try:
        return store.load()
    except DraftError as error:
        if resume:
            raise
        prompter.show(f"{error}. Starting a new questionnaire.")
        return None


def _continue(session: Session, prompter: Prompter, store: DraftStore, draft: Draft) -> Session | None:
    if draft.matches(session.ruleset):
        session.restore(draft)
        count = len(session.flow.history)
        prompter.show(f"Continuing your questionnaire ({count} answer{'' if count == 1 else 's'} so far).")
        return session
    prompter.show(_mismatch(session.ruleset, draft))
    if not prompter.ask(Ask("confirm", "Start a new questionnaire? (the unfinished one is deleted)", default=True)):
        prompter.show(f"The unfinished questionnaire was kept ({store.path}).")
        return None
    store.delete()
    session.visit = draft.visit.model_copy(update={"notes": {}})
    return session


def _mismatch(ruleset, draft: Draft) -> str:
    changed = ("the rules have been changed since" if draft.ruleset_version == ruleset.version
               else f"the rules are now version {ruleset.version}")
    return (f"Your unfinished questionnaire ({draft.describe()}) was made with rules version "
            f"{draft.ruleset_version}, and {changed}. Its answers cannot be reused safely, "
            "because the questions or what they mean may have changed.")
