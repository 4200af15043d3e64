"""Pydantic models of the clinical content in ``rules/``.

Every rule file is validated against these models at load time (``extra="forbid"``), so a typo in
a key, a missing source or an unknown level is an error that names the file and the rule id.
Cross-references (conditions naming question ids and choice codes) are checked by ``loader``.
"""

from __future__ import annotations

from enum import Enum
from functools import cached_property
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from .base import Id, Strict, Text
from .conditions import Condition, compile_condition  # also used from here
from .vocabulary import LEVEL_ORDER, NO, NOT_SURE, YES, YES_NO_UNSURE_CODES, Level, QuestionType  # also used from here

# --- sources ---------------------------------------------------------------------------------


class Evidence(str, Enum):
    found = "F"  # read in the source
    secondary = "F2"  # seen in a copy of the source
    inference = "I"  # inference: needs clinical review, used cautiously


class Source(Strict):
    """A source shown to clinicians: a named source with a link (F, F2), or a marked inference (I)."""

    ref: Text = Field(description="Section of the clinical brief, e.g. 'facts.md §6.1'")
    tag: Evidence
    title: str | None = Field(default=None, min_length=1, description="The source's name, e.g. 'Mayo Clinic: Neck pain'")
    url: str | None = Field(default=None, pattern=r"^https?://\S+$")

    @model_validator(mode="after")
    def _read_sources_are_named_and_linked(self):
        if self.tag is not Evidence.inference and (not self.title or not self.url):
            raise ValueError("a source tagged F or F2 needs a title (the source's name) and a url")
        return self


class Sourced(Strict):
    """Anything that carries clinical content: it must cite at least one source."""

    sources: tuple[Source, ...] = Field(min_length=1)
    caution: str | None = Field(
        default=None,
        description="Required when any source is tagged [I]: why the inference is used and how cautiously.",
    )

    @model_validator(mode="after")
    def _inference_needs_caution(self):
        if any(s.tag is Evidence.inference for s in self.sources) and not self.caution:
            raise ValueError("a source tagged I (inference) needs a 'caution' saying how it is used")
        return self


# --- questions -------------------------------------------------------------------------------


class Choice(Strict):
    code: Id
    label: Text
    label_nurse: str | None = None


class AskWhenReason(Strict):
    """Why a red-flag question is not asked of everyone (issue 13: a red flag is asked of everyone
    its source applies to). Exactly one of:

    - ``refines``: the question refines the same symptom asked just before (e.g. "which side" after
      "numbness: yes"); its ``ask_when`` may only test those questions for a positive answer;
    - ``population``: a limit the source itself states (e.g. an age threshold), with that source;
      its ``ask_when`` may only test the questions about the person (age, sex).
    """

    refines: tuple[Id, ...] | None = Field(default=None, min_length=1)
    population: str | None = Field(default=None, min_length=1)
    sources: tuple["Source", ...] = ()

    @model_validator(mode="after")
    def _one_reason(self):
        if (self.refines is None) == (self.population is None):
            raise ValueError("ask_when_reason needs exactly one of 'refines' or 'population'")
        if self.population is not None:
            if not self.sources:
                raise ValueError("a population limit needs the source that states it")
            if any(s.tag is Evidence.inference for s in self.sources):
                raise ValueError("a population limit must be stated by a source (tag F or F2), not an inference")
        return self


class Question(Strict):
    id: Id
    type: QuestionType
    section: Id
    ask: Text = Field(description="Wording for the person: 'Do you ...?'")
    ask_nurse: Text = Field(description="Wording for a nurse: 'Does the patient ...?'")
    help: str | None = None
    help_nurse: str | None = Field(default=None, description="The help text for a nurse, where ``help`` speaks to the person")
    red_flag: bool = Field(
        default=False,
        description="A red-flag screening question: 'no' is a pertinent negative, 'not sure' an unknown.",
    )
    choices: tuple[Choice, ...] | None = None
    min: int | None = None
    max: int | None = None
    unit: str | None = None
    anchors: dict[int, str] | None = None
    ask_when: Condition | None = None
    ask_when_reason: AskWhenReason | None = None
    required: bool = True

    @model_validator(mode="after")
    def _shape_fits_type(self):
        kind = self.type
        if kind in (QuestionType.single, QuestionType.multi):
            if not self.choices or len(self.choices) < 2:
                raise ValueError(f"a {kind.value} question needs at least two choices")
            codes = [c.code for c in self.choices]
            if len(set(codes)) != len(codes):
                raise ValueError("choice codes must be unique")
        elif self.choices:
            raise ValueError(f"a {kind.value} question takes no choices")
        if kind is QuestionType.integer and (self.min is None or self.max is None or self.min > self.max):
            raise ValueError("an integer question needs min <= max")
        if kind is not QuestionType.integer and (self.min is not None or self.max is not None):
            raise ValueError(f"a {kind.value} question takes no min/max")
        if kind is not QuestionType.pain and self.anchors:
            raise ValueError("only a pain question takes anchors")
        if self.help_nurse and not self.help:
            raise ValueError("help_nurse is the nurse's wording of help: give help too")
        return self

    @property
    def codes(self) -> tuple[str, ...]:
        """The valid answer codes of a choice question."""
        if self.type is QuestionType.yes_no_unsure:
            return YES_NO_UNSURE_CODES
        return tuple(c.code for c in self.choices or ())

    @property
    def bounds(self) -> tuple[int, int] | None:
        if self.type is QuestionType.pain:
            return (0, 10)
        if self.type is QuestionType.integer:
            return (self.min, self.max)  # type: ignore[return-value]
        return None

    @cached_property  # which questions apply is checked for every question of every case
    def asked_when(self):
        """``ask_when`` as a plain function of the answers (True when the question is asked)."""
        return compile_condition(self.ask_when)

    def wording(self, nurse: bool = False) -> str:
        return self.ask_nurse if nurse else self.ask

    def help_text(self, nurse: bool = False) -> str | None:
        return (self.help_nurse or self.help) if nurse else self.help

    def choice_label(self, code: str, nurse: bool = False) -> str:
        if self.type is QuestionType.yes_no_unsure:
            return {YES: "Yes", NO: "No", NOT_SURE: "Not sure"}[code]
        for choice in self.choices or ():
            if choice.code == code:
                return (choice.label_nurse if nurse and choice.label_nurse else choice.label)
        return code


class QuestionGroup(Strict):
    """Red-flag questions asked on one screen, NHS 111 style: "Do any of these apply?" with the
    questions listed, answered "Yes, one or more" / "No, none of these" / "Not sure".

    "No, none of these" answers every listed member "no"; "yes" and "not sure" open each member one
    by one. The group answer itself is not a clinical answer (it is never in an answers file). The
    loader checks that the members are yes/no/not sure red-flag questions of the group's section
    whose ``ask_when`` reads no other member (no follow-ups of each other).
    """

    id: Id
    section: Id
    ask: Text = Field(description="Wording for the person, e.g. 'Do any of these apply to you?'")
    ask_nurse: Text = Field(description="Wording for a nurse")
    help: str | None = None
    help_nurse: str | None = None
    members: tuple[Id, ...] = Field(min_length=2, description="Question ids, listed in asking order")

    @field_validator("members")
    @classmethod
    def _members_unique(cls, members: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(members)) != len(members):
            raise ValueError("a group lists each member once")
        return members

    def wording(self, nurse: bool = False) -> str:
        return self.ask_nurse if nurse else self.ask


class QuestionsFile(Strict):
    sections: dict[Id, Text] = Field(min_length=1, description="Section id -> heading, in asking order")
    sections_clinical: dict[Id, Text] = Field(default={}, description="Section id -> heading for a clinician (nurse "
                                              "mode, summaries) where the person's heading speaks to them")
    questions: tuple[Question, ...] = Field(min_length=1)
    groups: tuple[QuestionGroup, ...] = Field(default=(), description="Red-flag questions screened together")


# --- findings (red flags and time thresholds) ---------------------------------------------------


class Finding(Sourced):
    id: Id
    title: Text = Field(description="Short name shown in lists")
    level: Level
    when: Condition
    message: Text = Field(description="What it means for the person, in plain words")
    rationale: Text = Field(description="Why, for a clinician: one or two plain sentences, shown in every summary")
    review_note: str | None = Field(
        default=None,
        min_length=1,
        description="For the rules' reviewers only (facts.md sections, rule mechanics): shown by `triage rules docs`, "
        "never in a summary or on a screen",
    )
    combinable: bool = Field(
        default=False,
        description="Counts toward the scale's 'two or more findings raise the level' rule",
    )
    unsure: bool = Field(
        default=False, description="Fires on a 'not sure' answer (reported as an unknown to clarify)"
    )
    risk_group: Id | None = Field(
        default=None,
        description="Findings that can come from one exposure (e.g. steroid tablets and weak bones) share a "
        "group and count once towards a combination: a combination joins independent factors",
    )


class FindingsFile(Strict):
    findings: tuple[Finding, ...] = Field(min_length=1)


# --- advice ----------------------------------------------------------------------------------


class SelfCare(Sourced):
    id: Id
    title: Text
    text: Text
    when: Condition | None = None


class Exercise(Sourced):
    id: Id
    name: Text
    position: Text
    steps: tuple[Text, ...] = Field(min_length=1)
    hold: Text
    repetitions: Text
    cautions: tuple[Text, ...] = ()
    when: Condition | None = None


class StopRules(Sourced):
    intro: Text
    items: tuple[Text, ...] = Field(min_length=1)
    intro_nurse: Text | None = Field(default=None, description="The intro as a nurse is told it (nurse mode)")


class ExercisesFile(Strict):
    general: tuple[Text, ...] = Field(min_length=1, description="How to do every exercise")
    stop_rules: StopRules
    exercises: tuple[Exercise, ...] = Field(min_length=1)


class SelfCareFile(Strict):
    self_care: tuple[SelfCare, ...] = Field(min_length=1)


class Factor(Sourced):
    id: Id
    label: Text
    explanation: Text
    when: Condition


PreventionTopic = Literal["work_breaks", "workstation", "sleep", "stress", "phone", "bags", "general"]


class Tip(Sourced):
    id: Id
    topic: PreventionTopic
    title: Text
    text: Text
    when: Condition | None = None


class PreventionFile(Strict):
    factors: tuple[Factor, ...] = Field(min_length=1)
    tips: tuple[Tip, ...] = Field(min_length=1)


# --- the scale and ruleset metadata ---------------------------------------------------------------


class LevelText(Strict):
    label: Text = Field(description="The disposition in plain words")
    timeframe: Text
    action: Text = Field(description="What to do now")
    if_worse: Text = Field(description="What to do if things get worse")
    action_nurse: Text | None = Field(default=None, description="What to do now, as a nurse is told it (nurse mode)")
    if_worse_nurse: Text | None = Field(default=None, description="What to do if things get worse, for a nurse")

    def for_reader(self, nurse: bool) -> tuple[str, str]:
        """(action, if_worse) in the person's or the nurse's words."""
        if not nurse:
            return self.action, self.if_worse
        return self.action_nurse or self.action, self.if_worse_nurse or self.if_worse


class Combination(Sourced):
    """Two or more combinable findings at one of ``levels`` raise the disposition one level."""

    levels: tuple[Level, ...] = Field(min_length=1)
    min_findings: int = Field(ge=2)
    explanation: Text


class Offer(Strict):
    """The least urgent disposition at which each kind of advice is still shown."""

    self_care: Level
    exercises: Level
    prevention: Level

    @field_validator("exercises")
    @classmethod
    def _exercises_never_above_appointment(cls, level: Level) -> Level:
        if level.rank > Level.appointment.rank:
            raise ValueError("exercises may only be offered at 'appointment' or 'self_care' (scale rules)")
        return level


class ExerciseGate(Sourced):
    """Exercises are never offered when this condition holds (e.g. recent trauma with nerve symptoms)."""

    never_when: Condition
    reason: Text


class ScaleFile(Strict):
    version: Annotated[str, Field(pattern=r"^\d{4}\.\d{2}\.\d+$")]
    title: Text
    levels: dict[Level, LevelText]
    combination: Combination
    offer: Offer
    exercise_gate: ExerciseGate
    safety_net: StopRules
    disclaimer: Text
    failure_message: Text = Field(description="Shown when anything fails: contact a provider")

    @field_validator("levels")
    @classmethod
    def _every_level_described(cls, levels):
        missing = [lvl.value for lvl in LEVEL_ORDER if lvl not in levels]
        if missing:
            raise ValueError(f"levels missing: {', '.join(missing)}")
        return levels
