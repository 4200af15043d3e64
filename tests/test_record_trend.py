"""The pain trend in summaries made from the record: the real SQLite file, the real renderers."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone

import pytest
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from pypdf import PdfReader
from test_interactive_support import calm_answers

from triage import cli
from triage.assessment.answers import AnswersFile, Patient
from triage.record.entries import record_assessment
from triage.record.store import RecordStore
from triage.record.trend import summary_trend

pytestmark = pytest.mark.timeout(120)
START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
SCORES = [5, 5, 4, 4, 3, 3, 2, 2, 1]  # the check-ins after the questionnaire's 5
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def recorded(tmp_path, monkeypatch, ruleset, assessor):
    """Ann's questionnaire (pain 5) and nine check-ins, one a day, in a real record file."""
    folder = tmp_path / "data"
    monkeypatch.setenv("TRIAGE_DATA_DIR", str(folder))
    answers = AnswersFile(answers={**calm_answers(ruleset, assessor), "pain_now": 5, "duration_days": 1, "trend": "same"},
                          patient=Patient(name="Ann Example", date_of_birth="1980-04-02"))
    assessment = assessor.assess(answers)
    with RecordStore(folder) as store:
        base = record_assessment(store, answers, assessment, started=START, ended=START, source="file")
        person = store.entry(base).person
        ids = [store.add_checkin(person, base_id=base, at=START + timedelta(days=n + 1), pain=score, course="better",
                                 ruleset_version=assessment.ruleset.version, ruleset_hash=assessment.ruleset.hash,
                                 disposition="self_care", answers_json=json.dumps(answers.model_dump(mode="json", exclude_none=True)),
                                 assessment_json=assessment.model_dump_json())
               for n, score in enumerate(SCORES)]
        other = record_assessment(store, answers.model_copy(update={"patient": None}), assessment, started=START, ended=START,
                                  source="file")  # "me": a questionnaire, no check-ins
    return folder, base, ids, other


def show(record_id: str, path, capsys) -> None:
    assert cli.main(["show", record_id, "--summary", str(path)]) == 0, capsys.readouterr().err


def test_the_trend_is_the_persons_scores_up_to_the_record_and_only_with_check_ins(recorded):
    folder, base, ids, other = recorded
    with RecordStore(folder) as store:
        assert [score for _, score in summary_trend(store, store.entry(ids[-1]))] == [5, *SCORES]
        assert [score for _, score in summary_trend(store, store.entry(ids[2]))] == [5, 5, 5, 4]
        assert summary_trend(store, store.entry(base)) == [], "no check-in up to the questionnaire itself"
        assert summary_trend(store, store.entry(other)) == [], "a questionnaire alone has no course"


def test_show_summary_html_has_the_inline_svg_chart(recorded, tmp_path, capsys):
    _, _, ids, _ = recorded
    show(ids[-1], tmp_path / "s.html", capsys)
    html = (tmp_path / "s.html").read_text(encoding="utf-8")
    svg = html[html.index("<svg"):html.index("</svg>") + 6]
    root = ET.fromstring(svg)
    assert len(root.findall(f"{SVG}circle")) == len(SCORES) + 1
    texts = [t.text for t in root.findall(f"{SVG}text")]
    assert "2026-03-02" in texts and "2026-03-11" in texts
    assert "Pain over time" in html and "http" not in svg.replace("http://www.w3.org/2000/svg", "")


def test_show_summary_pdf_draws_the_chart_as_vectors(recorded, tmp_path, capsys):
    _, _, ids, _ = recorded
    show(ids[-1], tmp_path / "s.pdf", capsys)
    page = PdfReader(io.BytesIO((tmp_path / "s.pdf").read_bytes())).pages[0]
    text = page.extract_text()
    assert "Pain over time" in text and "2026-03-02" in text and "2026-03-11" in text
    operators = page.get_contents().get_data().decode("latin-1").split()
    assert operators.count("l") >= len(SCORES), "a line through the scores"
    assert "Do" not in operators, "no image"


def test_show_summary_text_and_markdown_have_the_sparkline_with_dates(recorded, tmp_path, capsys):
    _, _, ids, _ = recorded
    for name in ("s.txt", "s.md"):
        show(ids[-1], tmp_path / name, capsys)
        text = " ".join((tmp_path / name).read_text(encoding="utf-8").split())
        assert "5 on 2026-03-02 → 1 on 2026-03-11" in text
        assert "2026-03-06 4" in text


def test_show_summary_fhir_contains_the_check_ins_as_referenced_observations(recorded, tmp_path, capsys):
    _, _, ids, _ = recorded
    show(ids[-1], tmp_path / "s.json", capsys)
    response = QuestionnaireResponse.model_validate_json((tmp_path / "s.json").read_text(encoding="utf-8"))
    observations = [r for r in response.contained if r.get_resource_type() == "Observation"]
    assert [o.valueInteger for o in observations] == [5, *SCORES]
    assert all(o.code.coding[0].code == "72514-3" and o.subject.reference == "#patient" for o in observations)
    outcome = next(i for i in response.item if i.linkId == "triage-outcome")
    trend = next(i for i in outcome.item if i.linkId == "triage-outcome-pain-trend")
    assert [a.valueReference.reference for a in trend.answer] == [f"#{o.id}" for o in observations]


def test_a_summary_without_check_ins_has_no_trend(recorded, tmp_path, capsys):
    _, _, _, other = recorded
    show(other, tmp_path / "s.html", capsys)
    show(other, tmp_path / "s.json", capsys)
    assert "<svg" not in (tmp_path / "s.html").read_text(encoding="utf-8")
    assert "Observation" not in (tmp_path / "s.json").read_text(encoding="utf-8")
