"""The pain trend: sparkline, SVG chart and FHIR Observations from one series of (moment, score)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone

import pytest
from fhir.resources.R4B.observation import Observation

from triage.record.trend import pain_series
from triage.report.chart import BLOCKS, LOINC_PAIN, pain_observations, sparkline, svg_chart

START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
SERIES = [(START + timedelta(days=n), score) for n, score in enumerate([7, 6, 6, 4, 2, 0, 10])]
SVG = "{http://www.w3.org/2000/svg}"


def test_the_sparkline_has_one_bar_per_score_and_the_first_and_last_dates():
    line = sparkline(SERIES)
    bars = line.split()[2]
    assert len(bars) == len(SERIES)
    assert bars[5] == BLOCKS[0] and bars[6] == BLOCKS[-1], "0 is the lowest bar, 10 the highest"
    assert "7 on 2026-03-02" in line and "10 on 2026-03-08" in line


def test_no_scores_no_sparkline_and_missing_scores_are_left_out():
    assert sparkline([]) == ""
    assert pain_series([(START, None), (START + timedelta(days=1), 3), (START - timedelta(days=1), 5)]) == [
        (START - timedelta(days=1), 5), (START + timedelta(days=1), 3)]


def test_the_svg_chart_is_well_formed_with_a_point_per_score():
    root = ET.fromstring(svg_chart(SERIES))
    assert root.tag == f"{SVG}svg"
    circles = root.findall(f"{SVG}circle")
    assert len(circles) == len(SERIES)
    heights = [float(c.get("cy")) for c in circles]
    assert heights[6] < heights[0] < heights[5], "higher pain is drawn higher"
    texts = [t.text for t in root.findall(f"{SVG}text")]
    assert "2026-03-02" in texts and "2026-03-08" in texts
    assert "2026-03-02 7" in root.find(f"{SVG}title").text


@pytest.mark.parametrize("series", [[], SERIES[:1]])
def test_the_chart_of_one_score_or_none_is_still_well_formed(series):
    root = ET.fromstring(svg_chart(series))
    assert len(root.findall(f"{SVG}circle")) == len(series)


def test_each_score_is_a_valid_fhir_observation_with_the_loinc_pain_code():
    observations = pain_observations(SERIES, subject="Ann Example")
    assert len(observations) == len(SERIES)
    for data, (moment, score) in zip(observations, SERIES):
        checked = Observation.model_validate(data)
        assert checked.code.coding[0].code == LOINC_PAIN and checked.code.coding[0].system == "http://loinc.org"
        assert data["valueInteger"] == score
        assert data["effectiveDateTime"].startswith(moment.date().isoformat())
