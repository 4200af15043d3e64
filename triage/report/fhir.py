"""FHIR R4 export: the questionnaire as a ``Questionnaire``, a summary as a ``QuestionnaireResponse``.

Built as plain dicts by pure functions, then validated with ``fhir.resources.R4B`` (the library's
R4-compatible package: for these two resources R4B differs from R4 only in value-set versions).
The library's validation is lax (it accepts ``status: "done"``), so ``check_response`` adds our own
checks on status, code systems and linkIds.

Where the result goes. A QuestionnaireResponse has no element for a triage outcome, so the outcome
is carried as one more group of answers, ``triage-outcome`` (disposition, findings, override,
ruleset), declared as read-only items in the Questionnaire. Every system that imports a
QuestionnaireResponse shows and stores its items, so a clinic sees the disposition and the findings
without knowing any extension; contained RiskAssessment or ClinicalImpression resources linked by
an extension would be dropped silently by most importers. The generated narrative (``text``)
repeats the result in plain words for any FHIR viewer.

The pain trend. When the summary carries the person's recorded pain scores (``pain_trend``, from
the record's questionnaires and check-ins), each is an ``Observation`` (LOINC 72514-3, pain severity
0-10, ``valueInteger``, subject ``#patient``) *contained* in the QuestionnaireResponse and referenced
from the outcome item ``triage-outcome-pain-trend`` (``valueReference``). Contained, not a Bundle: the
export stays one QuestionnaireResponse whatever the record holds (importers and ``check_response``
see the same resource type every time), the Observations share the contained Patient, and each is
referenced from the resource, as FHIR's rule dom-3 requires of contained resources (fhir.resources
R4B validates the structure but not that rule, so ``check_response`` checks it). A Bundle would
need the Patient moved out of the response and a second shape of file for the same export.

Identifiers. linkId = our question id (stable across rule versions); outcome items use ids with a
hyphen, which question ids cannot contain. Choice answers are ``valueCoding`` with one code system
per question, ``urn:neck-triage:question:<id>``; dispositions and findings have their own systems.
"""

from __future__ import annotations

import json
import uuid
from functools import partial
from html import escape as _html_escape
from typing import Any

from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from ..ruleset.conditions import AllOf, Test
from ..ruleset.load import Ruleset
from ..ruleset.model import LEVEL_ORDER, Question, QuestionType
from .chart import pain_observations
from .summary import AnsweredQuestion, Summary

CANONICAL = "urn:neck-triage:questionnaire"
DISPOSITION_SYSTEM = "urn:neck-triage:disposition"
FINDING_SYSTEM = "urn:neck-triage:finding"
OUTCOME = "triage-outcome"
TREND_ITEM = f"{OUTCOME}-pain-trend"
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, CANONICAL)
escape = partial(_html_escape, quote=False)
XHTML = "http://www.w3.org/1999/xhtml"
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
ENABLE_WHEN_EXPRESSION = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-enableWhenExpression"
YES_NO_LABELS = {"yes": "Yes", "no": "No", "not_sure": "Not sure"}


STARTED_URL = "urn:neck-triage:questionnaire-started"  # when the first question was shown


def question_system(question_id: str) -> str:
    return f"urn:neck-triage:question:{question_id}"


def canonical(version: str) -> str:
    return f"{CANONICAL}|{version}"


def to_json(resource) -> str:
    return resource.model_dump_json(exclude_none=True, indent=2) + "\n"


# --- QuestionnaireResponse --------------------------------------------------------------------


def render_fhir(summary: Summary) -> bytes:
    return to_json(questionnaire_response(summary)).encode("utf-8")


def questionnaire_response(summary: Summary) -> QuestionnaireResponse:
    """The summary as a validated R4 QuestionnaireResponse (raises if the model rejects it)."""
    response = QuestionnaireResponse.model_validate(response_data(summary))
    check_response(response)
    return response


def response_data(s: Summary) -> dict[str, Any]:
    data: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": _response_id(s),
        "text": {"status": "generated", "div": narrative(s)},
        "contained": _contained(s),
        "questionnaire": canonical(s.ruleset_version),
        "status": "stopped" if s.stopped_early else "completed",
        "subject": {"reference": "#patient"},
        "authored": (s.ended or s.started or s.created).isoformat(),  # when answered; export time if not recorded
        "source": {"reference": "#patient" if s.respondent == "patient" else "#respondent"},
        "item": [_response_item(a) for a in s.answers if a.value != ()] + [_outcome_item(s)],
    }
    if s.nurse:
        data["author"] = {"reference": "#nurse"}
    if s.started:
        data["extension"] = [{"url": STARTED_URL, "valueDateTime": s.started.isoformat()}]
    return data


def _response_id(s: Summary) -> str:
    """Stable for the same answers at the same time (so exports are reproducible)."""
    key = json.dumps([s.created.isoformat(), s.ruleset_hash, [a.model_dump(mode="json") for a in s.answers]])
    return str(uuid.uuid5(NAMESPACE, key))


def _contained(s: Summary) -> list[dict[str, Any]]:
    patient: dict[str, Any] = {"resourceType": "Patient", "id": "patient"}
    if s.patient_name:
        patient["name"] = [{"text": s.patient_name}]
    if s.date_of_birth:
        patient["birthDate"] = s.date_of_birth.isoformat()
    contained = [patient]
    if s.respondent == "someone_else":
        contained.append({"resourceType": "RelatedPerson", "id": "respondent", "patient": {"reference": "#patient"}})
    if s.nurse:
        contained.append({"resourceType": "Practitioner", "id": "nurse", "name": [{"text": s.nurse}]})
    return contained + pain_observations(s.trend_series, subject_reference="#patient", ids=_trend_ids(s))


def _trend_ids(s: Summary) -> list[str]:
    return [f"pain-{number}" for number in range(1, len(s.pain_trend) + 1)]


def _response_item(answer: AnsweredQuestion) -> dict[str, Any]:
    return {"linkId": answer.id, "text": answer.question, "answer": _answer_values(answer)}


def _answer_values(answer: AnsweredQuestion) -> list[dict[str, Any]]:
    if answer.type in (QuestionType.integer, QuestionType.pain):
        return [{"valueInteger": answer.value}]
    if answer.type is QuestionType.text:
        return [{"valueString": answer.value}]
    codes = answer.value if isinstance(answer.value, tuple) else (answer.value,)
    system = question_system(answer.id)
    return [{"valueCoding": {"system": system, "code": c, "display": d}} for c, d in zip(codes, answer.labels)]


def _outcome_item(s: Summary) -> dict[str, Any]:
    d = s.disposition
    items = [
        _coded(f"{OUTCOME}-disposition", "Disposition", DISPOSITION_SYSTEM, d.level.value, d.label),
        _text(f"{OUTCOME}-advice", "What to do now", f"{d.label} ({d.timeframe}). {d.action} If things get worse: {d.if_worse}"),
    ]
    if s.findings:
        codings = [{"valueCoding": {"system": FINDING_SYSTEM, "code": f.id, "display": f.title}} for f in s.findings]
        items.append({"linkId": f"{OUTCOME}-finding", "text": "Findings", "answer": codings})
        reasons = [f"{f.title} ({f.level_label}): {f.message} Why: {f.rationale}" for f in s.findings]
        items.append({"linkId": f"{OUTCOME}-finding-detail", "text": "Findings and why", "answer": [{"valueString": r} for r in reasons]})
    if s.override:
        o = s.override
        items.append(_coded(f"{OUTCOME}-engine-disposition", "Disposition before the nurse's override", DISPOSITION_SYSTEM, o.engine_level.value, o.engine_label))
        items.append(_text(f"{OUTCOME}-override-reason", "Reason for the override", o.reason or "none given"))
    if s.notes:
        items.append({"linkId": f"{OUTCOME}-note", "text": "Notes", "answer": [{"valueString": f"{n.about}: {n.text}"} for n in s.notes]})
    if s.pain_trend:
        references = [{"valueReference": {"reference": f"#{rid}", "display": f"Pain {p.score}/10 on {p.at:%Y-%m-%d}"}}
                      for rid, p in zip(_trend_ids(s), s.pain_trend)]
        items.append({"linkId": TREND_ITEM, "text": "Pain scores over time (0-10)", "answer": references})
    items.append(_text(f"{OUTCOME}-ruleset", "Ruleset", f"{s.ruleset_version} sha256:{s.ruleset_hash}"))
    return {"linkId": OUTCOME, "text": "Triage outcome (computed, not a diagnosis)", "item": items}


def _coded(link_id: str, text: str, system: str, code: str, display: str) -> dict[str, Any]:
    return {"linkId": link_id, "text": text, "answer": [{"valueCoding": {"system": system, "code": code, "display": display}}]}


def _text(link_id: str, text: str, value: str) -> dict[str, Any]:
    return {"linkId": link_id, "text": text, "answer": [{"valueString": value}]}


def narrative(s: Summary) -> str:
    """A short XHTML narrative: result, findings, safety net, not a diagnosis (all text escaped)."""
    d = s.disposition
    parts = [f"<p><b>Result: {escape(d.label)} ({escape(d.timeframe)})</b>. {escape(d.action)}</p>"]
    if s.findings:
        rows = "".join(f"<li>{escape(f.title)} ({escape(f.level_label)}): {escape(f.rationale)}</li>" for f in s.findings)
        parts.append(f"<p>Findings:</p><ul>{rows}</ul>")
    if s.pain_trend:
        scores = "; ".join(f"{p.at:%Y-%m-%d} {p.score}" for p in s.pain_trend)
        parts.append(f"<p>Pain scores over time (0-10): {escape(scores)}</p>")
    parts.append(f"<p>If things get worse: {escape(d.if_worse)}</p>")
    parts.append(f"<p>{escape(s.disclaimer)}</p>")
    return f'<div xmlns="{XHTML}">{"".join(parts)}</div>'


def check_response(response: QuestionnaireResponse) -> None:
    """Our own checks where the library is lax: status, linkIds and code systems."""
    assert response.status == "completed", response.status
    assert response.questionnaire and response.questionnaire.startswith(CANONICAL + "|")
    link_ids = [item.linkId for item in response.item or ()]
    assert len(link_ids) == len(set(link_ids)), "duplicate linkId"
    for item in response.item or ():
        for answer in item.answer or ():
            coding = answer.valueCoding
            if coding is not None:
                assert coding.system == question_system(item.linkId) and coding.code, item.linkId
    _check_contained(response)


def _check_contained(response: QuestionnaireResponse) -> None:
    """dom-3: every contained resource is referenced from the response (the library does not check it)."""
    text = response.model_dump_json(exclude={"contained"})
    for resource in response.contained or ():
        assert f'"#{resource.id}"' in text, f"contained {resource.get_resource_type()} {resource.id} is not referenced"


# --- Questionnaire ------------------------------------------------------------------------------


def questionnaire_json(ruleset: Ruleset) -> str:
    """``triage questions --format fhir``: the validated Questionnaire as JSON."""
    return to_json(questionnaire(ruleset))


def questionnaire(ruleset: Ruleset) -> Questionnaire:
    return Questionnaire.model_validate(questionnaire_data(ruleset))


def questionnaire_data(ruleset: Ruleset) -> dict[str, Any]:
    return {
        "resourceType": "Questionnaire",
        "id": "neck-triage",
        "url": CANONICAL,
        "version": ruleset.version,
        "name": "NeckTriage",
        "title": ruleset.scale.title,
        "status": "active",
        "subjectType": ["Patient"],
        "description": f"{ruleset.scale.disclaimer} Rules sha256:{ruleset.digest}",
        "item": [_question_item(q) for q in ruleset.questions] + [_outcome_definition(ruleset)],
    }


def _question_item(question: Question) -> dict[str, Any]:
    item: dict[str, Any] = {"linkId": question.id, "text": question.ask, "required": question.required}
    kind = question.type
    if kind in (QuestionType.yes_no_unsure, QuestionType.single, QuestionType.multi):
        item["type"] = "choice"
        item["answerOption"] = [_option(question, code) for code in question.codes]
        if kind is QuestionType.multi:
            item["repeats"] = True
    elif kind is QuestionType.text:
        item["type"] = "text"
    else:
        low, high = question.bounds  # type: ignore[misc]
        item["type"] = "integer"
        item["extension"] = [{"url": MIN_VALUE, "valueInteger": low}, {"url": MAX_VALUE, "valueInteger": high}]
    if question.ask_when is not None:
        item.update(enable_when(question.ask_when))
    return item


def _option(question: Question, code: str) -> dict[str, Any]:
    display = YES_NO_LABELS[code] if question.type is QuestionType.yes_no_unsure else question.choice_label(code)
    return {"valueCoding": {"system": question_system(question.id), "code": code, "display": display}}


def enable_when(condition) -> dict[str, Any]:
    """``enableWhen`` where FHIR can say it (one test, or all/any of simple tests); else FHIRPath.

    FHIR's enableWhen compares one answer with one value, combined by a single all/any. A nested
    mix of all and any, or an 'in' inside an 'all', is written as an SDC enableWhenExpression.
    """
    simple = _simple_enable_when(condition)
    if simple is not None:
        return simple
    return {"extension": [{"url": ENABLE_WHEN_EXPRESSION, "valueExpression": {"language": "text/fhirpath", "expression": fhirpath(condition)}}]}


def _simple_enable_when(condition) -> dict[str, Any] | None:
    if isinstance(condition, Test):
        checks = _checks(condition)
        return {"enableWhen": checks, "enableBehavior": "any"} if len(checks) > 1 else {"enableWhen": checks}
    tests = list(condition.all if isinstance(condition, AllOf) else condition.any)
    if not all(isinstance(t, Test) for t in tests):
        return None
    checks = [_checks(t) for t in tests]
    if isinstance(condition, AllOf):
        if any(len(c) > 1 for c in checks):
            return None
        return {"enableWhen": [c[0] for c in checks], "enableBehavior": "all"}
    return {"enableWhen": [c for group in checks for c in group], "enableBehavior": "any"}


_OPERATORS = {"gte": ">=", "gt": ">", "lte": "<=", "lt": "<"}


def _checks(test: Test) -> list[dict[str, Any]]:
    op = test.operator.rstrip("_")
    if op in _OPERATORS:
        return [{"question": test.q, "operator": _OPERATORS[op], "answerInteger": test.operand}]
    values = test.in_ if op == "in" else (test.operand,)
    return [_equals(test.q, value) for value in values]


def _equals(question_id: str, value) -> dict[str, Any]:
    if isinstance(value, int):
        return {"question": question_id, "operator": "=", "answerInteger": value}
    return {"question": question_id, "operator": "=", "answerCoding": {"system": question_system(question_id), "code": value}}


def fhirpath(condition) -> str:
    """The condition as a FHIRPath boolean over the response being filled in."""
    if isinstance(condition, Test):
        return _test_path(condition)
    joiner = " and " if isinstance(condition, AllOf) else " or "
    children = condition.all if isinstance(condition, AllOf) else condition.any
    return "(" + joiner.join(fhirpath(child) for child in children) + ")"


def _test_path(test: Test) -> str:
    answers = f"%resource.repeat(item).where(linkId='{test.q}').answer.value"
    op = test.operator.rstrip("_")
    if op in _OPERATORS:
        return f"({answers} {_OPERATORS[op]} {test.operand})"
    values = test.in_ if op == "in" else (test.operand,)
    literals = " | ".join(str(v) if isinstance(v, int) else f"'{v}'" for v in values)
    target = answers if all(isinstance(v, int) for v in values) else f"{answers}.code"
    return f"({target}.intersect({literals}).exists())"


def _outcome_definition(ruleset: Ruleset) -> dict[str, Any]:
    levels = [{"valueCoding": {"system": DISPOSITION_SYSTEM, "code": lvl.value, "display": ruleset.scale.levels[lvl].label}} for lvl in reversed(LEVEL_ORDER)]
    findings = [{"valueCoding": {"system": FINDING_SYSTEM, "code": f.id, "display": f.title}} for f in ruleset.findings]
    items = [
        {"linkId": f"{OUTCOME}-disposition", "text": "Disposition", "type": "choice", "readOnly": True, "answerOption": levels},
        {"linkId": f"{OUTCOME}-advice", "text": "What to do now", "type": "text", "readOnly": True},
        {"linkId": f"{OUTCOME}-finding", "text": "Findings", "type": "choice", "repeats": True, "readOnly": True, "answerOption": findings},
        {"linkId": f"{OUTCOME}-finding-detail", "text": "Findings and why", "type": "text", "repeats": True, "readOnly": True},
        {"linkId": f"{OUTCOME}-engine-disposition", "text": "Disposition before the nurse's override", "type": "choice", "readOnly": True, "answerOption": levels},
        {"linkId": f"{OUTCOME}-override-reason", "text": "Reason for the override", "type": "text", "readOnly": True},
        {"linkId": f"{OUTCOME}-note", "text": "Notes", "type": "text", "repeats": True, "readOnly": True},
        {"linkId": TREND_ITEM, "text": "Pain scores over time (0-10)", "type": "reference", "repeats": True, "readOnly": True},
        {"linkId": f"{OUTCOME}-ruleset", "text": "Ruleset", "type": "string", "readOnly": True},
    ]
    return {"linkId": OUTCOME, "text": "Triage outcome (computed, not a diagnosis)", "type": "group", "readOnly": True, "item": items}

