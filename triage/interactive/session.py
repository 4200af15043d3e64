"""One questionnaire from the first question to the saved summary, on any front end.

The session opens with what this is (not a diagnosis, the emergency numbers, about how long),
asks what the ``Flow`` says is next, stops at once when the answers reach ``emergency``, offers a
person at a terminal to skip the everyday questions at ``urgent`` (an explicit choice, never asked
of piped input), shows a review before the result, lets a nurse override the disposition (raising
freely, lowering one level with a reason and a confirmation), and offers to save. The result always comes from the real
``Assessor`` on an ``AnswersFile`` (the same path as ``triage assess``). Ctrl-C and end of input are
not handled here: they propagate to the caller, which saves a draft (``draft``).
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

from ..assessment.answers import (
    AGE_QUESTION,
    MIN_REASON_LETTERS,
    MIN_REASON_WORDS,
    AnswersFile,
    Override,
    StoppedEarly,
    age_conflict,
    age_on,
    lowering_reason_problem,
)
from ..assessment.assess import Assessor, lowest_override
from ..assessment.outcome import Assessment
from ..errors import OutputError, TriageError
from ..ruleset.load import Ruleset
from ..ruleset.model import LEVEL_ORDER, Level, Question, QuestionGroup
from .asks import BACK, NOTE, Ask, answer_text, check_date_of_birth, check_name, check_optional_name, check_reason, check_text, question_ask
from .draft import Draft
from .flow import Flow
from .grouping import ask_group
from .saving import EXTENSION_OF, FORMAT_CHOICES, answers_path_for, check_folder, complete_answers, default_folder, free_path, write_answers
from .screens import details_text, emergency_text, lead_text, opening_text, preview_text, recap, review_label, section_heading, urgent_text
from .store import DraftStore
from .visit import Visit

DONE, MORE = "__done__", "__more__"
LEVEL_STYLE = {Level.emergency: "bold fg:ansired", Level.urgent: "bold fg:ansiyellow"}


class Prompter(Protocol):
    def show(self, text: str, style: str = "") -> None: ...

    def ask(self, spec: Ask) -> Any: ...


PICK_PATIENTS = 15  # the patients seen most recently, offered to the nurse


class Session:
    def __init__(self, ruleset: Ruleset, assessor: Assessor, prompter: Prompter, store: DraftStore,
                 nurse: bool = False, clock: Callable[[], datetime] = datetime.now):
        self.ruleset, self.assessor, self.prompter, self.store = ruleset, assessor, prompter, store
        self.nurse = nurse
        self.clock = clock
        self.flow = Flow(ruleset, assessor)
        self.visit = Visit()
        self._section: str | None = None
        self.ended: datetime | None = None
        self.recorder: Callable[[AnswersFile, Assessment, datetime, datetime], str] | None = None  # ``checkin.record_visit``
        self.pain_trend: tuple = ()  # the person's recorded pain scores, for the saved summary (``recorder.trend``)
        self.patient_chosen: Callable[[], None] | None = None  # nurse mode: the patient's own draft (``interactive``)

    @property
    def interactive(self) -> bool:
        """A person at a terminal (not piped input): only then may the session ask what was not asked for."""
        return getattr(self.prompter, "interactive", True)

    # --- drafts -------------------------------------------------------------------------------------

    def restore(self, draft: Draft) -> None:
        self.visit = draft.visit
        self.flow.restore(draft.flow)

    def draft(self) -> Draft:
        return Draft(saved_at=self.clock().astimezone(), ruleset_version=self.ruleset.version,
                     ruleset_hash=self.ruleset.digest, nurse_mode=self.nurse, visit=self.visit, flow=self.flow.state())

    def save_draft(self) -> Path | None:
        """Save what was typed so far; None when nothing was typed (nothing to lose)."""
        if not (self.flow.history or self.flow.remembered or self.visit.typed_anything()):
            return None
        return self.store.save(self.draft())

    def unsaved_text(self) -> str:
        """Everything typed so far, for the screen when the draft cannot be saved (nothing is lost)."""
        from ..text_safety import visible

        v = self.visit
        lines = ["Your answers so far (not saved: please write them down):"]
        typed = [("Nurse", v.nurse), ("Patient", v.patient_name), ("Date of birth", v.date_of_birth and v.date_of_birth.isoformat())]
        lines += [f"  {label}: {visible(value)}" for label, value in typed if value]
        lines += [f"  {q.wording(self.nurse)} {visible(answer_text(q, value, self.nurse))}" for q, value in self.flow.answered()]
        lines += [f"  Note ({key}): {visible(text)}" for key, text in v.notes.items()]
        return "\n".join(lines)

    # --- the whole run ------------------------------------------------------------------------------

    def run(self) -> int:
        if not self.flow.history and not self.visit.intro_done:
            self.prompter.show(opening_text(self.ruleset, self.nurse))
        self.visit.started = self.visit.started or self.clock().astimezone()
        if self.nurse and not self.visit.intro_done:
            self._intro()
        while True:
            stop = self._questions()
            if stop is not None:
                if self._emergency_stop(stop):
                    continue
                break
            if self._review():
                self._result()
                break
        self.store.delete()
        return 0

    def _intro(self) -> None:
        v = self.visit
        v.nurse = self._ask(Ask("text", "Your name (the nurse):", default=v.nurse or "", check=check_name))
        picked = self._pick_patient()  # after the nurse's name: the record is not read before the first screen
        v.respondent = self._ask(Ask("choice", "Who is answering the questions?", default=v.respondent,
                                     options=(("patient", "The patient"), ("someone_else", "Someone on the patient's behalf"))))
        if not picked:
            v.patient_name = self._ask(Ask("text", "Patient's name:", default=v.patient_name or "", required=False,
                                           check=check_optional_name))
            born = self._ask(Ask("text", "Patient's date of birth (YYYY-MM-DD):", required=False,
                                 default=v.date_of_birth.isoformat() if v.date_of_birth else "", check=check_date_of_birth))
            v.date_of_birth = date.fromisoformat(born.strip()) if born else None
        v.intro_done = True
        if self.patient_chosen is not None:
            self.patient_chosen()

    def _pick_patient(self) -> bool:
        """The patients already in the record, or a new one; True when one was picked (name and date
        of birth filled). Piped input is never offered a choice it did not ask for: there, a new patient."""
        patients_of = getattr(self.recorder, "patients", None)
        if patients_of is None:
            return False
        try:
            patients = patients_of()
        except TriageError as error:
            self.prompter.show(f"The record on this computer cannot be read ({error}), so the patient is entered as new.")
            return False
        if not patients:
            return False
        count = f"{len(patients)} patient{'s' if len(patients) != 1 else ''}"
        if not self.interactive:
            self.prompter.show(f"Piped input: the {count} in the record on this computer are not offered. The name and "
                               "date of birth read next are a new patient (kept with an earlier record only if both match it exactly).")
            return False
        shown = patients[:PICK_PATIENTS]
        options = tuple((str(number), label) for number, (_, _, label) in enumerate(shown)) + (("new", "A new patient"),)
        v = self.visit
        current = [str(n) for n, (name, born, _) in enumerate(shown)
                   if (name, born) == (v.patient_name, v.date_of_birth.isoformat() if v.date_of_birth else None)]
        more = f" (the {PICK_PATIENTS} seen most recently of {count}; anyone else: a new patient, with the same name and date of birth)" \
            if len(patients) > PICK_PATIENTS else ""
        choice = self._ask(Ask("choice", f"Which patient? Patients in the record on this computer{more}:", options=options,
                               default=current[0] if current else "new"))
        if choice == "new":
            return False
        name, born, label = shown[int(choice)]
        v.patient_name, v.date_of_birth = name, date.fromisoformat(born) if born else None
        self.prompter.show(f"Patient: {label}.")
        return True

    def _ask(self, spec: Ask) -> Any:
        return self.prompter.ask(spec)

    # --- questions ----------------------------------------------------------------------------------

    def _questions(self) -> Assessment | None:
        """Ask until every question that applies is answered; the assessment if it reaches emergency."""
        while True:
            # Before the first answer nothing can fire (every test needs its answer, and 'all' and
            # 'any' are never empty), so the engine is first needed after the first answer.
            if self.flow.answers:
                assessment = self.flow.assessment()
                if assessment.disposition is Level.emergency:
                    return assessment
                self._check_urgent(assessment)
                self._preview(assessment)
            question = self.flow.next_question()
            if question is None:
                return None
            self._ask_question(question)
            self._autosave()

    def _autosave(self) -> None:
        """Keep the draft after every answer (one transaction), so a crash, a power cut or ``kill -9``
        loses nothing typed. If it cannot be written, say so once and go on: stopping tries again, and
        shows every answer on the screen if that fails too."""
        try:
            self.save_draft()
        except TriageError as error:
            if not self._autosave_failed:
                self._autosave_failed = True
                self.prompter.show(f"Your answers cannot be saved as you go ({error}); they are saved again when you "
                                   "stop, or shown on the screen if that fails too.")

    _autosave_failed = False

    def _ask_question(self, question: Question | QuestionGroup) -> None:
        if isinstance(question, QuestionGroup):
            self._ask_group(question)
            return
        self._heading(question)
        can_go_back = bool(self.flow.history) or self.flow.editing
        spec = question_ask(question, self.nurse, self._default(question), back=can_go_back)
        result = self._ask(spec)
        if result is BACK:
            self.flow.back()
        elif result is NOTE:
            self._note(question.id, f"Note on: {question.wording(self.nurse)}")
        elif question.id == AGE_QUESTION and (conflict := age_conflict(self.visit.date_of_birth, result, self._today(), now=True)):
            self.prompter.show(f"That does not fit: {conflict}. Please check the age (or the date of birth).")
        else:
            self.flow.answer(question.id, result)

    def _default(self, question: Question) -> Any:
        """The earlier answer; for the age, when none, the age the date of birth gives today (Enter takes it)."""
        default = self.flow.default_for(question)
        if default is None and question.id == AGE_QUESTION and self.visit.date_of_birth:
            default = age_on(self.visit.date_of_birth, self._today())
        return default

    def _ask_group(self, group: QuestionGroup) -> None:
        """One screen for the group's warning signs that apply (``grouping``); back from it, or from
        its tick-boxes, returns to the question before, or to the group's screen."""
        self._heading(group)
        default = self.flow.default_for(group)
        answer = ask_group(self._ask, self.prompter.show, group, self.flow.due_members(group), self.nurse,
                           self._short_labels(), default=default, back=bool(self.flow.history),
                           emergency=self.flow.emergency_with)
        if answer is BACK:
            self.flow.back()
        else:
            self.flow.take_group_answer(group.id, answer)

    def _heading(self, question: Question | QuestionGroup) -> None:
        if question.section != self._section:
            self._section = question.section
            self.prompter.show(section_heading(self.ruleset.section_title(question.section, clinical=self.nurse)), "bold")

    def _note(self, key: str, prompt: str) -> None:
        text = self._ask(Ask("text", prompt, default=self.visit.notes.get(key, ""), required=False, check=check_text))
        if text:
            self.visit.notes[key] = text
        else:
            self.visit.notes.pop(key, None)

    def _check_urgent(self, assessment: Assessment) -> None:
        """Say at once when the answers reach urgent, and offer to skip the everyday questions."""
        if assessment.disposition.rank < Level.urgent.rank:
            self.flow.reconsider_quick(assessment.disposition)
            return
        if self.flow.urgent_offered:
            return
        self.flow.urgent_offered = True
        self.prompter.show(urgent_text(assessment, self.nurse), LEVEL_STYLE[Level.urgent])
        optional = self.flow.optional_remaining()
        if not optional or not self.interactive:  # piped input answers the questions it was written for
            return
        topics = ", ".join(dict.fromkeys(self.ruleset.section_title(q.section, self.nurse).lower() for q in optional))
        count = f"{len(optional)} everyday question{'s' if len(optional) != 1 else ''}"
        why = (f"{count.capitalize()} are left ({topics}). They help the self-care advice but do not change "
               "how soon to get care. The warning-sign questions left are always asked.")
        options = (("all", f"Answer the {count} too"), ("skip", "Skip them, to reach the result sooner"))
        if self._ask(Ask("choice", "Finish quickly?", options=options, hint=why)) == "skip":
            self._quick_at = self.flow.last_question_id()
            self.flow.finish_quickly()

    def _preview(self, assessment: Assessment) -> None:
        """Once, when only everyday questions are left: the result so far (urgent was said already)."""
        if self.flow.previewed or not self.flow.everyday_next():
            return
        self.flow.previewed = True
        if assessment.disposition.rank >= Level.urgent.rank:
            return
        left = self.flow.optional_remaining()
        topics = ", ".join(dict.fromkeys(self.ruleset.section_title(q.section, self.nurse).lower() for q in left))
        self.prompter.show(preview_text(assessment, self.nurse, len(left), topics), "bold")

    def _emergency_stop(self, assessment: Assessment) -> bool:
        """Show what to do now; True if the person takes back the last answer instead."""
        self.prompter.show(emergency_text(assessment, self.nurse, self._nurse_wording()), LEVEL_STYLE[Level.emergency])
        options = (("save", "Save a summary (to show the emergency services or a provider)"),
                   ("back", "The last answer was entered by mistake: change it" if self.nurse
                    else "I chose the last answer by mistake: change it"),
                   ("done", "Finish"))
        choice = self._ask(Ask("choice", "What next?", options=options, default="save"))
        if choice == "back":
            self.flow.back()
            return True
        self._record(self._answers_file(), assessment)
        if choice == "save":
            stop = StoppedEarly(at=self.flow.last_question_id(), reason="emergency")
            self._save(self._answers_file(stopped_early=stop), assessment, ask_first=False)
        return False

    # --- review and result -----------------------------------------------------------------------

    def _review(self) -> bool:
        """The review list; True to see the result, False after choosing an answer to change."""
        options = [(DONE, "All correct: show the result")]
        skipped = len(self.flow.optional_remaining()) if self.flow.quick else 0
        if skipped:
            options.append((MORE, f"Answer the {skipped} everyday question{'s' if skipped != 1 else ''} skipped to save time"))
        short = self._short_labels()
        options += [(q.id, review_label(q, value, self.nurse, self.visit.notes.get(q.id), short=short.get(q.id)))
                    for q, value in self.flow.answered()]
        choice = self._ask(Ask("choice", "Check the answers. Choose one to change it:", options=tuple(options), default=DONE, back=True))
        if choice is BACK:
            self.flow.back()
        elif choice == MORE:
            self.flow.quick = False
        elif choice != DONE:
            self.flow.edit(choice)
        return choice == DONE

    def _short_labels(self) -> dict[str, str]:
        """The questions' short names (``rules/summary.yaml``), read once: the review list uses them."""
        if self._short is None:
            from ..report.content import load_summary_content

            self._short = load_summary_content(self.ruleset).short_labels
        return self._short

    _short: dict[str, str] | None = None

    def _answers_file(self, override: Override | None = None, stopped_early: StoppedEarly | None = None) -> AnswersFile:
        if stopped_early is None and self.flow.quick and self.flow.optional_remaining():
            stopped_early = StoppedEarly(at=self.quick_at, reason="finished_quickly")
        return self.visit.answers_file(self.ruleset.version, self.flow.answers, override,
                                       ended=self.ended or self.clock().astimezone(), stopped_early=stopped_early)

    @property
    def quick_at(self) -> str | None:
        """The last question answered before the everyday ones were skipped."""
        return self._quick_at or self.flow.last_question_id()

    _quick_at: str | None = None

    def _result(self) -> None:
        self.ended = self.clock().astimezone()
        assessment = self.assessor.assess(self._answers_file())
        self._show_result(assessment)
        override = None
        if self.nurse:
            override = self._override(assessment)
            self._note("general", "General note about this call (optional):")
        answers = self._answers_file(override)
        final = self.assessor.assess(answers)
        if final.override is not None:
            self._show_result(final)
        self._record(answers, final)
        self._save(answers, final)

    def _record(self, answers: AnswersFile, assessment: Assessment) -> None:
        """Keep the final result in the record on this computer (a failure is said, and the result stands)."""
        if self.recorder is None:
            return
        try:
            record_id = self.recorder(answers, assessment, self.visit.started or self.clock().astimezone(), self.ended or self.clock().astimezone())
        except TriageError as error:
            self.prompter.show(f"Could not keep this in the record on this computer: {error}")
            return
        self.prompter.show(f"Kept in the record on this computer as {record_id} (`triage history` lists it).")
        trend_of = getattr(self.recorder, "trend", None)
        try:
            self.pain_trend = tuple(trend_of(record_id)) if trend_of else ()
        except TriageError:  # the summary is still saved, without the trend
            self.pain_trend = ()

    def _show_result(self, assessment: Assessment) -> None:
        """The disposition and what to do first; the rest (advice, exercises, details) after it.

        At a terminal the rest is shown when asked for, so the lead is not scrolled away; piped
        input is never asked what it did not ask for, so there everything is shown."""
        style = LEVEL_STYLE.get(assessment.disposition, "bold")
        first, _, rest = lead_text(assessment, self.nurse).partition("\n")
        self.prompter.show("")
        self.prompter.show(first, style)
        self.prompter.show(rest)
        if self.flow.quick:
            self.prompter.show("(Some everyday questions were skipped to save time.)")
        details = details_text(assessment, self.nurse, self._nurse_wording())
        if self.interactive:
            options = (("show", "Show the details (" + _details_list(assessment, self.nurse) + ")"),
                       ("skip", "Go on without them" + (" (they are in the saved summary too)")))
            if self._ask(Ask("choice", "Show the details?", options=options)) == "skip":
                return
        self.prompter.show("")
        self.prompter.show(details)
        self.prompter.show("")
        self.prompter.show(recap(assessment, self.nurse), style)

    def _override(self, assessment: Assessment) -> Override | None:
        """The nurse may raise the disposition freely; lowering it is one level at most, never an
        emergency finding, and needs a reason in words and a confirmation naming both levels."""
        engine = assessment.engine_disposition
        lowest = lowest_override(engine, assessment.findings)
        options = [("keep", f"Keep: {self._level_name(engine)}")]
        for level in reversed(LEVEL_ORDER):
            if level.rank > engine.rank:
                options.append((level.value, f"Raise to {self._level_name(level)}"))
            elif lowest.rank <= level.rank < engine.rank:
                options.append((level.value, f"Lower to {self._level_name(level)} (a reason is needed)"))
        if lowest is engine and engine is not Level.self_care:
            self.prompter.show(_why_not_lower(assessment))
        choice = self._ask(Ask("choice", "Do you agree with this disposition?", options=tuple(options), default="keep"))
        if choice == "keep":
            return None
        level = Level(choice)
        if level.rank > engine.rank:
            reason = self._ask(Ask("text", "Reason for raising it (optional):", required=False, check=lambda text: _any_reason(text) or check_text(text)))
            return Override(level=level, reason=reason or "")
        reason = self._ask(Ask("text", "Reason for lowering it (required, in words):", check=lambda text: check_reason(text) or _lowering_reason(text)))
        confirm = (("lower", f"Yes: lower it from {self._level_name(engine)} to {self._level_name(level)}"),
                   ("keep", f"No: keep {self._level_name(engine)}"))
        if self._ask(Ask("choice", "Lower the disposition?", options=confirm)) != "lower":
            return None
        return Override(level=level, reason=reason)

    def _nurse_wording(self) -> dict[str, str]:
        return {q.id: q.ask_nurse for q in self.ruleset.questions}

    def _level_name(self, level: Level) -> str:
        return f"{self.ruleset.scale.levels[level].label} ({level.value})"

    # --- saving -----------------------------------------------------------------------------------

    def _save(self, answers: AnswersFile, assessment: Assessment, ask_first: bool = True) -> None:
        if ask_first and not self._ask(Ask("confirm", "Save a summary to a file?", default=True)):
            return
        if ask_first:  # not after an emergency stop: nothing may slow down getting help
            answers = self._name_on_summary(answers)
        formats = self._ask(Ask("multi", "Which formats? (one file each)", options=tuple((f, label) for f, _, label in FORMAT_CHOICES),
                                default=["text"]))
        while True:
            folder = Path(self._ask(Ask("text", "Save in which folder?", default=str(default_folder()), check=check_folder)).strip()).expanduser()
            written = self._write_summaries(answers, assessment, folder.resolve(), formats)
            if written or not self._ask(Ask("confirm", "Try another folder?", default=True)):
                break
        if written:
            self._save_answers(answers, written[0])

    def _write_summaries(self, answers: AnswersFile, assessment: Assessment, folder: Path, formats) -> list[Path]:
        from ..report.save import save_summary  # the exporters load only when saving

        stem = f"neck-triage-summary-{self.clock():%Y%m%d-%H%M}"
        written: list[Path] = []
        for fmt in formats:
            if fmt == "pdf":
                self.prompter.show("Making the PDF (this can take a few seconds)...")
            try:
                path = save_summary(self.ruleset, answers, assessment, free_path(folder, stem, EXTENSION_OF[fmt]), fmt=fmt,
                                    pain_trend=self.pain_trend)
            except OutputError as error:
                self.prompter.show(f"Could not save the {fmt} summary: {error}")
                continue
            written.append(path)
            self.prompter.show(f"Saved the summary: {path.resolve()}")
        return written

    def _name_on_summary(self, answers: AnswersFile) -> AnswersFile:
        """Patient mode: an optional name and date of birth for the summary (the nurse's intro asks already)."""
        if self.nurse or self.visit.intro_done:
            return answers
        v = self.visit
        v.patient_name = self._ask(Ask("text", "Name to put on the summary (optional):", default=v.patient_name or "",
                                       required=False, check=check_optional_name)) or None
        born = self._ask(Ask("text", "Date of birth (YYYY-MM-DD, optional):", required=False,
                             default=v.date_of_birth.isoformat() if v.date_of_birth else "", check=self._born_matches_age))
        v.date_of_birth = date.fromisoformat(born.strip()) if born else None
        v.intro_done = True
        patient = self.visit.answers_file(answers.ruleset_version or "", {}).patient
        return answers.model_copy(update={"patient": patient})

    def _today(self) -> date:
        return self.clock().date()

    def _born_matches_age(self, text: str) -> str | None:
        """A date of birth typed after the age was answered: a real date, and one the age allows."""
        problem = check_date_of_birth(text)
        if problem or not text.strip():
            return problem
        conflict = age_conflict(date.fromisoformat(text.strip()), self.flow.answers.get(AGE_QUESTION), self._today(), now=True)
        return f"{conflict[0].upper()}{conflict[1:]}: please check it." if conflict else None

    def _save_answers(self, answers: AnswersFile, summary_path: Path) -> None:
        if not complete_answers(self.ruleset, answers):
            self.prompter.show("Not all questions were asked, so no answers file was saved (the summary lists every answer).")
            return
        try:
            path = write_answers(answers, answers_path_for(summary_path))
        except OutputError as error:
            self.prompter.show(f"Could not save the answers file: {error}")
            return
        from . import command_name

        assess = f"{command_name()} assess {shlex.quote(path.name)}"
        self.prompter.show(f"Saved the answers: {path.resolve()} (`{assess}` gives the same result).")


def _any_reason(text: str) -> str | None:
    if text.strip() and not any(c.isalpha() for c in text):
        return "Please write the reason in words, or leave it empty."
    return None


def _lowering_reason(text: str) -> str | None:
    problem = lowering_reason_problem(text)
    # shown on one line under the answer: short enough for 60 columns
    return f"A reason in words, please ({MIN_REASON_WORDS}+ words, {MIN_REASON_LETTERS}+ letters)." if problem else None


def _why_not_lower(assessment: Assessment) -> str:
    emergency = [f.title for f in assessment.findings if f.level is Level.emergency]
    if emergency:
        return f"This disposition cannot be lowered: an emergency finding ({'; '.join(emergency)}) cannot be ruled out remotely."
    return "This disposition cannot be lowered: a finding needs a provider."


def _details_list(assessment: Assessment, nurse: bool) -> str:
    parts = []
    if assessment.findings and not nurse:
        parts.append("why")
    if assessment.advice:
        parts.append("self-care")
    if assessment.exercises:
        parts.append("exercises")
    if nurse:
        parts.append("clinical details")
    return ", ".join(parts) or "the rules' version"
