"""The summary model, saving, escaping, the PDF and the command line, with the real engine."""

from __future__ import annotations

import io
import re
import stat
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from pypdf import PdfReader
from test_summary_vignettes import CREATED, HOSTILE, MINI_VIGNETTES, UNICODE_NAME, benign_answers, summary_for

from triage.assessment.answers import parse_answers
from triage.cli import main
from triage.errors import OutputError
from triage.report.outline import outline
from triage.report.save import EXTENSIONS, FORMATS, RENDERERS, render, save_summary
from triage.report.summary import build_summary

MINI = Path(__file__).parent / "fixtures" / "mini_rules"


@pytest.fixture(scope="module")
def hostile(mini_ruleset, mini_assessor):
    return summary_for(mini_ruleset, mini_assessor, MINI_VIGNETTES["nurse_hostile"])


@pytest.fixture(scope="module")
def combined(mini_ruleset, mini_assessor):
    return summary_for(mini_ruleset, mini_assessor, MINI_VIGNETTES["combined_unsure"])


@pytest.fixture(scope="module")
def typical(ruleset, assessor):
    """The shipped rules, every red flag 'no': usually self-care with exercises (the longest summary)."""
    return summary_for(ruleset, assessor, {"patient": {"name": UNICODE_NAME}, "answers": benign_answers(ruleset)})


# --- the model ----------------------------------------------------------------------------------


def test_symptoms_are_split_into_present_unsure_and_pertinent_negatives(combined):
    assert [a.id for a in combined.present] == ["cancer"]
    assert [a.id for a in combined.not_sure] == ["night_pain"]
    assert [a.id for a in combined.negatives] == ["chest", "injury"]
    assert [(a.id, a.answer) for a in combined.pain] == [("pain_now", "6/10")]
    assert combined.raised_by_combination and combined.disposition.level.value == "within_24h"


def test_the_summary_carries_who_answered_the_override_and_the_notes(hostile):
    assert hostile.nurse.startswith("Nurse <script>") and hostile.respondent == "someone_else"
    assert hostile.override.direction == "lowered" and "GP" in hostile.override.reason
    assert {n.question_id for n in hostile.notes} == {None, "cancer"}
    assert hostile.age_years == 70 and hostile.ruleset_hash and hostile.disclaimer and hostile.safety_net


def test_nurse_mode_uses_third_person_wording(hostile):
    assert any(a.question == "Has the patient had cancer?" for a in hostile.present)


def test_created_must_be_timezone_aware(mini_ruleset, mini_assessor):
    answers_file = parse_answers(mini_ruleset, MINI_VIGNETTES["self_care"])
    with pytest.raises(ValueError, match="timezone-aware"):
        build_summary(mini_ruleset, answers_file, mini_assessor.assess(answers_file), datetime(2026, 1, 1))
    default = build_summary(mini_ruleset, answers_file, mini_assessor.assess(answers_file))
    assert default.created.tzinfo is not None


def test_real_rules_summary_has_timeline_and_provider_questions(typical):
    assert typical.timeline, "onset/duration questions should be recognised in the shipped rules"
    assert typical.pain and typical.provider_questions and typical.negatives


def test_every_section_heading_appears_in_every_readable_format(typical):
    for fmt in ("text", "markdown", "html"):
        produced = render(typical, fmt).decode("utf-8")
        for heading in [section.heading for section in outline(typical, brief=fmt == "html")]:
            assert heading.lower() in produced.lower(), (fmt, heading)


def test_the_answers_are_grouped_under_a_clinicians_headings(typical):
    """The summary is for a clinician: "About the patient", "Pain", never "About you" or "Your pain"."""
    for fmt in ("text", "markdown", "html"):
        produced = render(typical, fmt).decode("utf-8")
        assert "About the patient" in produced and "About you" not in produced and "Your pain" not in produced, fmt


# --- saving -------------------------------------------------------------------------------------


def _save(mini_ruleset, mini_assessor, path, **kwargs):
    answers_file = parse_answers(mini_ruleset, MINI_VIGNETTES["emergency"])
    return save_summary(mini_ruleset, answers_file, mini_assessor.assess(answers_file), path, **kwargs)


@pytest.mark.parametrize("suffix", sorted(EXTENSIONS))
def test_every_extension_writes_a_private_file(mini_ruleset, mini_assessor, tmp_path, suffix):
    path = _save(mini_ruleset, mini_assessor, tmp_path / f"summary{suffix}", created=CREATED)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes()[:5] in {b"%PDF-", b"<!DOC", b"MINI ", b"# Min", b"{\n  \""}


def test_an_existing_file_is_kept_unless_forced(mini_ruleset, mini_assessor, tmp_path):
    path = tmp_path / "summary.txt"
    path.write_text("keep me")
    with pytest.raises(OutputError, match="already exists"):
        _save(mini_ruleset, mini_assessor, path)
    assert path.read_text() == "keep me"
    _save(mini_ruleset, mini_assessor, path, force=True)
    assert "Call emergency services now" in path.read_text()


@pytest.mark.parametrize(
    "name, message",
    [("summary.docx", "cannot tell the summary format"), ("summary", "no extension"), ("missing/summary.txt", "does not exist")],
)
def test_bad_output_paths_are_one_line_errors_and_write_nothing(mini_ruleset, mini_assessor, tmp_path, name, message):
    with pytest.raises(OutputError, match=message) as error:
        _save(mini_ruleset, mini_assessor, tmp_path / name)
    assert "\n" not in str(error.value)
    assert list(tmp_path.iterdir()) == []


def test_a_directory_is_not_a_summary_file(mini_ruleset, mini_assessor, tmp_path):
    with pytest.raises(OutputError, match="is a directory"):
        _save(mini_ruleset, mini_assessor, tmp_path, force=True)


def test_explicit_format_wins_over_the_extension(mini_ruleset, mini_assessor, tmp_path):
    path = _save(mini_ruleset, mini_assessor, tmp_path / "summary.txt", fmt="html")
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    with pytest.raises(OutputError, match="unknown summary format"):
        _save(mini_ruleset, mini_assessor, tmp_path / "other.txt", fmt="docx")


def test_every_format_has_a_renderer():
    assert set(RENDERERS) == set(FORMATS) == set(EXTENSIONS.values())


# --- escaping -----------------------------------------------------------------------------------


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_html_escapes_every_typed_text(hostile):
    page = render(hostile, "html").decode("utf-8")
    parser = _Elements()
    parser.feed(page)
    tags = {tag for tag, _ in parser.tags}
    assert tags <= {"html", "head", "meta", "title", "style", "body", "main", "header", "h1", "h2", "h3", "p", "dl", "div", "dt", "dd", "section", "ul", "ol", "li", "strong", "span", "a", "br", "footer",
                    "table", "thead", "tbody", "tr", "th", "td"}
    assert "script" not in tags and "img" not in tags
    assert not any(name.startswith("on") for _, attrs in parser.tags for name in attrs)
    assert all(attrs["href"].startswith("https://") for tag, attrs in parser.tags if tag == "a")
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page and UNICODE_NAME in page


def test_markdown_escapes_every_typed_text(hostile):
    document = render(hostile, "markdown").decode("utf-8")
    tokens = MarkdownIt("commonmark").parse(document)
    inline = [c for t in tokens for c in (t.children or [])]
    kinds = {t.type for t in tokens} | {c.type for c in inline}
    assert not kinds & {"html_inline", "html_block", "image"}
    sources = {source.url for finding in hostile.findings for source in finding.sources}
    assert {c.attrs["href"] for c in inline if c.type == "link_open"} <= sources, "the only links are the rules' sources"
    html = MarkdownIt("commonmark").render(document)
    assert "<script>" not in html and "&lt;script&gt;" in html and UNICODE_NAME in html
    assert "<h1>" in html and html.count("<h1>") == 1  # "# not a heading" in a note stays text


def test_text_keeps_typed_text_verbatim_and_unicode(hostile):
    text = render(hostile, "text").decode("utf-8")
    assert HOSTILE.split()[0] in text and UNICODE_NAME in text
    assert max(len(line) for line in text.splitlines()) <= 78 or "sha256" in text


# --- HTML for print -----------------------------------------------------------------------------


def test_html_is_self_contained_with_print_rules(typical):
    page = render(typical, "html").decode("utf-8")
    assert not re.search(r"(?i)\bsrc\s*=|url\(|@import|<link|<script", page)
    assert "@page" in page and "size: auto" in page  # the printer's paper: A4 or Letter
    assert "break-inside: avoid" in page and "break-after: avoid" in page
    assert "print-color-adjust: exact" in page
    assert page.index("Result") < page.index("What was found")


# --- PDF ----------------------------------------------------------------------------------------


def _pdf_text(summary) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(render(summary, "pdf")))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def test_pdf_holds_the_key_sections_in_order_and_the_unicode_name(typical):
    pages, text = _pdf_text(typical)
    flat = " ".join(text.split())
    assert UNICODE_NAME in flat
    order = ["RESULT", typical.disposition.label, "What was found", "Answers at a glance", "Get help now if things change",
             "Advice given"]
    positions = [flat.index(part) for part in order]
    assert positions == sorted(positions)
    reader = PdfReader(io.BytesIO(render(typical, "pdf")))
    for page in reader.pages:  # the printed copy's disclaimer is its running footer, on every page
        assert "Not a diagnosis: this check does not replace a clinician" in " ".join(page.extract_text().split())
    assert typical.ruleset_hash in flat.replace(" ", "")


def test_a_typical_case_fits_on_two_pages(typical):
    pages, _ = _pdf_text(typical)
    assert pages <= 2


def test_pdf_of_hostile_input_shows_it_as_text(hostile):
    _, text = _pdf_text(hostile)
    flat = " ".join(text.split())
    assert '<script>alert("x")</script>' in flat and "Lowered" in flat


# --- command line -------------------------------------------------------------------------------


@pytest.fixture
def answers_path(tmp_path):
    path = tmp_path / "answers.yaml"
    import yaml

    path.write_text(yaml.safe_dump(MINI_VIGNETTES["emergency"], allow_unicode=True), encoding="utf-8")
    return path


def test_cli_saves_the_summary_in_the_format_of_the_extension(answers_path, tmp_path, capsys):
    target = tmp_path / "out.md"
    assert main(["--rules", str(MINI), "assess", str(answers_path), "--summary", str(target)]) == 0
    assert target.read_text(encoding="utf-8").startswith("# Mini test ruleset")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert "RESULT" in capsys.readouterr().out


def test_cli_summary_format_overrides_the_extension(answers_path, tmp_path):
    target = tmp_path / "out.txt"
    assert main(["--rules", str(MINI), "assess", str(answers_path), "--summary", str(target), "--summary-format", "pdf"]) == 0
    assert target.read_bytes().startswith(b"%PDF-")


def test_cli_refuses_to_overwrite_without_force(answers_path, tmp_path, capsys):
    target = tmp_path / "out.html"
    target.write_text("old")
    assert main(["--rules", str(MINI), "assess", str(answers_path), "--summary", str(target)]) == 2
    captured = capsys.readouterr()
    assert captured.err.strip().count("\n") == 0 and "--force" in captured.err and captured.out == ""
    assert target.read_text() == "old"
    assert main(["--rules", str(MINI), "assess", str(answers_path), "--summary", str(target), "--force"]) == 0
    assert "<!DOCTYPE html>" in target.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["out.docx", "no/such/folder/out.txt", "."])
def test_cli_bad_summary_path_is_exit_2_and_nothing_written(answers_path, tmp_path, capsys, name):
    before = sorted(tmp_path.rglob("*"))
    target = tmp_path / name if name != "." else tmp_path
    assert main(["--rules", str(MINI), "assess", str(answers_path), "--summary", str(target)]) == 2
    assert capsys.readouterr().err.startswith("triage: error: ")
    assert sorted(tmp_path.rglob("*")) == before


def test_markdown_links_only_the_rules_own_sources(tmp_path):
    """Source addresses from the rules are links; the same kind of address typed in a note is not."""
    from markdown_it import MarkdownIt

    from triage.report.markdown import escape

    source = "https://example.org/source"
    html = MarkdownIt().render(escape(f"Sources: Test source {source}; typed: https://evil.example/x", frozenset({source})))
    assert f'<a href="{source}">' in html
    assert "evil.example" in html and 'href="https://evil' not in html


# --- a clinician's words: short labels, rationales without the reviewers' notes ----------------------


def test_every_question_has_a_short_label_for_the_answers_table(ruleset):
    from triage.report.content import load_summary_content

    labels = load_summary_content(ruleset).short_labels
    missing = [q.id for q in ruleset.questions if not labels.get(q.id)]
    assert not missing, f"rules/summary.yaml short_labels has no entry for {missing}"
    assert set(labels) <= set(ruleset.question_by_id), "a short label for a question that does not exist"
    assert all(len(label) <= 60 for label in labels.values()), "short labels are short"


def _every_answer(ruleset, reply: str) -> dict:
    """Every yes/no question answered ``reply``, the others as a benign case, only what applies."""
    answers: dict = {}
    benign = benign_answers(ruleset)
    for q in ruleset.questions:  # in asking order: ask_when sees only the answers before it
        if q.ask_when is not None and not q.asked_when(answers):
            continue
        if q.type.value == "yes_no_unsure":
            answers[q.id] = reply
        elif q.id in benign:
            answers[q.id] = benign[q.id]
        elif q.type.value in ("single", "multi"):
            answers[q.id] = q.codes[0] if q.type.value == "single" else [q.codes[0]]
    return answers


def test_no_summary_shows_a_review_note_or_a_rule_id(ruleset, assessor):
    """Every red flag answered yes, then not sure (dozens of findings): the reviewers' notes stay in docs/rules.md."""
    for reply in ("yes", "not_sure"):
        summary = summary_for(ruleset, assessor, {"answers": _every_answer(ruleset, reply)})
        assert len(summary.findings) > 10
        for fmt in ("text", "markdown", "html"):
            shown = " ".join(render(summary, fmt).decode("utf-8").split())
            for finding in ruleset.findings:
                if finding.review_note:
                    assert " ".join(finding.review_note.split()) not in shown, (fmt, finding.id)
                assert f"({finding.id})" not in shown and f" {finding.id} " not in shown, (fmt, finding.id)
            assert "facts.md" not in shown and "(facts " not in shown, fmt
