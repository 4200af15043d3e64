"""The questionnaire: a person's or a nurse's answers in, an assessment and a saved summary out.

Exit codes: 0 finished (whatever the result), 2 not a terminal (without ``--plain``), no draft to
resume, a damaged draft given to ``resume``, the person's questionnaire open in another triage
(``store.DraftInUse``), a record from a newer triage, or a data folder that cannot be used, 130 stopped by
Ctrl-C, end of input or a lost terminal, 143 by SIGTERM, 129 by SIGHUP (closing the terminal
window); a draft was saved in each of these cases if anything had been typed. 1 anything failed
(fail safe: contact a provider).

A new questionnaire's first screen is drawn before the rules are loaded, and they are loaded and
validated while it is on screen (``first_screen``). So this module and everything it imports at the
top stay free of pydantic and the rule models; those are imported once the first screen is up.
``tests/test_first_screen.py`` checks it.
"""

from __future__ import annotations

import errno
import os
import shlex
import signal
import sys
from contextlib import contextmanager
from argparse import Namespace
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import EXIT_INTERRUPTED, EXIT_USAGE, TriageError, UserError
from ..report.wrapping import command_line
from ..ruleset.files import rules_dir
from .asks import Ask
from .first_screen import FirstScreen
from .store import ME, DraftError, DraftStore, person_ref

if TYPE_CHECKING:
    from .draft import Draft
    from .session import Prompter, Session

NOT_A_TERMINAL = (
    "triage: not running in a terminal (input or output is redirected): to assess a file of answers "
    "use `{triage} assess FILE`; to answer line by line (pipes, screen readers) use `{triage} --plain`."
)


def run_interactive(args: Namespace) -> int:
    return _start(args, resume=False)


def run_resume(args: Namespace) -> int:
    return _start(args, resume=True)


def _start(args: Namespace, resume: bool) -> int:
    plain = bool(getattr(args, "plain", False)) or os.environ.get("TERM") == "dumb"
    if not plain and not (sys.stdin.isatty() and sys.stdout.isatty()):
        print(NOT_A_TERMINAL.format(triage=command_name()), file=sys.stderr)
        return EXIT_USAGE
    prompter = _prompter(plain, no_color=bool(getattr(args, "no_color", False)))
    store = DraftStore()
    try:
        if resume and getattr(args, "person", None):
            _claim_named(store, args.person)
        with _signals_stop():
            return start(args.rules, prompter, store, nurse=bool(getattr(args, "nurse", False)), resume=resume,
                         resume_hint=_resume_hint(args, plain), recorder=_record_visit)
    finally:
        store.close()


def _claim_named(store: DraftStore, text: str) -> None:
    """``triage resume --person NAME``: that person's draft (one line, exit 2, if they have none)."""
    from ..record.people import PersonRef, find_person

    person = find_person(store.record().people(), text)
    store.claim(PersonRef(person.name, person.date_of_birth))
    if not store.exists():
        raise UserError(f"there is no unfinished questionnaire for {person.label} to resume")


class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP: handled like Ctrl-C (the draft is saved), exit 128 + the signal's number."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.exit_code = 128 + signum


STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)
LOST_TERMINAL = (errno.EIO, errno.ENXIO, errno.EBADF, errno.ENOTTY)


def _stop(signum: int, frame) -> None:
    for number in STOP_SIGNALS:  # a second signal must not interrupt saving the draft
        signal.signal(number, signal.SIG_IGN)
    raise Stopped(signum)


@contextmanager
def _signals_stop():
    previous = {number: signal.signal(number, _stop) for number in STOP_SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
class _RecordVisit:
    """Keeps the finished visit in the record, and deletes its draft in the same transaction (``drafts``);
    ``trend`` gives its person's pain scores for the summary. SQLite is imported only once the result is final."""

    def __init__(self, drafts: DraftStore | None = None):
        self.drafts = drafts

    def bound(self, drafts: DraftStore) -> _RecordVisit:
        return _RecordVisit(drafts)

    def __call__(self, *details):
        from .checkin import record_visit

        return record_visit(*details, drafts=self.drafts)

    def trend(self, record_id: str):
        from .checkin import visit_trend

        return visit_trend(record_id)

    def patients(self):
        """The nurse's choice of patients (read after the nurse's name, never before the first screen)."""
        from .checkin import visit_patients

        return visit_patients()


_record_visit = _RecordVisit()


def start(rules: Path | None, prompter: Prompter, store: DraftStore, nurse: bool = False, resume: bool = False,
          resume_hint: str = "triage resume", clock: Callable[[], datetime] = datetime.now, recorder=None) -> int:
    """Load the rules and run the questionnaire; a new one's first screen is up while they load.

    In patient mode the draft is "me"'s, held from here on; in nurse mode the patient's, once chosen."""
    if not resume and not nurse:
        store.claim(_me())
    screen = None if resume or (not nurse and store.exists()) else FirstScreen.saved(rules_dir(rules), nurse)
    if screen is None:
        ruleset = _load_rules(rules)
    else:
        try:
            ruleset, prompter = screen.show_while(prompter, lambda: _load_rules(rules))
        except (KeyboardInterrupt, EOFError) as stop:
            return _stopped(prompter, None, store, resume_hint, stop)
    from ..assessment.assess import Assessor

    return run_with(ruleset, Assessor(ruleset, lazy=True), prompter, store, nurse=nurse, resume=resume,
                    resume_hint=resume_hint, clock=clock, recorder=recorder)


def _me():
    from ..record.people import PersonRef

    return PersonRef()


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
    rules = f" --rules {shlex.quote(str(args.rules))}" if getattr(args, "rules", None) else ""
    return f"{command_name()}{rules} resume" + (" --plain" if plain else "")


def command_name() -> str:
    """This program as the person can type it in their shell, for messages that say what to run next.

    ``triage`` when their shell finds this same script under that name (an activated virtualenv, a
    ``pip install --user``); else the script's full path (``uv sync`` leaves it in ``.venv/bin``, not
    on PATH), or this Python's full path and ``-m triage``. Under ``uv run`` the PATH seen here is not
    the shell's (uv put ``.venv/bin`` first and sets ``UV``), so there it is always the full path.
    """
    import shutil

    script = os.path.abspath(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    if not os.path.isfile(script) or os.path.basename(script) == "__main__.py":
        return f"{shlex.quote(sys.executable)} -m triage"
    found = None if "UV" in os.environ else shutil.which("triage")
    if found and os.path.samefile(found, script):
        return "triage"
    return shlex.quote(script)


def run_with(ruleset, assessor, prompter: Prompter, store: DraftStore, nurse: bool = False, resume: bool = False,
             resume_hint: str = "triage resume", clock: Callable[[], datetime] = datetime.now, recorder=None) -> int:
    """Open (or continue) a session and run it; Ctrl-C or end of input saves a draft and exits 130.

    ``recorder`` keeps the final result in the record (``checkin.record_visit``); None keeps nothing."""
    from .session import Session

    def new_session(nurse_mode: bool) -> Session:
        session = Session(ruleset, assessor, prompter, store, nurse=nurse_mode, clock=clock)
        session.recorder = recorder.bound(store) if isinstance(recorder, _RecordVisit) else recorder
        if nurse_mode:
            session.patient_chosen = lambda: _patient_draft(session, store, prompter)
        return session

    session = None
    try:
        session = _open(new_session, prompter, store, nurse, resume, ruleset)
        return 0 if session is None else session.run()
    except (KeyboardInterrupt, EOFError) as stop:
        return _stopped(prompter, session, store, resume_hint, stop)
    except OSError as error:
        if error.errno not in LOST_TERMINAL:
            _keep_quietly(session)
            raise
        return _stopped(prompter, session, store, resume_hint, error)  # the terminal is gone
    except Exception:  # reported (fail safe) by the command line; what was typed is kept first
        _keep_quietly(session)
        raise
    finally:
        store.close()  # the questionnaire is over: its draft (if any) can be continued now


def _keep_quietly(session: Session | None) -> None:
    try:
        if session is not None:
            session.save_draft()
    except Exception:  # noqa: BLE001 - the original error is the one to report
        pass


def _stopped(prompter: Prompter, session: Session | None, store: DraftStore, resume_hint: str,
             stop: BaseException | None = None) -> int:
    """Ctrl-C is never an answer: keep what was typed and say how to continue.

    Saving comes first: after SIGHUP or a lost terminal, the message may have nowhere to go."""
    code = getattr(stop, "exit_code", EXIT_INTERRUPTED)
    try:
        path = session.save_draft() if session is not None else None
    except TriageError as error:  # the data folder or the record cannot be used: show the answers, so none is lost
        _tell(prompter, f"\nStopped. Could not save your answers so far: {error}\n{session.unsaved_text()}")
        return error.exit_code
    if store.recorded_as is not None:
        _tell(prompter, f"\nStopped. The result is kept in the record on this computer as {store.recorded_as}; "
                        f"`{command_name()} show {store.recorded_as} --summary FILE` saves its summary.")
    elif path is None and (store.kept or (store.claimed and store.exists())):
        _tell(prompter, "\nStopped. The unfinished questionnaire is still saved. To continue it, run:\n"
                        f"{command_line(_with_person(resume_hint, store))}")
    elif path is None and session is not None and session.nurse and not session.visit.intro_done and session.visit.nurse:
        _tell(prompter, "\nStopped. No patient had been entered yet, so nothing was saved (a draft is kept per patient).")
    elif path is None:
        _tell(prompter, "\nStopped. Nothing had been answered, so nothing was saved.")
    else:
        _tell(prompter, f"\nStopped. Your answers so far are saved on this computer ({path}).\n"
                        f"To continue where you left off, run:\n{command_line(_with_person(resume_hint, store, session))}")
    return code


def _with_person(resume_hint: str, store: DraftStore, session: Session | None = None) -> str:
    """The resume command, naming the patient when it is not "me" (``resume --person``)."""
    person = session_person(session) if session is not None else store.loaded_person()
    return resume_hint if person == ME else f"{resume_hint} --person {shlex.quote(person)}"


def session_person(session: Session) -> str:
    ref = person_ref(session.visit)
    if not (ref.name or ref.date_of_birth):
        return ME
    return f"{ref.name or ''}, {ref.date_of_birth}" if ref.date_of_birth else ref.name

def _tell(prompter: Prompter, text: str) -> None:
    """Show a closing message if the terminal is still there (after SIGHUP it may not be)."""
    try:
        prompter.show(text)
    except (OSError, ValueError):  # EIO on a vanished terminal, or a closed stream
        pass


def _open(new_session, prompter: Prompter, store: DraftStore, nurse: bool, resume: bool, ruleset) -> Session | None:
    """A new session, or one continued from the saved draft (asking first when it is not asked for).

    Patient mode continues "me"'s draft; nurse mode offers the patient's once they are chosen
    (``_patient_draft``); ``resume`` continues the newest draft no running triage holds (or the
    ``--person`` named). Input that is not a terminal is never asked what it did not ask for: without
    ``resume`` the saved draft is kept, untouched, and reported, and the new questionnaire saves no draft."""
    store.check_directory()
    if not resume and nurse:
        return new_session(nurse)
    if not resume and not store.holds(_me()):
        store.claim(_me())
    draft = _load(store, prompter, resume, ruleset)
    if resume and draft is None:
        raise UserError(f"there is no unfinished questionnaire to resume (drafts are kept in {store.path})")
    if draft is not None and not resume and not getattr(prompter, "interactive", True):
        _report_kept(prompter, store, draft)
        return new_session(nurse)
    offered = draft is not None and not resume
    if offered:
        options = (("resume", "Continue where I left off"), ("new", "Start a new questionnaire (the unfinished one is deleted)"))
        message = f"You have an unfinished questionnaire, {draft.describe()}."
        resume = prompter.ask(Ask("choice", message, options=options, default="resume")) == "resume"
    if draft is None or not resume:
        if draft is not None:
            store.delete()
        return new_session(nurse)
    return _continue(new_session(nurse or draft.nurse_mode), prompter, store, draft, newest=not offered)


def _report_kept(prompter: Prompter, store: DraftStore, draft: Draft) -> None:
    """Piped input: the draft is kept as it is and said so; this run saves and deletes none."""
    person = store.loaded_person()
    again = f"{command_name()} resume --plain" + ("" if person == ME else f" --person {shlex.quote(person)}")
    prompter.show(f"An unfinished questionnaire ({draft.describe()}) is saved in {store.path}. It is kept as it "
                  "is: this run starts a new questionnaire and saves no draft. To continue the saved one, run:\n"
                  f"{command_line(again)}")
    store.keep()  # not continued here: another run may take it


def _patient_draft(session: Session, store: DraftStore, prompter: Prompter) -> None:
    """Nurse mode, once the patient is known: hold their draft (``DraftInUse`` if it is open in another
    triage) and, at a terminal, offer to continue it; piped input keeps it and says so."""
    ref = person_ref(session.visit)
    if store.holds(ref):  # this session's own draft is already this patient's
        store.claim(ref)
        return
    store.claim(ref)
    try:
        draft = store.load()
        _notices(store, prompter)
        if draft is not None and not draft.matches(session.ruleset):
            raise store.set_aside(f"it was made with rules version {draft.ruleset_version}, and the rules have changed "
                                  "since, so its answers cannot be reused safely", damaged=False)
        problem = draft.problem(session.ruleset) if draft is not None else None
        if problem is not None:
            raise store.set_aside(problem)
    except DraftError as error:
        prompter.show(f"{error}. Starting a new questionnaire.")
        return
    if draft is None:
        return
    if not getattr(prompter, "interactive", True):
        _report_kept(prompter, store, draft)
        return
    options = (("resume", "Continue it where it was left off"),
               ("new", "Start a new questionnaire (the unfinished one is deleted)"))
    choice = prompter.ask(Ask("choice", f"This patient has an unfinished questionnaire, {draft.describe()}.", options=options,
                              default="resume"))
    if choice != "resume":
        store.delete()
        return
    now = session.visit
    session.restore(draft)  # the answers, notes and start time; who is answering and the nurse are as entered now
    entered = {"nurse": now.nurse, "respondent": now.respondent, "patient_name": now.patient_name,
               "date_of_birth": now.date_of_birth, "intro_done": True}
    session.visit = session.visit.model_copy(update=entered)
    count = len(session.flow.history)
    prompter.show(f"Continuing the questionnaire ({count} answer{'' if count == 1 else 's'} so far).")


def _notices(store: DraftStore, prompter: Prompter) -> None:
    for notice in store.notices:
        prompter.show(notice)
    store.notices.clear()


def _load(store: DraftStore, prompter: Prompter, resume: bool, ruleset) -> Draft | None:
    """The saved draft, checked against the rules before anything in it is shown or used.

    A damaged one is set aside by the store; it stops ``resume`` (one line), or a new one starts.
    A data folder that cannot be used always stops (``store.check_directory``)."""
    store.check_directory()
    try:
        store.exists()  # opens the record if there is one: draft files of the file-based version are moved in
        damaged = [notice for notice in store.notices if "damaged" in notice]
        if resume and damaged and not store.exists():  # what `resume` was asked for is the damaged file
            raise DraftError(damaged[0])
        _notices(store, prompter)
        draft = store.load()
        problem = draft.problem(ruleset) if draft is not None and draft.matches(ruleset) else None
        if problem is not None:
            raise store.set_aside(problem)
        return draft
    except DraftError as error:
        if resume:
            raise
        prompter.show(f"{error}. Starting a new questionnaire.")
        return None


def _continue(session: Session, prompter: Prompter, store: DraftStore, draft: Draft, newest: bool = True) -> Session | None:
    """Continue ``draft`` (``newest``: the one ``resume`` picked, so the others are mentioned)."""
    if draft.matches(session.ruleset):
        session.restore(draft)
        count = len(session.flow.answers)
        prompter.show(f"Continuing your questionnaire ({count} answer{'' if count == 1 else 's'} so far).")
        others = store.others() if newest else 0
        if others:
            prompter.show(f"({others} other unfinished questionnaire{'s are' if others > 1 else ' is'} saved: "
                          "the newest is continued first; `triage history` lists them, `resume --person NAME` continues one.)")
        return session
    if not getattr(prompter, "interactive", True):
        raise UserError(f"{_mismatch(session.ruleset, draft)} The unfinished questionnaire was kept (in {store.path}).")
    prompter.show(_mismatch(session.ruleset, draft))
    if not prompter.ask(Ask("confirm", "Start a new questionnaire? (the unfinished one is deleted)", default=True)):
        prompter.show(f"The unfinished questionnaire was kept (in {store.path}).")
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
