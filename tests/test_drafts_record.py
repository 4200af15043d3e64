"""Unfinished questionnaires in the record (issue 17): one per person, held by one running triage.

Every test uses the real SQLite file and, where two sessions matter, real processes.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from triage.record.drafts import save_draft
from triage.record.people import PersonRef
from triage.record.store import RecordStore

SAVED = datetime(2026, 11, 23, 19, 0, tzinfo=timezone.utc)


def put_draft(data_dir: Path, payload: str, person: PersonRef = PersonRef()) -> None:
    """A draft row written straight into the record (for drafts a session could never write)."""
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    with RecordStore(data_dir) as store:
        save_draft(store, person, payload, saved=SAVED, started=None)


def open_drafts(data_dir: Path) -> list[tuple[str, str]]:
    """(person key, payload) of each open draft."""
    with RecordStore(data_dir) as store:
        return store._read("SELECT p.key, d.payload FROM drafts d JOIN people p ON p.id = d.person_id "
                           "WHERE d.set_aside IS NULL ORDER BY d.id")


def set_aside_drafts(data_dir: Path) -> list[tuple[str, str]]:
    """(payload, why) of each draft kept aside."""
    with RecordStore(data_dir) as store:
        return store._read("SELECT payload, set_aside FROM drafts WHERE set_aside IS NOT NULL ORDER BY id")
