"""The pain scores over time, drawn: a one-line sparkline, an SVG chart, the chart's geometry for the
PDF, and FHIR Observations (LOINC 72514-3).

A series is a sequence of ``(moment, score)`` with aware moments and scores 0-10, oldest first. Pure
functions of the series: the text and Markdown summaries, the HTML (SVG), the PDF (vector lines drawn
from ``geometry``) and the FHIR export all draw from the same points, so they cannot disagree. The
record computes the series (``record.trend``) and passes it in: nothing here reads the record.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape

BLOCKS = "▁▂▃▄▅▆▇█"
LOINC_PAIN = "72514-3"
LOINC_PAIN_DISPLAY = "Pain severity - 0-10 verbal numeric rating [Score] - Reported"
GRID_SCORES = (0, 5, 10)
LABEL_EACH_POINT = 15  # up to this many points, each one has its score written above it

Series = Sequence[tuple[datetime, int]]


def sparkline(series: Series) -> str:
    """'Pain (0-10): ▅▅▄▂  6 on 2026-05-01 → 2 on 2026-05-09'; empty when there are no scores."""
    if not series:
        return ""
    bars = "".join(BLOCKS[round(score * (len(BLOCKS) - 1) / 10)] for _, score in series)
    (first_at, first), (last_at, last) = series[0], series[-1]
    if len(series) == 1:
        return f"Pain (0-10): {bars}  {first} on {first_at:%Y-%m-%d}"
    return f"Pain (0-10): {bars}  {first} on {first_at:%Y-%m-%d} → {last} on {last_at:%Y-%m-%d}"


def scores_text(series: Series) -> str:
    """'2026-03-02 7; 2026-03-03 6; ...': every score with its date, for text and Markdown."""
    return "; ".join(f"{at:%Y-%m-%d} {score}" for at, score in series)


def description(series: Series) -> str:
    if not series:
        return "No pain scores recorded"
    return "Pain score over time: " + ", ".join(f"{at:%Y-%m-%d} {score}" for at, score in series)


@dataclass(frozen=True)
class Geometry:
    """Where a chart's marks go inside a plot box (any unit; y grows downwards, as in SVG and PDF)."""

    points: tuple[tuple[float, float], ...]
    grid: tuple[tuple[int, float], ...]  # (score, y) of each horizontal grid line
    labelled: bool  # whether each point's score is written next to it


def geometry(series: Series, left: float, top: float, width: float, height: float) -> Geometry:
    """0 at the bottom of the box, 10 at the top; time from left to right (one point: in the middle)."""
    grid = tuple((score, top + height * (1 - score / 10)) for score in GRID_SCORES)
    if not series:
        return Geometry((), grid, False)
    start, end = series[0][0].timestamp(), series[-1][0].timestamp()
    span = end - start
    points = tuple((left + (width * (at.timestamp() - start) / span if span else width / 2), top + height * (1 - score / 10))
                   for at, score in series)
    return Geometry(points, grid, len(series) <= LABEL_EACH_POINT)


def svg_chart(series: Series, width: int = 360, height: int = 140) -> str:
    """An inline SVG line chart of the scores with the first and last dates under it.

    Made only of numbers and dates from the series (the title's text is escaped), so it can be put
    straight into HTML; nothing in it loads anything."""
    left, right, top, bottom = 28, 10, 12, 22
    shape = geometry(series, left, top, width - left - right, height - top - bottom)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             'role="img" aria-label="Pain score over time (0-10)">',
             f"<title>{escape(description(series))}</title>"]
    for score, y in shape.grid:
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#ccc" stroke-width="1"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 3.5:.1f}" font-size="10" text-anchor="end">{score}</text>')
    if len(shape.points) > 1:
        line = " ".join(f"{x:.1f},{y:.1f}" for x, y in shape.points)
        parts.append(f'<polyline points="{line}" fill="none" stroke="#1f4e79" stroke-width="2"/>')
    parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#1f4e79"/>' for x, y in shape.points]
    if shape.labelled:
        parts += [f'<text x="{x:.1f}" y="{y - 5:.1f}" font-size="9" text-anchor="middle" fill="#1f4e79">{score}</text>'
                  for (x, y), (_, score) in zip(shape.points, series)]
    if series:
        parts.append(f'<text x="{left}" y="{height - 6}" font-size="10">{series[0][0]:%Y-%m-%d}</text>')
        if len(series) > 1:
            parts.append(f'<text x="{width - right}" y="{height - 6}" font-size="10" text-anchor="end">{series[-1][0]:%Y-%m-%d}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def pain_observations(series: Series, subject: str | None = None, subject_reference: str | None = None,
                      ids: Sequence[str] = ()) -> list[dict]:
    """One FHIR R4 Observation per score (LOINC 72514-3, pain severity 0-10), as plain JSON data.

    ``subject_reference`` (e.g. ``#patient``) links each to the patient; else ``subject`` names them
    in words. ``ids``: one resource id per score (needed when they are contained)."""
    observations = []
    for number, (at, score) in enumerate(series):
        observation = {
            "resourceType": "Observation",
            **({"id": ids[number]} if ids else {}),
            "status": "final",
            "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                      "code": "survey", "display": "Survey"}]}],
            "code": {"coding": [{"system": "http://loinc.org", "code": LOINC_PAIN, "display": LOINC_PAIN_DISPLAY}],
                     "text": "Neck pain now (0-10)"},
            "effectiveDateTime": at.isoformat(timespec="seconds"),
            "valueInteger": score,
        }
        if subject_reference:
            observation["subject"] = {"reference": subject_reference}
        elif subject:
            observation["subject"] = {"display": subject}
        observations.append(observation)
    return observations
