"""One questionnaire from the first question to the saved summary, on any front end.

The session asks what the ``Flow`` says is next, stops at once when the answers reach
``emergency``, offers to finish quickly at ``urgent``, shows a review before the result, lets a
nurse override the disposition, and offers to save. The result always comes from the real
``Assessor`` on an ``AnswersFile`` (the same path as ``triage assess``). Ctrl-C and end of input are
not handled here: they propagate to the caller, which saves a draft (``draft``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

from ..assessment.answers import AnswersFile, Override
from ..assessment.assess import Assessor
from ..assessment.outcome import Assessment
from ..errors import OutputError, TriageError
from ..ruleset.load import Ruleset
from ..ruleset.model import LEVEL_ORDER, Level, Question
from .asks import BACK, NOTE, Ask, check_date_of_birth, check_not_empty, question_ask
from .draft import Draft
from .flow import Flow
from .saving import FORMATS_HINT, answers_path_for, check_summary_path, complete_answers, default_summary_name, write_answers
from .screens import emergency_text, recap, result_text, review_label, section_heading, urgent_text
from .store import DraftStore
from .visit import Visit

DONE, MORE = "__done__", "__more__"
LEVEL_STYLE = {Level.emergency: "bold fg:ansired", Level.urgent: "bold fg:ansiyellow"}


class Prompter(Protocol):
    def show(self, text: str, style: str = "") -> None: ...

    def ask(self, spec: Ask) -> Any: ...


class Session:
    def __init__(self, ruleset: Ruleset, assessor: Assessor, prompter: Prompter, store: DraftStore,
                 nurse: bool = False, clock: Callable[[], datetime] = datetime.now):
        self.ruleset, self.assessor, self.prompter, self.store = ruleset, assessor, prompter, store
        self.nurse = nurse
        self.clock = clock
        self.flow = Flow(ruleset, assessor)
        self.visit = Visit()
        self._section: str | None = None
        self.started_at = clock().astimezone()
        self.recorder: Callable[[AnswersFile, Assessment, datetime, datetime], str] | None = None  # ``checkin.record_visit``

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

    # --- the whole run ------------------------------------------------------------------------------

    def run(self) -> int:
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
        v.nurse = self._ask(Ask("text", "Your name (the nurse):", default=v.nurse or "", check=check_not_empty))
        v.respondent = self._ask(Ask("choice", "Who is answering the questions?", default=v.respondent,
                                     options=(("patient", "The patient"), ("someone_else", "Someone on the patient's behalf"))))
        v.patient_name = self._ask(Ask("text", "Patient's name:", default=v.patient_name or "", required=False))
        born = self._ask(Ask("text", "Patient's date of birth (YYYY-MM-DD):", required=False,
                             default=v.date_of_birth.isoformat() if v.date_of_birth else "", check=check_date_of_birth))
        v.date_of_birth = date.fromisoformat(born.strip()) if born else None
        v.intro_done = True

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
            question = self.flow.next_question()
            if question is None:
                return None
            self._ask_question(question)

    def _ask_question(self, question: Question) -> None:
        self._heading(question)
        can_go_back = bool(self.flow.history) or self.flow.editing
        spec = question_ask(question, self.nurse, self.flow.default_for(question), back=can_go_back)
        result = self._ask(spec)
        if result is BACK:
            self.flow.back()
        elif result is NOTE:
            self._note(question.id, f"Note on: {question.wording(self.nurse)}")
        else:
            self.flow.answer(question.id, result)

    def _heading(self, question: Question) -> None:
        if question.section != self._section:
            self._section = question.section
            self.prompter.show(section_heading(self.ruleset.sections[question.section]), "bold")

    def _note(self, key: str, prompt: str) -> None:
        text = self._ask(Ask("text", prompt, default=self.visit.notes.get(key, ""), required=False))
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
        self.prompter.show(urgent_text(assessment), LEVEL_STYLE[Level.urgent])
        optional = self.flow.optional_remaining()
        if not optional:
            return
        topics = ", ".join(dict.fromkeys(self.ruleset.sections[q.section].lower() for q in optional))
        count = f"{len(optional)} everyday question{'s' if len(optional) != 1 else ''}"
        offer = f"Finish quickly? The remaining warning-sign questions are still asked; {count} ({topics}) would be skipped."
        if self._ask(Ask("confirm", offer, default=True)):
            self.flow.finish_quickly()

    def _emergency_stop(self, assessment: Assessment) -> bool:
        """Show what to do now; True if the person takes back the last answer instead."""
        self.prompter.show(emergency_text(assessment, self.nurse), LEVEL_STYLE[Level.emergency])
        options = (("save", "Save a summary (to show the emergency services or a provider)"),
                   ("back", "I chose the last answer by mistake: change it"),
                   ("done", "Finish"))
        choice = self._ask(Ask("choice", "What next?", options=options, default="save"))
        if choice == "back":
            self.flow.back()
            return True
        self._record(self._answers_file(), assessment)
        if choice == "save":
            self._save(self._answers_file(), assessment, ask_first=False)
        return False

    # --- review and result -----------------------------------------------------------------------

    def _review(self) -> bool:
        """The review list; True to see the result, False after choosing an answer to change."""
        options = [(DONE, "All correct: show the result")]
        skipped = len(self.flow.optional_remaining()) if self.flow.quick else 0
        if skipped:
            options.append((MORE, f"Answer the {skipped} everyday question{'s' if skipped != 1 else ''} skipped to save time"))
        options += [(q.id, review_label(q, value, self.nurse, self.visit.notes.get(q.id))) for q, value in self.flow.answered()]
        choice = self._ask(Ask("choice", "Check the answers. Choose one to change it:", options=tuple(options), default=DONE, back=True))
        if choice is BACK:
            self.flow.back()
        elif choice == MORE:
            self.flow.quick = False
        elif choice != DONE:
            self.flow.edit(choice)
        return choice == DONE

    def _answers_file(self, override: Override | None = None) -> AnswersFile:
        return self.visit.answers_file(self.ruleset.version, self.flow.answers, override)

    def _result(self) -> None:
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
            record_id = self.recorder(answers, assessment, self.started_at, self.clock().astimezone())
        except TriageError as error:
            self.prompter.show(f"Could not keep this in the record on this computer: {error}")
            return
        self.prompter.show(f"Kept in the record on this computer as {record_id} (`triage history` lists it).")

    def _show_result(self, assessment: Assessment) -> None:
        first, _, rest = result_text(assessment, self.nurse).partition("\n")
        self.prompter.show("")
        self.prompter.show(first, LEVEL_STYLE.get(assessment.disposition, "bold"))
        self.prompter.show(rest)
        if self.flow.quick:
            self.prompter.show("(Some everyday questions were skipped to save time.)")
        self.prompter.show("")
        self.prompter.show(recap(assessment), LEVEL_STYLE.get(assessment.disposition, "bold"))

    def _override(self, assessment: Assessment) -> Override | None:
        """The nurse may raise the disposition freely; lowering it needs a written reason."""
        engine = assessment.engine_disposition
        options = [("keep", f"Keep: {self._level_name(engine)}")]
        for level in reversed(LEVEL_ORDER):
            if level is engine or (level is Level.self_care and assessment.findings):
                continue
            raising = level.rank > engine.rank
            label = f"Raise to {self._level_name(level)}" if raising else f"Lower to {self._level_name(level)}, with a written reason"
            options.append((level.value, label))
        choice = self._ask(Ask("choice", "Do you agree with this disposition?", options=tuple(options), default="keep"))
        if choice == "keep":
            return None
        level = Level(choice)
        lowering = level.rank < engine.rank
        prompt = "Reason for lowering it (required):" if lowering else "Reason for raising it (optional):"
        reason = self._ask(Ask("text", prompt, required=lowering, check=check_not_empty if lowering else None))
        return Override(level=level, reason=reason or "")

    def _level_name(self, level: Level) -> str:
        return f"{self.ruleset.scale.levels[level].label} ({level.value})"

    # --- saving -----------------------------------------------------------------------------------

    def _save(self, answers: AnswersFile, assessment: Assessment, ask_first: bool = True) -> None:
        if ask_first and not self._ask(Ask("confirm", "Save a summary to a file?", default=True)):
            return
        while True:
            path, replace = self._summary_path()
            if path.suffix.lower() == ".pdf":
                self.prompter.show("Making the PDF (this can take a few seconds)...")
            try:
                from ..report.save import save_summary  # the exporters load only when saving

                written = save_summary(self.ruleset, answers, assessment, path, force=replace)
            except OutputError as error:
                self.prompter.show(f"Could not save the summary: {error}")
                if self._ask(Ask("confirm", "Try another file name?", default=True)):
                    continue
                return
            self.prompter.show(f"Saved the summary to {written.resolve()}")
            self._save_answers(answers, written)
            return

    def _summary_path(self) -> tuple[Path, bool]:
        name = default_summary_name(self.clock())
        while True:
            text = self._ask(Ask("text", f"File name ({FORMATS_HINT}):", default=name, check=check_summary_path))
            path = Path(text).expanduser()
            if not path.exists():
                return path, False
            if self._ask(Ask("confirm", f"{path.name} already exists. Replace it?", default=False)):
                return path, True

    def _save_answers(self, answers: AnswersFile, summary_path: Path) -> None:
        if not complete_answers(self.ruleset, answers):
            self.prompter.show("Not all questions were asked, so no answers file was saved (the summary lists every answer).")
            return
        try:
            path = write_answers(answers, answers_path_for(summary_path))
        except OutputError as error:
            self.prompter.show(f"Could not save the answers file: {error}")
            return
        self.prompter.show(f"Saved the answers to {path.resolve()} (`triage assess {path.name}` gives the same result).")
