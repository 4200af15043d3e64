"""FHIR R4 export: the QuestionnaireResponse and the Questionnaire validate, match and round-trip."""

from __future__ import annotations

import json

import pytest
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from test_summary_vignettes import MINI_VIGNETTES, UNICODE_NAME, benign_answers, summary_for

from triage.cli import main
from triage.report.fhir import (
    CANONICAL,
    DISPOSITION_SYSTEM,
    ENABLE_WHEN_EXPRESSION,
    FINDING_SYSTEM,
    OUTCOME,
    enable_when,
    question_system,
    questionnaire_json,
)
from triage.report.save import render
from triage.ruleset.conditions import AllOf, AnyOf
from triage.ruleset.conditions import Test as Check


@pytest.fixture(scope="module")
def mini_responses(mini_ruleset, mini_assessor):
    return {name: json.loads(render(summary_for(mini_ruleset, mini_assessor, doc), "fhir")) for name, doc in MINI_VIGNETTES.items()}


@pytest.fixture(scope="module")
def real_response(ruleset, assessor):
    document = {"patient": {"name": UNICODE_NAME, "date_of_birth": "1970-01-31"}, "answers": benign_answers(ruleset)}
    return json.loads(render(summary_for(ruleset, assessor, document), "fhir"))


@pytest.fixture(scope="module")
def real_questionnaire(ruleset):
    return json.loads(questionnaire_json(ruleset))


def _outcome(response: dict) -> dict[str, dict]:
    group = next(item for item in response["item"] if item["linkId"] == OUTCOME)
    return {item["linkId"]: item for item in group["item"]}


def test_response_validates_and_round_trips(mini_responses, real_response):
    for data in [*mini_responses.values(), real_response]:
        model = QuestionnaireResponse.model_validate_json(json.dumps(data))
        assert json.loads(model.model_dump_json(exclude_none=True)) == data


def test_response_core_elements(real_response, ruleset):
    assert real_response["status"] == "completed"
    assert real_response["questionnaire"] == f"{CANONICAL}|{ruleset.version}"
    assert real_response["authored"].endswith("+01:00")
    patient = real_response["contained"][0]
    assert patient == {"resourceType": "Patient", "id": "patient", "name": [{"text": UNICODE_NAME}], "birthDate": "1970-01-31"}
    assert real_response["subject"] == {"reference": "#patient"} == real_response["source"]


def test_link_ids_are_the_question_ids_and_codings_use_one_system_per_question(real_response, ruleset):
    answered = benign_answers(ruleset)
    items = [item for item in real_response["item"] if item["linkId"] != OUTCOME]
    assert [item["linkId"] for item in items] == [qid for qid in answered if answered[qid] != []]
    for item in items:
        question = ruleset.question_by_id[item["linkId"]]
        for answer in item["answer"]:
            if "valueCoding" in answer:
                assert answer["valueCoding"]["system"] == question_system(question.id)
                assert answer["valueCoding"]["code"] in question.codes
            else:
                assert set(answer) <= {"valueInteger", "valueString"}


def test_disposition_and_findings_are_readable_items(mini_responses):
    outcome = _outcome(mini_responses["combined_unsure"])
    disposition = outcome[f"{OUTCOME}-disposition"]["answer"][0]["valueCoding"]
    assert disposition == {"system": DISPOSITION_SYSTEM, "code": "within_24h", "display": "Be seen within 24 hours"}
    findings = [a["valueCoding"] for a in outcome[f"{OUTCOME}-finding"]["answer"]]
    assert {f["code"] for f in findings} == {"cancer_history", "night", "old_age"}
    assert all(f["system"] == FINDING_SYSTEM for f in findings)
    assert "Result: Be seen within 24 hours" in mini_responses["combined_unsure"]["text"]["div"]


def test_override_nurse_and_notes_are_carried(mini_responses):
    response = mini_responses["nurse_hostile"]
    outcome = _outcome(response)
    assert outcome[f"{OUTCOME}-engine-disposition"]["answer"][0]["valueCoding"]["code"] == "within_24h"
    assert "GP" in outcome[f"{OUTCOME}-override-reason"]["answer"][0]["valueString"]
    assert len(outcome[f"{OUTCOME}-note"]["answer"]) == 2
    kinds = {resource["resourceType"] for resource in response["contained"]}
    assert kinds == {"Patient", "RelatedPerson", "Practitioner"}
    assert response["author"] == {"reference": "#nurse"} and response["source"] == {"reference": "#respondent"}


def test_narrative_escapes_typed_text(mini_responses):
    div = mini_responses["nurse_hostile"]["text"]["div"]
    assert "<script" not in div
    answers = json.dumps(mini_responses["nurse_hostile"]["item"])
    assert "<script>" in answers  # kept verbatim as data; a viewer must escape it like any string


def test_questionnaire_validates_round_trips_and_covers_every_question(real_questionnaire, ruleset):
    model = Questionnaire.model_validate_json(json.dumps(real_questionnaire))
    assert json.loads(model.model_dump_json(exclude_none=True)) == real_questionnaire
    assert real_questionnaire["url"] == CANONICAL and real_questionnaire["version"] == ruleset.version
    link_ids = [item["linkId"] for item in real_questionnaire["item"]]
    assert link_ids == [q.id for q in ruleset.questions] + [OUTCOME]


def test_every_response_item_and_code_is_declared_in_the_questionnaire(real_questionnaire, real_response):
    declared = {item["linkId"]: item for item in real_questionnaire["item"]}
    for item in real_response["item"]:
        definition = declared[item["linkId"]]
        if item["linkId"] == OUTCOME:
            inner = {i["linkId"] for i in definition["item"]}
            assert {i["linkId"] for i in item["item"]} <= inner
            continue
        options = {o["valueCoding"]["code"] for o in definition.get("answerOption", [])}
        for answer in item["answer"]:
            if "valueCoding" in answer:
                assert answer["valueCoding"]["code"] in options


def test_enable_when_only_refers_to_earlier_questions(real_questionnaire):
    seen: set[str] = set()
    for item in real_questionnaire["item"]:
        for condition in item.get("enableWhen", []):
            assert condition["question"] in seen, item["linkId"]
        seen.add(item["linkId"])


def test_conditions_fhir_cannot_express_become_fhirpath():
    simple = enable_when(Check(q="injury", **{"in": ("yes", "not_sure")}))
    assert simple["enableBehavior"] == "any" and len(simple["enableWhen"]) == 2
    both = enable_when(AllOf(all=(Check(q="injury", **{"is": "yes"}), Check(q="age", gte=50))))
    assert both["enableBehavior"] == "all" and both["enableWhen"][1] == {"question": "age", "operator": ">=", "answerInteger": 50}
    nested = enable_when(AnyOf(any=(Check(q="aa", **{"is": "yes"}), AllOf(all=(Check(q="bb", **{"in": ("x", "y")}), Check(q="cc", lt=3))))))
    (extension,) = nested["extension"]
    assert extension["url"] == ENABLE_WHEN_EXPRESSION
    expression = extension["valueExpression"]["expression"]
    assert "linkId='aa'" in expression and " or " in expression and " and " in expression and "< 3" in expression


def test_cli_questions_fhir_prints_the_questionnaire(capsys, ruleset):
    assert main(["questions", "--format", "fhir"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert Questionnaire.model_validate(data).status == "active"
    assert len(data["item"]) == len(ruleset.questions) + 1


def test_times_patient_and_early_stop_are_carried_and_valid(ruleset, assessor):
    from triage.report.fhir import STARTED_URL, questionnaire_response

    answers = benign_answers(ruleset)
    document = {"answers": answers, "patient": {"name": "Αλέξανδρος 王小明", "date_of_birth": "1979-02-14"},
                "started": "2026-03-05T14:21:07+01:00", "ended": "2026-03-05T14:29:41+01:00"}
    response = json.loads(questionnaire_response(summary_for(ruleset, assessor, document)).model_dump_json())
    assert response["authored"] == "2026-03-05T14:29:41+01:00"
    assert {"url": STARTED_URL, "valueDateTime": "2026-03-05T14:21:07+01:00"} in response["extension"]
    patient = next(r for r in response["contained"] if r["resourceType"] == "Patient")
    assert patient["name"] == [{"text": "Αλέξανδρος 王小明"}] and patient["birthDate"] == "1979-02-14"
    assert response["status"] == "completed"
