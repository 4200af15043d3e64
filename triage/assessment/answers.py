"""Answers files: read, validate strictly against the questionnaire, explain errors in one line.

An answers file is YAML or JSON::

    schema_version: 1
    answers: {age: 42, chest_pain: no, pain_now: 6, ...}   # question id -> answer
    patient: {name: "...", date_of_birth: 1980-04-02}       # optional
    respondent: patient | someone_else                      # who answered (optional)
    nurse: {name: "..."}                                    # optional, nurse mode
    notes: {question_id or "general": "free text"}          # optional
    override: {level: urgent, reason: "..."}                # optional, nurse override
    started: 2026-03-05T14:21:00+01:00                      # optional: when the questions began
    ended: 2026-03-05T14:30:00+01:00                        # optional: when the last answer was given
    stopped_early: {at: chest_pain, reason: emergency}      # optional: the questionnaire stopped there

Answers are validated strictly: "9" is not 9, 1 is not yes. Every applicable required question
must be answered, so a missing red-flag answer is never taken for "no".
"""

from __future__ import annotations

import codecs
import json
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, BinaryIO, Literal

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, create_model, field_validator, model_validator

from ..errors import AnswersError
from ..ruleset.conditions import describe
from ..ruleset.load import Ruleset
from ..ruleset.model import Level, Question, QuestionType
from ..ruleset.vocabulary import MAX_NAME, MAX_TEXT, none_with_others

SCHEMA_VERSION = 1
MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 20
MAX_VALUES = 100_000  # far above any real answers file
AGE_QUESTION = "age"  # checked against the date of birth when both are given


def written_date(value: Any) -> Any:
    """A date as written: a YAML date or the text YYYY-MM-DD. Never a number (0 is not 1970-01-01)."""
    if isinstance(value, datetime):
        raise ValueError("a date of birth is a date (YYYY-MM-DD), not a date and time")
    if value is None or isinstance(value, date):
        return value
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-" and value.replace("-", "").isascii() \
            and value.replace("-", "").isdigit():
        return value
    raise ValueError("a date of birth must be written YYYY-MM-DD")


class _Strict(BaseModel):
    # defer_build: validators are built on first use, not at import (after the first question)
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, defer_build=True)


class Patient(_Strict):
    name: Annotated[str, Field(max_length=MAX_NAME)] | None = None
    date_of_birth: Annotated[date | None, Field(strict=False), BeforeValidator(written_date)] = None

    @field_validator("date_of_birth")
    @classmethod
    def _not_in_future(cls, value: date | None) -> date | None:
        if value is not None and value > date.today():
            raise ValueError("date of birth is in the future")
        return value


class Nurse(_Strict):
    name: Annotated[str, Field(min_length=1, max_length=MAX_NAME)]


MIN_REASON_WORDS, MIN_REASON_LETTERS = 2, 10


def lowering_reason_problem(reason: str) -> str | None:
    """None if ``reason`` reads as a written reason for lowering; otherwise what is missing.

    Real words: at least two words with letters and 10 letters in all, so "x", "ok" or "..." are refused."""
    words = [word for word in reason.split() if any(c.isalpha() for c in word)]
    letters = sum(c.isalpha() for c in reason)
    if len(words) < MIN_REASON_WORDS or letters < MIN_REASON_LETTERS:
        return (f"lowering the disposition needs a written reason, in words (at least {MIN_REASON_WORDS} words "
                f"and {MIN_REASON_LETTERS} letters)")
    return None


class Override(_Strict):
    """A nurse's change of the disposition: raising is free; lowering is limited (checked in assess:
    one level at most, never an emergency finding, a reason in words). A reason, if given, has letters."""

    level: Annotated[Level, Field(strict=False)]
    reason: Annotated[str, Field(max_length=MAX_TEXT)] = ""

    @field_validator("reason")
    @classmethod
    def _words(cls, reason: str) -> str:
        if reason.strip() and not any(c.isalpha() for c in reason):
            raise ValueError("a reason must be written in words")
        return reason


class StoppedEarly(_Strict):
    """Where the interactive questionnaire stopped before every question was asked, and why.

    ``at`` is the last question answered (the one that reached an emergency, or the one after which
    the person chose to finish quickly). Which questions were never asked is computed from the rules
    and the answers, so it is right for any answers file.
    """

    at: str | None = None
    reason: Literal["emergency", "finished_quickly"]


Timestamp = Annotated[AwareDatetime | None, Field(strict=False)]  # from YAML a datetime, from JSON a string


class AnswersFile(_Strict):
    """The validated content of an answers file (``answers`` is a per-questionnaire model)."""

    schema_version: Literal[1] = SCHEMA_VERSION
    ruleset_version: str | None = None
    respondent: Literal["patient", "someone_else"] = "patient"
    patient: Patient | None = None
    nurse: Nurse | None = None
    answers: dict[str, Any]
    notes: dict[str, Annotated[str, Field(max_length=MAX_TEXT)]] = Field(default_factory=dict)
    override: Override | None = None
    started: Timestamp = None
    ended: Timestamp = None
    stopped_early: StoppedEarly | None = None

    @model_validator(mode="after")
    def _ended_after_started(self):
        if self.started and self.ended and self.ended < self.started:
            raise ValueError("ended is before started")
        return self


def answer_type(question: Question):
    """The strict Python type an answer to ``question`` must have."""
    kind = question.type
    if kind in (QuestionType.yes_no_unsure, QuestionType.single):
        return Literal[question.codes]  # type: ignore[valid-type]
    if kind is QuestionType.multi:  # a required one needs a choice: an empty list would be a silent "none"
        least = 1 if question.required else 0
        return Annotated[list[Literal[question.codes]], Field(min_length=least, max_length=len(question.codes))]  # type: ignore[valid-type]
    if kind is QuestionType.text:
        return Annotated[str, Field(max_length=MAX_TEXT)]
    low, high = question.bounds  # type: ignore[misc]
    return Annotated[int, Field(ge=low, le=high)]


@lru_cache(maxsize=8)
def answers_model(ruleset: Ruleset) -> type[BaseModel]:
    """A strict pydantic model with one optional field per question."""
    fields = {q.id: (answer_type(q) | None, None) for q in ruleset.questions}
    return create_model(  # type: ignore[call-overload]
        "Answers",
        __config__=ConfigDict(extra="forbid", frozen=True, strict=True),
        **fields,
    )


@lru_cache(maxsize=8)
def answers_file_model(ruleset: Ruleset) -> type[AnswersFile]:
    """An answers file whose ``answers`` are checked against this questionnaire."""
    return create_model("AnswersFile", __base__=AnswersFile, answers=(answers_model(ruleset), ...))


def answers_file_schema(ruleset: Ruleset) -> dict:
    """The JSON Schema of an answers file for this questionnaire."""
    schema = answers_file_model(ruleset).model_json_schema()
    schema["$id"] = f"urn:neck-triage:answers:{ruleset.version}"
    schema["title"] = "Neck triage answers file"
    return schema


def applicable(question: Question, answers: dict[str, Any]) -> bool:
    """Whether ``question`` is asked, given the answers so far."""
    return question.asked_when(answers)


def missing_required(ruleset: Ruleset, answers: dict[str, Any]) -> list[str]:
    """Required questions that apply to these answers but were not answered, in asking order."""
    return [q.id for q in ruleset.required_questions if q.id not in answers and q.asked_when(answers)]


def parse_answers(ruleset: Ruleset, document: Any, source: str = "answers") -> AnswersFile:
    """Validate a parsed document; raises ``AnswersError`` with one line naming the field."""
    if not isinstance(document, dict):
        raise AnswersError(f"{source}: expected a mapping with an 'answers' key, got {_kind(document)}")
    try:
        checked = answers_file_model(ruleset).model_validate(document)
    except ValidationError as error:
        raise AnswersError(f"{source}: {_describe(error)}") from None
    given = {qid: value for qid, value in checked.answers.__dict__.items() if value is not None}
    # Everything below was validated just now, by the stricter model: no need to validate again.
    parsed = AnswersFile.model_construct(checked.model_fields_set, **{**checked.__dict__, "answers": given})
    _check_notes(ruleset, parsed, source)
    problem = contradiction(ruleset, given)
    if problem:
        raise AnswersError(f"{source}: {problem}")
    _check_age(parsed, source)
    _check_stop(ruleset, parsed, source)
    missing = missing_required(ruleset, given)
    if missing:
        shown = ", ".join(missing[:6]) + (f" and {len(missing) - 6} more" if len(missing) > 6 else "")
        raise AnswersError(f"{source}: answers: required questions not answered: {shown}")
    return parsed


def contradiction(ruleset: Ruleset, answers: dict[str, Any]) -> str | None:
    """The first answer that contradicts the others, as one line; None if they agree.

    "None of these" beside another choice contradicts itself; an answer to a question that does not
    apply to the other answers (its ``ask_when`` does not hold) contradicts them.
    """
    for question in ruleset.questions:
        if question.id not in answers:
            continue
        problem = none_with_others(question.id, answers[question.id])
        if problem:
            return problem
        if not question.asked_when(answers):
            return (
                f"answers.{question.id}: does not apply to the other answers "
                f"(asked only when {describe(question.ask_when)})"
            )
    return None


def _check_notes(ruleset: Ruleset, parsed: AnswersFile, source: str) -> None:
    for key in parsed.notes:
        if key != "general" and key not in ruleset.question_by_id:
            raise AnswersError(f"{source}: notes.{key if key.isprintable() else repr(key)}: not a question id (or 'general')")


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def age_conflict(born: date | None, age: Any, today: date | None = None, now: bool = False) -> str | None:
    """Why a stated age contradicts the date of birth, or None.

    An answers file does not say when it was answered, and assessing an old file again must give
    the same result, so there only an age the date of birth makes impossible (older than the patient
    is today) is refused. ``now``: both are being typed today (the questionnaire), so the age must be
    the one the date of birth gives, give or take a year; a lower age could hide an age warning sign.
    """
    if born is None or not isinstance(age, int) or isinstance(age, bool):
        return None
    years = age_on(born, today or date.today())
    if age <= years and not (now and years - age > 1):
        return None
    return f"the date of birth {born.isoformat()} makes the patient {years} today, but the age given is {age}"


def _check_age(parsed: AnswersFile, source: str) -> None:
    born = parsed.patient.date_of_birth if parsed.patient else None
    conflict = age_conflict(born, parsed.answers.get(AGE_QUESTION))
    if conflict:
        raise AnswersError(f"{source}: patient.date_of_birth: {conflict} (answers.{AGE_QUESTION}): correct one of them")


def _check_stop(ruleset: Ruleset, parsed: AnswersFile, source: str) -> None:
    at = parsed.stopped_early.at if parsed.stopped_early else None
    if at is not None and at not in ruleset.question_by_id:
        raise AnswersError(f"{source}: stopped_early.at: not a question id")


def unasked(ruleset: Ruleset, answers: dict[str, Any]) -> list[Question]:
    """Required questions that apply to these answers but have no answer, in the questionnaire's order.

    (An optional question without an answer may have been asked and declined, so it is not listed.)
    """
    return [ruleset.question_by_id[qid] for qid in missing_required(ruleset, answers)]


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    loc = [str(part) if str(part).isprintable() else repr(part) for part in first["loc"]]  # keep one line
    path = ".".join(loc) or "file"
    message = first["msg"]
    if first["type"] == "value_error":  # our own validators' words, without pydantic's "Value error, "
        message = message.removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        message = "unknown question id" if path.startswith("answers.") else "unknown field"
    value = first.get("input")
    shown = f" (got {value!r})" if value is not None and not isinstance(value, (dict, list)) and len(repr(value)) < 60 else ""
    return f"{path}: {message}{shown}"


describe_error = _describe  # one line for a validation error, as in answers files (drafts use it too)


def _kind(value) -> str:
    return "nothing" if value is None else type(value).__name__


def read_document(path: Path):
    """Read a YAML or JSON answers file into plain data; raises ``AnswersError`` on any problem."""
    return parse_document(str(path), _read_bytes(path), is_json=path.suffix.lower() == ".json")


def parse_document(name: str, data: bytes, is_json: bool):
    """The bytes of one answers document (a file, or one line of a batch) as plain data.

    Separate from reading the file so batch mode and the fuzz tests check bytes the same way.
    """
    if not data.strip():
        raise AnswersError(f"{name}: the file is empty")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise AnswersError(f"{name}: this is a binary file (it looks like UTF-16 or UTF-32 text): save it as UTF-8")
    if b"\0" in data:
        raise AnswersError(f"{name}: this is a binary file, not YAML or JSON")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise AnswersError(f"{name}: not UTF-8 text (byte {error.start})") from None
    document = _parse_text(name, text, is_json)
    _check_shape(name, document)
    return document


def open_input(path: Path, what: str) -> BinaryIO:
    """Open an input file for reading, or raise ``AnswersError`` saying in one line why not."""
    name = str(path)
    try:
        if path.is_dir():
            raise AnswersError(f"{name}: is a directory, not {what}")
        return path.open("rb")
    except FileNotFoundError:
        raise AnswersError(f"{name}: no such file") from None
    except PermissionError:
        raise AnswersError(f"{name}: permission denied") from None
    except OSError as error:
        raise AnswersError(f"{name}: cannot read ({error.strerror})") from None


def _read_bytes(path: Path) -> bytes:
    name = str(path)
    with open_input(path, "an answers file") as handle:
        try:
            data = handle.read(MAX_FILE_BYTES + 1)
        except OSError as error:
            raise AnswersError(f"{name}: cannot read ({error.strerror})") from None
    if len(data) > MAX_FILE_BYTES:
        raise AnswersError(f"{name}: too large (more than {MAX_FILE_BYTES // 1000} kB)")
    return data


def _parse_text(name: str, text: str, is_json: bool):
    try:
        if is_json:
            return json.loads(text, object_pairs_hook=_no_duplicate_keys)
        return _load_yaml(name, text)
    except json.JSONDecodeError as error:
        raise AnswersError(f"{name}: invalid JSON: line {error.lineno}, column {error.colno}: {error.msg}") from None
    except RecursionError:
        raise AnswersError(f"{name}: nested too deeply") from None
    except ValueError as error:  # duplicate JSON keys, integers too long to convert
        raise AnswersError(f"{name}: invalid {'JSON' if is_json else 'YAML'}: {error}") from None
    except (IndexError, TypeError, OverflowError):  # PyYAML's constructors on e.g. a bare "!!int"
        raise AnswersError(f"{name}: invalid YAML: a value with an explicit tag cannot be read") from None


def _load_yaml(name: str, text: str):
    import yaml  # only for YAML answers files: importing PyYAML is slow, and JSON needs none of it

    from ..ruleset.yamlio import describe_yaml_error, load_yaml

    try:
        return load_yaml(text)
    except yaml.YAMLError as error:
        raise AnswersError(f"{name}: invalid YAML: {describe_yaml_error(error)}") from None


def _no_duplicate_keys(pairs):
    result = dict(pairs)
    if len(result) != len(pairs):
        seen = set()
        duplicate = next(key for key, _ in pairs if key in seen or seen.add(key))
        raise ValueError(f"duplicate key {duplicate!r}")
    return result


def _check_shape(name: str, document) -> None:
    """Limit nesting and the number of values, counting a YAML alias each time it is used.

    Without the count, a small YAML file of nested aliases (an "alias bomb") expands to billions
    of values and hangs every later step.
    """
    containers = (dict, list)
    stack, count = ([(document, 1)] if isinstance(document, containers) else []), 1
    while stack:  # only collections go on the stack: most values are plain answers
        value, level = stack.pop()
        if level > MAX_DEPTH:
            raise AnswersError(f"{name}: nested too deeply (more than {MAX_DEPTH} levels)")
        children = value.values() if isinstance(value, dict) else value
        count += len(children)
        if count > MAX_VALUES:
            raise AnswersError(f"{name}: too many values (more than {MAX_VALUES})")
        stack.extend((child, level + 1) for child in children if isinstance(child, containers))


def load_answers_file(ruleset: Ruleset, path: Path) -> AnswersFile:
    """Read and validate an answers file."""
    return parse_answers(ruleset, read_document(path), source=str(path))
