"""The pain scores over time, from the record: the series a summary, ``history`` and ``checkin`` draw.

The drawing itself (sparkline, SVG, the PDF chart's geometry, FHIR Observations) is in
``report.chart``: the report stage never reads the record, so the record computes the points and
hands them to the summary (``Summary.pain_trend``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .store import Entry, RecordStore

TREND_POINTS = 30  # the newest scores a summary's chart shows
Series = list[tuple[datetime, int]]


def pain_series(points: Iterable[tuple[datetime, int | None]]) -> Series:
    """The scores with a value, oldest first."""
    return sorted(((at, score) for at, score in points if score is not None), key=lambda point: point[0])


def summary_trend(store: RecordStore, entry: Entry) -> Series:
    """The pain scores of ``entry``'s person up to and including ``entry`` (the newest ``TREND_POINTS``),
    oldest first; empty unless the person has a check-in among them (a questionnaire alone has no course)."""
    rows = [row for row in store.history(entry.person) if row.pain is not None and row.moment <= entry.ended_at]
    newest = rows[:TREND_POINTS]  # history is newest first
    if not any(row.kind == "checkin" for row in newest):
        return []
    return pain_series((row.moment, row.pain) for row in newest)
