"""The printed summary as a clinician receives it: page count, reading order, nothing split.

Real cases from tests/cases with a long name in Latin, Greek and CJK script. The PDF is read back
with pypdf; the HTML is printed to PDF by headless Chromium, as a browser prints it. Without
Chromium the browser tests skip locally, but FAIL in CI (CI=true), so they cannot silently vanish.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import unicodedata
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from triage.assessment.answers import parse_answers
from triage.report.html import render_html
from triage.report.outline import outline, running_header
from triage.report.pdf import render_pdf
from triage.report.summary import PainPoint, build_summary
from test_summary_vignettes import CREATED

CASES = Path(__file__).parent / "cases"
LONG_NAME = "Αλέξανδρος 王小明 Example-Longname Fitzwilliam-Papadopoulou"
PRINTED = {"self_care": ("self_care_desk_worker_day5.yaml", 1), "emergency": ("emergency_thunderclap.yaml", 2)}
PAPERS = ("A4", "Letter")


def _summary(ruleset, assessor, case: str):
    document = yaml.safe_load((CASES / PRINTED[case][0]).read_text(encoding="utf-8"))
    document = {"answers": document["answers"], "patient": {"name": LONG_NAME, "date_of_birth": "1979-02-14"},
                "started": "2026-03-05T14:21:07+01:00", "ended": "2026-03-05T14:29:41+01:00"}
    answers_file = parse_answers(ruleset, document)
    return build_summary(ruleset, answers_file, assessor.assess(answers_file), CREATED)


def _pages(data: bytes) -> list[str]:
    # NFKC: a browser's PDF may set "ffi" as one ligature glyph
    return [unicodedata.normalize("NFKC", " ".join(page.extract_text().split())) for page in PdfReader(io.BytesIO(data)).pages]


def _flat(text: str) -> str:
    return " ".join(text.split())


def _check_layout(summary, pages: list[str], most: int) -> None:
    assert 1 <= len(pages) <= most, f"{len(pages)} pages, at most {most}"
    assert summary.disposition.label in pages[0], "the disposition is on page 1"
    assert "not a diagnosis" in pages[0].lower(), "the safety line is on page 1"
    for number, page in enumerate(pages, 1):
        assert f"page {number} of {len(pages)}" in page, "every page has the running header"
        assert "Example-Longname" in page
    text = " ".join(pages)
    order = [summary.disposition.label, "What was found", "Answers at a glance", "Advice given"]
    positions = [text.find(heading) for heading in order]
    assert -1 not in positions and positions == sorted(positions), f"reading order: {positions}"
    grid = next(b for s in outline(summary, brief=True) if s.key == "answers" for b in s.blocks if b.kind == "grid")
    for row in grid.items:  # every answer appears whole on one page
        for cell in row.cells:
            for answer in filter(None, cell.split("; ")):
                words = _flat(answer)
                assert any(words in _flat(page).replace("- ", "-") or _joined(words, page) for page in pages), answer


def _joined(words: str, page: str) -> bool:
    """The words of one answer, in order, on one page (a table cell may wrap them over lines)."""
    at = 0
    for word in words.split():
        at = page.find(word, at)
        if at < 0:
            return False
    return True


@pytest.mark.parametrize("paper", PAPERS)
@pytest.mark.parametrize("case", sorted(PRINTED))
def test_pdf_pages_reading_order_and_nothing_split(ruleset, assessor, case, paper):
    summary = _summary(ruleset, assessor, case)
    _check_layout(summary, _pages(render_pdf(summary, paper)), PRINTED[case][1])


def test_pdf_keeps_every_finding_on_one_page(ruleset, assessor):
    summary = _summary(ruleset, assessor, "emergency")
    pages = _pages(render_pdf(summary, "Letter"))
    for finding in summary.findings:
        assert any(_flat(finding.message) in page and _flat(finding.rationale)[:60] in page for page in pages), finding.id


def test_pdf_loads_the_cjk_font_only_when_needed(ruleset, assessor):
    latin = _summary(ruleset, assessor, "self_care").model_copy(update={"patient_name": "Ann Example"})
    assert b"NeckTriageCJK" not in render_pdf(latin)
    assert b"NeckTriageCJK" in render_pdf(_summary(ruleset, assessor, "self_care"))


def test_running_header_names_patient_and_date(ruleset, assessor):
    header = running_header(_summary(ruleset, assessor, "self_care"))
    assert LONG_NAME in header and "born 1979-02-14" in header and "2026-03-05" in header


# --- the HTML printed by a real browser ----------------------------------------------------------


def _chromium() -> str:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is needed in CI to print the HTML summary (.ci/run installs it)")
        pytest.skip("chromium is not installed (apt-get install -y chromium); CI runs this test")
    return browser


def print_html(html: bytes, paper: str, folder: Path) -> bytes:
    page = folder / "summary.html"
    page.write_bytes(html.replace(b"</head>", f"<style>@page {{ size: {paper}; }}</style></head>".encode()))
    out = folder / "summary.pdf"
    subprocess.run([_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={folder / 'profile'}", f"--print-to-pdf={out}", "--no-pdf-header-footer",
                    page.as_uri()], check=True, capture_output=True, timeout=120)
    return out.read_bytes()


@pytest.mark.parametrize("paper", PAPERS)
@pytest.mark.parametrize("case", sorted(PRINTED))
def test_html_printed_in_chromium_pages_and_reading_order(ruleset, assessor, case, paper, tmp_path):
    summary = _summary(ruleset, assessor, case)
    pages = _pages(print_html(render_html(summary), paper, tmp_path))
    _check_layout(summary, pages, PRINTED[case][1])


# --- with a pain trend from ten check-ins --------------------------------------------------------

TREND_START = datetime(2026, 2, 24, 9, 0, tzinfo=timezone.utc)
TREND = tuple((TREND_START + timedelta(days=n), score) for n, score in enumerate([7, 7, 6, 6, 5, 5, 4, 4, 3, 3]))


def _with_trend(summary):
    return summary.model_copy(update={"pain_trend": tuple(PainPoint(at=at, score=score) for at, score in TREND)})


@pytest.mark.parametrize("paper", PAPERS)
def test_pdf_self_care_with_ten_checkins_stays_on_one_page_with_the_chart_on_it(ruleset, assessor, paper):
    summary = _with_trend(_summary(ruleset, assessor, "self_care"))
    data = render_pdf(summary, paper)
    pages = _pages(data)
    _check_layout(summary, pages, 1)
    assert "Pain over time" in pages[0] and "2026-02-24" in pages[0] and "2026-03-05" in pages[0]
    content = PdfReader(io.BytesIO(data)).pages[0].get_contents().get_data().decode("latin-1")
    polyline = [line for line in content.splitlines() if line.endswith(" l")]
    assert len(polyline) >= len(TREND) - 1, "the chart is drawn as vector lines"
    assert "/Im" not in content and "Do" not in content.split(), "no image"


def test_pdf_without_a_trend_has_no_chart(ruleset, assessor):
    summary = _summary(ruleset, assessor, "self_care")
    one = summary.model_copy(update={"pain_trend": _with_trend(summary).pain_trend[:1]})
    for case in (summary, one):
        assert "Pain over time" not in " ".join(_pages(render_pdf(case)))


@pytest.mark.parametrize("paper", PAPERS)
def test_html_self_care_with_ten_checkins_printed_in_chromium_stays_on_one_page(ruleset, assessor, paper, tmp_path):
    summary = _with_trend(_summary(ruleset, assessor, "self_care"))
    pages = _pages(print_html(render_html(summary), paper, tmp_path))
    _check_layout(summary, pages, 1)
    assert "Pain over time" in pages[0] and "2026-02-24" in pages[0] and "2026-03-05" in pages[0]
