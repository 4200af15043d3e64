"""The printable summary: one model built from an assessment, rendered to every export format.

``build_summary`` turns the answers and the assessment into a ``Summary`` that holds everything a
clinician or the patient reads, already in plain words; every exporter (text, Markdown, HTML, PDF,
FHIR) is a pure function of that model, so the formats cannot disagree. ``save_summary`` picks the
format from the file name (or ``fmt``) and writes the file atomically with mode 0600.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from ..assessment.answers import AnswersFile, unasked
from ..assessment.outcome import Assessment
from ..ruleset.load import Ruleset
from ..ruleset.model import NO, NOT_SURE, YES, Level, Question, QuestionType
from .content import load_summary_content
from .wrapping import unit_for

TIME_UNITS = frozenset({"hours", "days", "weeks", "months", "years ago"})
NONE = "none"  # the "none of these" code of a checklist


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceLine(_Model):
    ref: str
    url: str | None = None


class Disposition(_Model):
    level: Level
    label: str
    timeframe: str
    action: str
    if_worse: str


class FindingLine(_Model):
    id: str
    title: str
    level: Level
    level_label: str
    message: str
    rationale: str
    sources: tuple[SourceLine, ...]
    caution: str | None = None
    unsure: bool = False


class AnsweredQuestion(_Model):
    """One answered question: wording and display text for people, raw value for FHIR."""

    id: str
    section: str
    type: QuestionType
    question: str
    answer: str
    value: int | str | tuple[str, ...]
    labels: tuple[str, ...] = ()  # display label of each chosen code, in the order of ``value``
    unit: str | None = None
    red_flag: bool = False
    short: str = ""  # a short name for the answers table (rules/summary.yaml), else the wording
    section_title: str = ""
    codes: tuple[str, ...] = ()  # every code a choice question offers


class StopLine(_Model):
    """The questionnaire stopped before every question that applies was asked."""

    reason: Literal["emergency", "finished_quickly", "unknown"]
    at: str | None = None  # short name of the last question answered, when recorded
    not_asked: tuple[str, ...] = ()  # short names, in the questionnaire's order


class AdviceLine(_Model):
    title: str
    text: str


class ExerciseLine(_Model):
    name: str
    position: str
    steps: tuple[str, ...]
    hold: str
    repetitions: str
    cautions: tuple[str, ...] = ()


class NoteLine(_Model):
    about: str  # the question's wording, or "General"
    question_id: str | None
    text: str


class OverrideLine(_Model):
    engine_level: Level
    engine_label: str
    final_level: Level
    final_label: str
    direction: str
    reason: str
    by: str | None = None


class PainPoint(_Model):
    """One recorded pain score (0-10) and when it was given: a point of the trend."""

    at: AwareDatetime
    score: int = Field(ge=0, le=10)


class Summary(_Model):
    """Everything the printed summary and the FHIR export say, in reading order."""

    title: str
    created: AwareDatetime  # when this summary was made (exported)
    started: AwareDatetime | None = None  # when the questions began, if recorded
    ended: AwareDatetime | None = None  # when the last answer was given, if recorded
    stopped_early: StopLine | None = None
    patient_name: str | None = None
    date_of_birth: date | None = None
    age_years: int | None = None
    respondent: Literal["patient", "someone_else"]
    answered_by: str
    nurse: str | None = None
    disposition: Disposition
    raised_by_combination: str | None = None
    override: OverrideLine | None = None
    findings: tuple[FindingLine, ...]
    present: tuple[AnsweredQuestion, ...]
    not_sure: tuple[AnsweredQuestion, ...]
    negatives: tuple[AnsweredQuestion, ...]
    pain: tuple[AnsweredQuestion, ...]
    timeline: tuple[AnsweredQuestion, ...]
    other_answers: tuple[AnsweredQuestion, ...]
    self_care: tuple[AdviceLine, ...]
    exercise_general: tuple[str, ...] = ()
    exercises: tuple[ExerciseLine, ...] = ()
    stop_rules_intro: str | None = None
    stop_rules: tuple[str, ...] = ()
    exercises_withheld: str | None = None
    factors: tuple[AdviceLine, ...]
    prevention: tuple[AdviceLine, ...]
    provider_questions: tuple[str, ...]
    notes: tuple[NoteLine, ...]
    safety_net_intro: str
    safety_net: tuple[str, ...]
    disclaimer: str
    ruleset_version: str
    ruleset_hash: str
    answers: tuple[AnsweredQuestion, ...] = Field(description="Every answer in asking order (for FHIR)")
    # the person's recorded pain scores up to this one, oldest first; filled by the caller from the record
    pain_trend: tuple[PainPoint, ...] = ()

    @property
    def trend_series(self) -> list[tuple[datetime, int]]:
        """``pain_trend`` as (moment, score) pairs, for ``chart``."""
        return [(point.at, point.score) for point in self.pain_trend]

    @property
    def has_trend(self) -> bool:
        """A course to draw: at least two scores."""
        return len(self.pain_trend) >= 2

    @property
    def created_text(self) -> str:
        """'2026-03-05 14:30 (UTC+01:00)': a fixed, locale-free form for print."""
        return time_text(self.created)

    @property
    def answered_text(self) -> str:
        """When the answers were given, from the answers file; says so plainly when not recorded."""
        start, end = self.started, self.ended
        if start and end:
            if start.date() == end.date() and start.utcoffset() == end.utcoffset():
                return f"{start:%Y-%m-%d %H:%M} to {end:%H:%M}{time_text(end)[16:]}"
            return f"{time_text(start)} to {time_text(end)}"
        if end:
            return f"finished {time_text(end)}"
        if start:
            return f"started {time_text(start)}"
        return "time not recorded"

    @property
    def record_date(self) -> str:
        """The date for the running header: when answered, else when exported."""
        when = self.ended or self.started or self.created
        return f"{when:%Y-%m-%d}"

    @property
    def is_nurse_mode(self) -> bool:
        return self.nurse is not None


def time_text(when: datetime) -> str:
    offset = when.strftime("%z")
    return f"{when:%Y-%m-%d %H:%M} (UTC{offset[:3]}:{offset[3:]})"


# --- building ----------------------------------------------------------------------------------


def build_summary(
    ruleset: Ruleset, answers_file: AnswersFile, assessment: Assessment, created: datetime | None = None,
    pain_trend: Iterable[tuple[datetime, int]] = (),
) -> Summary:
    """The one summary model for ``assessment``; ``created`` defaults to now, in local time.

    ``pain_trend``: the person's recorded (moment, score) pairs, oldest first (the record computes them)."""
    created = _aware(created)
    content = load_summary_content(ruleset)
    third_person = answers_file.nurse is not None or answers_file.respondent == "someone_else"
    short = content.short_labels
    answered = tuple(_answered_questions(ruleset, answers_file.answers, third_person, short))
    patient = answers_file.patient
    dob = patient.date_of_birth if patient else None
    return Summary(
        title=ruleset.scale.title,
        created=created,
        started=answers_file.started,
        ended=answers_file.ended,
        stopped_early=_stopped_early(ruleset, answers_file, short, third_person),
        patient_name=_clean(patient.name) if patient else None,
        date_of_birth=dob,
        age_years=_age(dob, created.date()) if dob else None,
        respondent=answers_file.respondent,
        answered_by=content.answered_by[answers_file.respondent],
        nurse=answers_file.nurse.name if answers_file.nurse else None,
        disposition=_disposition(ruleset, assessment.disposition),
        raised_by_combination=assessment.raised_by_combination,
        override=_override(ruleset, assessment),
        findings=tuple(_finding_line(ruleset, f) for f in assessment.findings),
        **_symptoms(answered),
        **_groups(answered),
        **_advice(assessment),
        provider_questions=content.questions_for(assessment),
        notes=tuple(_notes(ruleset, answers_file.notes, third_person)),
        safety_net_intro=assessment.safety_net.intro,
        safety_net=assessment.safety_net.items,
        disclaimer=assessment.disclaimer,
        ruleset_version=assessment.ruleset.version,
        ruleset_hash=assessment.ruleset.hash,
        answers=answered,
        pain_trend=tuple(PainPoint(at=at, score=score) for at, score in pain_trend),
    )


def _aware(created: datetime | None) -> datetime:
    if created is None:
        return datetime.now().astimezone()
    if created.tzinfo is None:
        raise ValueError("created must be timezone-aware")
    return created


def _clean(name: str | None) -> str | None:
    name = " ".join((name or "").split())
    return name or None


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _disposition(ruleset: Ruleset, level: Level) -> Disposition:
    text = ruleset.scale.levels[level]
    return Disposition(level=level, **text.model_dump(include={"label", "timeframe", "action", "if_worse"}))


def _override(ruleset: Ruleset, assessment: Assessment) -> OverrideLine | None:
    override = assessment.override
    if override is None:
        return None
    return OverrideLine(
        engine_level=override.engine_level,
        engine_label=ruleset.scale.levels[override.engine_level].label,
        final_level=override.final_level,
        final_label=ruleset.scale.levels[override.final_level].label,
        direction=override.direction,
        reason=override.reason,
        by=override.by,
    )


def _finding_line(ruleset: Ruleset, finding) -> FindingLine:
    return FindingLine(
        id=finding.id,
        title=finding.title,
        level=finding.level,
        level_label=ruleset.scale.levels[finding.level].label,
        message=finding.message,
        rationale=finding.rationale,
        sources=tuple(SourceLine(ref=s.title or s.ref, url=s.url) for s in finding.sources if s.url),  # named, linked sources only
        caution=finding.caution,
        unsure=finding.unsure,
    )


def _stopped_early(ruleset: Ruleset, answers_file: AnswersFile, short: Mapping[str, str], third_person: bool) -> StopLine | None:
    """Which questions that apply were never asked, computed from the rules and the answers.

    The interactive session records where it stopped and why (``stopped_early``); an answers file
    without that record but with questions missing still gets the list, with the reason unknown.
    """
    missing = unasked(ruleset, dict(answers_file.answers))
    if not missing:
        return None
    record = answers_file.stopped_early
    at = ruleset.question_by_id.get(record.at) if record and record.at else None
    return StopLine(
        reason=record.reason if record else "unknown",
        at=_short(at, short, third_person) if at else None,
        not_asked=tuple(_short(q, short, third_person) for q in missing),
    )


def _short(question: Question, short: Mapping[str, str], third_person: bool = True) -> str:
    return short.get(question.id) or question.wording(third_person)


def _answered_questions(ruleset: Ruleset, answers: Mapping[str, Any], third_person: bool,
                        short: Mapping[str, str] | None = None) -> Iterable[AnsweredQuestion]:
    for question in ruleset.questions:
        if question.id in answers:
            answered = _answered(question, answers[question.id], third_person, _short(question, short or {}))
            yield answered.model_copy(update={"section_title": ruleset.section_title(question.section, clinical=True)})


def _answered(question: Question, value: Any, third_person: bool, short: str = "") -> AnsweredQuestion:
    labels: tuple[str, ...] = ()
    if question.type is QuestionType.multi:
        value = tuple(value)
        labels = tuple(question.choice_label(code, third_person) for code in value)
        display = ", ".join(labels) or "None selected"
    elif question.codes:
        labels = (question.choice_label(value, third_person),)
        display = labels[0]
    else:
        display = _number_text(question, value) if question.bounds else str(value)
    return AnsweredQuestion(
        id=question.id,
        section=question.section,
        type=question.type,
        question=question.wording(third_person),
        answer=display,
        value=value,
        labels=labels,
        unit=question.unit,
        red_flag=question.red_flag,
        short=short or question.wording(True),
        codes=tuple(question.codes) if question.codes else (),
    )


def _number_text(question: Question, value: int) -> str:
    if question.type is QuestionType.pain:
        anchor = (question.anchors or {}).get(value)
        return f"{value}/10" + (f" ({anchor})" if anchor else "")
    return f"{value} {unit_for(value, question.unit)}" if question.unit else str(value)


def _symptoms(answered: tuple[AnsweredQuestion, ...]) -> dict[str, tuple[AnsweredQuestion, ...]]:
    """Present, not sure, and pertinent negatives (red-flag questions answered no or 'none')."""
    return {
        "present": tuple(p for p in (_present(a) for a in answered) if p),
        "not_sure": tuple(a for a in answered if a.value == NOT_SURE or (isinstance(a.value, tuple) and NOT_SURE in a.value)),
        "negatives": tuple(a for a in answered if a.red_flag and (a.value == NO or a.value == (NONE,))),
    }


def _present(answer: AnsweredQuestion) -> AnsweredQuestion | None:
    """A 'yes', or the chosen items of a red-flag checklist (without 'none' and 'not sure')."""
    if answer.type is QuestionType.yes_no_unsure:
        return answer if answer.value == YES else None
    if not (answer.red_flag and answer.type is QuestionType.multi):
        return None
    chosen = [(code, label) for code, label in zip(answer.value, answer.labels) if code not in (NONE, NOT_SURE)]
    if not chosen:
        return None
    labels = tuple(label for _, label in chosen)
    return answer.model_copy(update={"value": tuple(c for c, _ in chosen), "labels": labels, "answer": ", ".join(labels)})


def _groups(answered: tuple[AnsweredQuestion, ...]) -> dict[str, tuple[AnsweredQuestion, ...]]:
    """Pain scores, onset and duration, and the answers not shown anywhere else."""
    pain = tuple(a for a in answered if a.type is QuestionType.pain)
    timeline = tuple(a for a in answered if is_timeline(a))
    shown = {a.id for a in (*pain, *timeline)}
    other = tuple(a for a in answered if a.id not in shown and not _is_symptom(a))
    return {"pain": pain, "timeline": timeline, "other_answers": other}


def _is_symptom(answer: AnsweredQuestion) -> bool:
    """Shown under Symptoms: yes/no questions, red-flag checklists, and any 'not sure'."""
    if answer.type is QuestionType.yes_no_unsure or (answer.red_flag and answer.type is QuestionType.multi):
        return True
    return answer.value == NOT_SURE


def is_timeline(answer: AnsweredQuestion) -> bool:
    """Onset and duration questions: a time unit, or a name that says so (e.g. ``onset``)."""
    if answer.unit and answer.unit.lower() in TIME_UNITS:
        return True
    words = set(answer.id.split("_")) | set(answer.section.split("_"))
    return bool(words & {"onset", "duration", "started", "start", "since", "course", "timeline"})


def _advice(assessment: Assessment) -> dict[str, Any]:
    stop = assessment.stop_rules
    return {
        "self_care": tuple(AdviceLine(title=a.title, text=a.text) for a in assessment.advice),
        "exercise_general": assessment.exercise_general,
        "exercises": tuple(ExerciseLine(**e.model_dump(include=set(ExerciseLine.model_fields))) for e in assessment.exercises),
        "stop_rules_intro": stop.intro if stop else None,
        "stop_rules": stop.items if stop else (),
        "exercises_withheld": assessment.exercises_withheld,
        "factors": tuple(AdviceLine(title=f.label, text=f.explanation) for f in assessment.factors),
        "prevention": tuple(AdviceLine(title=t.title, text=t.text) for t in assessment.prevention),
    }


def _notes(ruleset: Ruleset, notes: Mapping[str, str], third_person: bool) -> Iterable[NoteLine]:
    for key, text in notes.items():
        if not text.strip():
            continue
        question = ruleset.question_by_id.get(key)
        about = question.wording(third_person) if question else "General"
        yield NoteLine(about=about, question_id=question.id if question else None, text=text.strip())
