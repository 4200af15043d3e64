"""Nurse mode picks the patient from the record first (or a new one): both front ends, a real record file."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

import pytest
from test_interactive_support import FIXED_NOW, Reply, ScriptedArrows, ScriptedLines, arrow_terminal, calm_answers, planned

from triage.assessment.answers import AnswersFile, Patient
from triage.interactive import _record_visit, run_with
from triage.interactive.plain import PlainPrompter
from triage.interactive.store import DraftStore
from triage.record.entries import record_assessment
from triage.record.store import RecordStore

pytestmark = pytest.mark.timeout(90)
SEEN = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def data_dir(tmp_path, monkeypatch, mini_ruleset, mini_assessor):
    """A record with Ann (seen 2026-03-02) and Bob (no date of birth, seen 2026-03-04), and "me"."""
    folder = tmp_path / "data"
    monkeypatch.setenv("TRIAGE_DATA_DIR", str(folder))
    monkeypatch.chdir(tmp_path)
    answers = calm_answers(mini_ruleset, mini_assessor)
    with RecordStore(folder) as store:
        for patient, when in ((Patient(name="Ann Example", date_of_birth="1980-04-02"), SEEN),
                              (Patient(name="Bob Sample"), SEEN + timedelta(days=2)), (None, SEEN + timedelta(days=3))):
            document = AnswersFile(answers=answers, patient=patient)
            record_assessment(store, document, mini_assessor.assess(document), started=when, ended=when, source="file")
    return folder


ANN_AGE = {"age": 46}  # born 1980-04-02: 46 on the session's day (FIXED_NOW), as the age prompt checks


def _script(pick, answers, **extra):
    plan = {"nurse": [Reply("Nurse Kim")], "save": [Reply(False)], "override": [Reply("keep")], **extra}

    def script(spec):
        if spec.message.startswith("Which patient?"):
            script.offered = spec
            return Reply(pick(spec))
        return planned(plan, answers)(spec)

    script.offered = None
    return script


def _ann(spec):
    return next(value for value, label in spec.options if label.startswith("Ann Example"))


def _people(folder):
    with RecordStore(folder) as store:
        return {row.person: row.id for row in reversed(store.history())}


@pytest.mark.parametrize("front_end", ["arrows", "lines"])
def test_the_nurse_picks_a_known_patient_and_the_visit_is_recorded_under_them(mini_ruleset, mini_assessor, data_dir, front_end):
    script = _script(_ann, calm_answers(mini_ruleset, mini_assessor) | ANN_AGE)
    if front_end == "arrows":
        with arrow_terminal() as (pipe, _screen):
            prompter = ScriptedArrows(script, pipe)
            code = run_with(mini_ruleset, mini_assessor, prompter, DraftStore(data_dir), nurse=True,
                            clock=lambda: FIXED_NOW, recorder=_record_visit)
    else:
        prompter = ScriptedLines(script)
        code = run_with(mini_ruleset, mini_assessor, prompter, DraftStore(data_dir), nurse=True,
                        clock=lambda: FIXED_NOW, recorder=_record_visit)
    assert code == 0
    labels = [label for _, label in script.offered.options]
    assert labels == ["Bob Sample, last seen 2026-03-04", "Ann Example (born 1980-04-02), last seen 2026-03-02", "A new patient"]
    asked = [spec.message for spec in prompter.asked]
    assert asked.index("Your name (the nurse):") < asked.index(script.offered.message), "the nurse's name comes first"
    assert not any(message.startswith("Patient's name") or message.startswith("Patient's date of birth") for message in asked)
    with RecordStore(data_dir) as store:
        rows = store.history()
    assert [row.person for row in rows if row.kind == "questionnaire"] == ["Ann Example (1980-04-02)"]
    assert len({row.person for row in rows}) == 3, "no new person"


def test_a_new_patient_is_asked_for_name_and_date_of_birth(mini_ruleset, mini_assessor, data_dir):
    answers = calm_answers(mini_ruleset, mini_assessor)
    script = _script(lambda spec: "new", answers)
    prompter = ScriptedLines(lambda spec: Reply("Cy New") if spec.message.startswith("Patient's name") else script(spec))
    assert run_with(mini_ruleset, mini_assessor, prompter, DraftStore(data_dir), nurse=True, clock=lambda: FIXED_NOW,
                    recorder=_record_visit) == 0
    assert script.offered is not None
    with RecordStore(data_dir) as store:
        assert [row.person for row in store.history() if row.kind == "questionnaire"] == ["Cy New"]


def test_piped_plain_input_is_not_offered_the_patients_and_is_told_so(mini_ruleset, mini_assessor, data_dir):
    lines = ["Nurse Kim", "1", "Dee Piped", ""]  # the intro, then the input ends (a draft is kept)
    prompter = PlainPrompter(io.StringIO("\n".join(lines) + "\n"), io.StringIO(), interactive=False, width=100)
    assert run_with(mini_ruleset, mini_assessor, prompter, DraftStore(data_dir), nurse=True, clock=lambda: FIXED_NOW,
                    recorder=_record_visit) == 130
    screen = prompter.stdout.getvalue()
    assert "Which patient?" not in screen and "A new patient" not in screen
    assert "Piped input: the 2 patients in the record on this computer are not offered" in " ".join(screen.split())
    assert DraftStore(data_dir).load().visit.patient_name == "Dee Piped", "the typed name is the patient"


def test_without_a_record_the_intro_is_as_before(mini_ruleset, mini_assessor, tmp_path, monkeypatch):
    monkeypatch.setenv("TRIAGE_DATA_DIR", str(tmp_path / "empty"))
    monkeypatch.chdir(tmp_path)
    script = _script(_ann, calm_answers(mini_ruleset, mini_assessor) | ANN_AGE)
    prompter = ScriptedLines(script)
    assert run_with(mini_ruleset, mini_assessor, prompter, DraftStore(tmp_path / "empty"), nurse=True,
                    clock=lambda: FIXED_NOW, recorder=_record_visit) == 0
    assert script.offered is None
    assert any(spec.message.startswith("Patient's name") for spec in prompter.asked)


def test_the_saved_summary_of_a_patient_with_check_ins_shows_the_trend(mini_ruleset, mini_assessor, data_dir, tmp_path):
    with RecordStore(data_dir) as store:
        ann = next(person for person in store.people() if person.name == "Ann Example")
        base = store.latest_assessment(ann)
        store.add_checkin(ann, base_id=base.id, at=SEEN + timedelta(days=1), pain=2, course="better",
                          ruleset_version=base.ruleset_version, ruleset_hash=base.ruleset_hash, disposition="self_care",
                          answers_json=base.answers_json, assessment_json=base.assessment_json)
    script = _script(_ann, calm_answers(mini_ruleset, mini_assessor) | ANN_AGE, save=[Reply(True)],
                     formats=[Reply(["html", "text"])], folder=[Reply(str(tmp_path))])
    prompter = ScriptedLines(script)
    assert run_with(mini_ruleset, mini_assessor, prompter, DraftStore(data_dir), nurse=True, clock=lambda: FIXED_NOW,
                    recorder=_record_visit) == 0
    html = next(tmp_path.glob("neck-triage-summary-*.html")).read_text(encoding="utf-8")
    assert "<svg" in html and "Pain over time" in html
    text = " ".join(next(tmp_path.glob("neck-triage-summary-*.txt")).read_text(encoding="utf-8").split())
    assert "on 2026-03-02 →" in text and "2026-03-03 2" in text
