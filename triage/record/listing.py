"""``triage history`` and the heading of ``triage show``: the record as text or JSON, newest first."""

from __future__ import annotations

import json
from collections import defaultdict

from ..report.chart import sparkline
from .drafts import DraftRow
from .store import Entry, Row, utc_text
from .trend import pain_series

KINDS = {"questionnaire": "questionnaire", "file": "answers file", "checkin": "check-in"}
COURSE_WORDS = {"better": "better", "same": "about the same", "worse": "worse"}
SPARK_POINTS = 30  # the newest scores in a history's sparkline, per person
EMPTY = "No records yet. A finished questionnaire (`triage`) is kept here, and `triage checkin` adds how it goes."


def history_text(rows: list[Row], unfinished: list[DraftRow] = ()) -> str:
    """The table of records, each person's sparkline, then the unfinished questionnaires (not assessments)."""
    if not rows:
        return "\n".join([EMPTY, *_unfinished_text(unfinished)])
    width = max(12, *(len(row.person) for row in rows))
    lines = [f"{'ID':<8}{'WHEN':<18}{'PERSON':<{width + 2}}{'WHAT':<36}RESULT"]
    lines += [f"{row.id:<8}{row.local}  {row.person:<{width + 2}}{_what(row):<36}{row.disposition}" for row in rows]
    by_person: dict[str, list[Row]] = defaultdict(list)
    for row in rows:  # newest first
        if row.pain is not None and len(by_person[row.person]) < SPARK_POINTS:
            by_person[row.person].append(row)
    trends = [(person, sparkline(pain_series((r.moment, r.pain) for r in newest))) for person, newest in by_person.items()]
    lines += [""] + [f"{person}: {line}" for person, line in trends if line]
    return "\n".join(lines + _unfinished_text(unfinished))


def _unfinished_text(unfinished: list[DraftRow]) -> list[str]:
    if not unfinished:
        return []
    lines = ["", "Unfinished questionnaires (not assessed; `triage resume --person NAME` continues one):"]
    for draft in unfinished:
        saved = f"{draft.saved_at:%Y-%m-%d %H:%M}"
        if draft.started_at:
            same_day = draft.started_at.date() == draft.saved_at.date()
            saved = f"started {draft.started_at:%Y-%m-%d %H:%M}, last saved {saved[11:] if same_day else saved}"
        else:
            saved = f"last saved {saved}"
        aside = f" - kept aside, not offered: {draft.set_aside}" if draft.set_aside else ""
        lines.append(f"  {draft.person.label}: {saved}{aside}")
    return lines


def _what(row: Row) -> str:
    if row.kind != "checkin":
        return KINDS.get(row.kind, row.kind) + (f", pain {row.pain}" if row.pain is not None else "")
    return f"check-in: pain {row.pain}, {COURSE_WORDS.get(row.course or '', row.course)}"


def history_json(rows: list[Row], unfinished: list[DraftRow] = ()) -> str:
    records = [{"id": row.id, "kind": row.kind, "at": row.at, "person": row.person,
                "disposition": row.disposition, "pain": row.pain, **({"course": row.course} if row.course else {})}
               for row in rows]
    drafts = [{"person": draft.person.label, "started": utc_text(draft.started_at) if draft.started_at else None,
               "saved": utc_text(draft.saved_at), "set_aside": draft.set_aside} for draft in unfinished]
    return json.dumps({"records": records, "unfinished": drafts}, indent=2, ensure_ascii=False)


def entry_heading(entry: Entry) -> str:
    """'a12: questionnaire for me, 2026-05-01 10:20 (started 10:12); rules 1.0 (sha256 3fa4…)'."""
    rules = f"rules {entry.ruleset_version} (sha256 {entry.ruleset_hash[:12]})"
    if entry.kind == "checkin":
        return (f"{entry.id}: check-in for {entry.person.label}, {entry.ended_at:%Y-%m-%d %H:%M}: pain {entry.pain}/10, "
                f"{COURSE_WORDS.get(entry.course or '', entry.course)} (on top of {entry.base_id}); {rules}")
    pain = f", pain {entry.pain}/10" if entry.pain is not None else ""
    return (f"{entry.id}: {KINDS.get(entry.kind, entry.kind)} for {entry.person.label}, {entry.ended_at:%Y-%m-%d %H:%M} "
            f"(started {entry.started_at:%H:%M}){pain}; {rules}")
