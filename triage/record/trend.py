"""The pain scores over time: a one-line sparkline, a small SVG chart, FHIR Observations.

A series is a list of ``(moment, score)`` with scores 0-10, oldest first. Pure functions: the
terminal, the HTML/PDF summaries and the FHIR export draw from the same series.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from html import escape

BLOCKS = "▁▂▃▄▅▆▇█"
LOINC_PAIN = "72514-3"
LOINC_PAIN_DISPLAY = "Pain severity - 0-10 verbal numeric rating [Score] - Reported"

Series = list[tuple[datetime, int]]


def pain_series(points: Iterable[tuple[datetime, int | None]]) -> Series:
    """The scores with a value, oldest first."""
    return sorted(((at, score) for at, score in points if score is not None), key=lambda point: point[0])


def sparkline(series: Series) -> str:
    """'Pain (0-10): ▅▅▄▂  6 on 2026-05-01 → 2 on 2026-05-09'; empty when there are no scores."""
    if not series:
        return ""
    bars = "".join(BLOCKS[round(score * (len(BLOCKS) - 1) / 10)] for _, score in series)
    (first_at, first), (last_at, last) = series[0], series[-1]
    if len(series) == 1:
        return f"Pain (0-10): {bars}  {first} on {first_at:%Y-%m-%d}"
    return f"Pain (0-10): {bars}  {first} on {first_at:%Y-%m-%d} → {last} on {last_at:%Y-%m-%d}"


def svg_chart(series: Series, width: int = 360, height: int = 140) -> str:
    """An inline SVG line chart of the scores (0 at the bottom, 10 at the top) with the first and
    last dates under it; text that can be put straight into HTML."""
    left, right, top, bottom = 28, 10, 10, 24
    plot_w, plot_h = width - left - right, height - top - bottom
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             'role="img" aria-label="Pain score over time (0-10)">',
             f"<title>{escape(_description(series))}</title>"]
    for score in (0, 5, 10):
        y = top + plot_h * (1 - score / 10)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#ccc" stroke-width="1"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="10" text-anchor="end">{score}</text>')
    points = _points(series, left, top, plot_w, plot_h)
    if len(points) > 1:
        line = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(f'<polyline points="{line}" fill="none" stroke="#1f4e79" stroke-width="2"/>')
    parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#1f4e79"/>' for x, y in points]
    if series:
        parts.append(f'<text x="{left}" y="{height - 6}" font-size="10">{series[0][0]:%Y-%m-%d}</text>')
        if len(series) > 1:
            parts.append(f'<text x="{width - right}" y="{height - 6}" font-size="10" text-anchor="end">{series[-1][0]:%Y-%m-%d}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def _points(series: Series, left: float, top: float, plot_w: float, plot_h: float) -> list[tuple[float, float]]:
    if not series:
        return []
    start, end = series[0][0].timestamp(), series[-1][0].timestamp()
    span = end - start
    return [(left + (plot_w * (at.timestamp() - start) / span if span else plot_w / 2), top + plot_h * (1 - score / 10))
            for at, score in series]


def _description(series: Series) -> str:
    if not series:
        return "No pain scores recorded"
    return "Pain score over time: " + ", ".join(f"{at:%Y-%m-%d} {score}" for at, score in series)


def pain_observations(series: Series, subject: str | None = None) -> list[dict]:
    """One FHIR R4 Observation per score (LOINC 72514-3, pain severity 0-10), as plain JSON data."""
    observations = []
    for at, score in series:
        observation = {
            "resourceType": "Observation",
            "status": "final",
            "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                      "code": "survey", "display": "Survey"}]}],
            "code": {"coding": [{"system": "http://loinc.org", "code": LOINC_PAIN, "display": LOINC_PAIN_DISPLAY}],
                     "text": "Neck pain now (0-10)"},
            "effectiveDateTime": at.isoformat(timespec="seconds"),
            "valueInteger": score,
        }
        if subject:
            observation["subject"] = {"display": subject}
        observations.append(observation)
    return observations
