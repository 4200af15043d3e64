"""A draft: an unfinished questionnaire, saved on Ctrl-C or end of input, continued by ``triage resume``.

A draft remembers the ruleset version and hash it was made with: answers given to other rules are
never reused silently. Before anything in it is shown or used, it is checked by the same strict
models as an answers file (``problem``): a string is not a list, "70" is not 70, null is not an
answer. Where drafts are kept is ``store``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from ..assessment.answers import AGE_QUESTION, age_conflict, answers_model, describe_error
from ..ruleset.load import Ruleset
from .visit import Visit


class Draft(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)  # built on first use

    schema_version: Literal[1] = 1
    saved_at: datetime
    ruleset_version: str
    ruleset_hash: str
    nurse_mode: bool = False
    visit: Visit = Visit()
    flow: dict[str, Any] = {}

    def matches(self, ruleset: Ruleset) -> bool:
        return self.ruleset_version == ruleset.version and self.ruleset_hash == ruleset.digest

    def describe(self) -> str:
        """'saved 23 Nov 2026 at 19:40 (patient: Ann Example)'."""
        from ..text_safety import visible

        who = self.visit.patient_name
        return f"saved {self.saved_at:%d %b %Y at %H:%M}" + (f" (patient: {visible(who)})" if who else "")

    def problem(self, ruleset: Ruleset) -> str | None:
        """Why this draft cannot be continued with ``ruleset`` (one line), or None."""
        try:
            state = FlowState.model_validate(self.flow)
        except ValidationError as error:
            return describe_problem(error)
        model = answers_model(ruleset)
        for name, values in (("answers", state.answers), ("remembered", state.remembered)):
            empty = next((qid for qid, value in values.items() if value is None), None)
            if empty is not None:
                return f"{name}.{empty!s:.40}: null is not an answer"
            try:
                model.model_validate(values)
            except ValidationError as error:
                return f"{name}.{describe_error(error)}"
        known = ruleset.question_by_id
        groups = ruleset.group_by_id
        listed = [("history", state.history), ("pending", [state.pending] if state.pending else [])]
        for name, ids in listed:
            unknown = next((qid for qid in ids if qid not in known and qid not in groups), None)
            if unknown is not None:
                return f"{name}: {unknown!r:.40} is not a question or group id"
        unknown = next((qid for qid in state.declined if qid not in known), None)
        if unknown is not None:
            return f"declined: {unknown!r:.40} is not a question id"
        for name, ids in (("groups", state.groups), ("groups_remembered", state.groups_remembered), ("filled", state.filled)):
            unknown = next((gid for gid in ids if gid not in groups), None)
            if unknown is not None:
                return f"{name}: {unknown!r:.40} is not a group id"
        for gid, members in state.filled.items():
            stray = next((m for m in members if m not in groups[gid].members or m not in state.answers), None)
            if stray is not None:
                return f"filled.{gid}: {stray!r:.40} is not an answered member of the group"
        required = next((qid for qid in state.declined if known[qid].required), None)
        if required is not None:
            return f"declined: {required} must be answered"
        for key in self.visit.notes:
            if key != "general" and key not in known:
                return f"notes: {key!r:.40} is not a question id (or 'general')"
        return age_conflict(self.visit.date_of_birth, state.answers.get(AGE_QUESTION))


class FlowState(BaseModel):
    """What ``Flow.state`` writes; the answers are checked against the rules by ``Draft.problem``."""

    model_config = ConfigDict(extra="forbid", strict=True, defer_build=True)

    answers: dict[str, Any] = {}
    history: list[str] = []
    declined: list[str] = []
    remembered: dict[str, Any] = {}
    pending: str | None = None
    quick: bool = False
    urgent_offered: bool = False
    groups: dict[str, Literal["yes", "no", "not_sure"]] = {}
    filled: dict[str, list[str]] = {}
    groups_remembered: dict[str, Literal["yes", "no", "not_sure"]] = {}
    previewed: bool = False


def describe_problem(error: ValidationError) -> str:
    """One line for a draft that does not fit the draft model."""
    return describe_error(error)
