"""Unfinished questionnaires in the record: one per person (the ``drafts`` table, schema 2).

The payload is the draft exactly as ``interactive.draft`` writes it: this module keeps it as text and
never reads inside it, so the draft's fields can change without a migration. A draft that does not
fit the rules any more is not deleted: it is kept with why (``set_aside``), never offered again,
and any number of those may sit beside the person's one open draft.

Which process may write a person's draft is not decided here: ``interactive.store`` holds a lock per
person while a questionnaire for them is open.

``quick_open_draft`` looks for a person's open draft read-only (nothing migrated or written, no
lock waited for), so the questionnaire's first screen waits for little more than importing ``sqlite3``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .people import PersonRef, person_key
from .store import SCHEMA_VERSION, Person, RecordStore, from_utc_text, utc_text

OPEN = "d.set_aside IS NULL"
_COLUMNS = "d.id, p.id, p.key, p.name, p.date_of_birth, d.started_at, d.saved_at, d.payload, d.set_aside"


@dataclass(frozen=True)
class DraftRow:
    id: int
    person: Person
    started_at: datetime | None
    saved_at: datetime
    payload: str
    set_aside: str | None = None


def _row(row: tuple) -> DraftRow:
    did, pid, key, name, born, started, saved, payload, aside = row
    return DraftRow(did, Person(pid, key, name, born), from_utc_text(started) if started else None, from_utc_text(saved),
                    payload, aside)


def open_draft(store: RecordStore, key: str) -> DraftRow | None:
    """The person's open draft (``key`` as ``people.person_key`` makes it), None if there is none."""
    rows = store._read(f"SELECT {_COLUMNS} FROM drafts d JOIN people p ON p.id = d.person_id WHERE p.key = ? AND {OPEN}",
                       (key,))
    return _row(rows[0]) if rows else None


def drafts(store: RecordStore, person: Person | None = None, *, set_aside: bool = False) -> list[DraftRow]:
    """Open drafts (or, with ``set_aside``, the ones kept aside), of one person or everyone, newest first."""
    where = "d.set_aside IS NOT NULL" if set_aside else OPEN
    params: tuple = ()
    if person is not None:
        where, params = f"{where} AND p.id = ?", (person.id,)
    rows = store._read(f"SELECT {_COLUMNS} FROM drafts d JOIN people p ON p.id = d.person_id WHERE {where} "
                       "ORDER BY d.saved_at DESC, d.id DESC", params)
    return [_row(row) for row in rows]


def save_draft(store: RecordStore, ref: PersonRef, payload: str, *, saved: datetime, started: datetime | None,
               replacing: tuple[str, ...] = ()) -> None:
    """Write the person's draft (one transaction); the open drafts of ``replacing`` (person keys this
    session wrote before, e.g. a half-typed patient name) are deleted in the same transaction."""
    key = person_key(ref)
    with store.transaction() as db:
        for old in replacing:
            if old != key:
                delete_draft(store, old)
        person = store.person(ref, saved)
        values = (utc_text(started) if started else None, utc_text(saved), payload, person.id)
        updated = db.execute("UPDATE drafts SET started_at = ?, saved_at = ?, payload = ? "
                             "WHERE person_id = ? AND set_aside IS NULL", values).rowcount
        if not updated:
            db.execute("INSERT INTO drafts (started_at, saved_at, payload, person_id) VALUES (?, ?, ?, ?)", values)


def delete_draft(store: RecordStore, key: str) -> None:
    """Delete the person's open draft (inside the caller's transaction, if any); never a set-aside one."""
    with store.transaction() as db:
        db.execute(f"DELETE FROM drafts AS d WHERE {OPEN} AND d.person_id IN (SELECT id FROM people WHERE key = ?)", (key,))


def set_draft_aside(store: RecordStore, draft_id: int, problem: str) -> None:
    """Keep the draft with why it cannot be used: never offered again, never deleted (but by ``forget``)."""
    with store.transaction() as db:
        db.execute("UPDATE drafts SET set_aside = ? WHERE id = ?", (problem, draft_id))


def import_draft(store: RecordStore, ref: PersonRef, payload: str, *, saved: datetime, started: datetime | None,
                 source: str, set_aside: str | None = None) -> bool:
    """A draft file of the file-based version, taken into the record once (``source`` is its file name);
    False if it was taken before. Set aside (with ``set_aside``, why) when it cannot be the person's open draft."""
    with store.transaction() as db:
        if db.execute("SELECT 1 FROM drafts WHERE imported_from = ?", (source,)).fetchone():
            return False
        person = store.person(ref, saved)
        if set_aside is None and open_draft(store, person.key) is not None:
            set_aside = "an older unfinished questionnaire for the same person"
        db.execute("INSERT INTO drafts (person_id, started_at, saved_at, payload, set_aside, imported_from) "
                   "VALUES (?, ?, ?, ?, ?, ?)",
                   (person.id, utc_text(started) if started else None, utc_text(saved), payload, set_aside, source))
    return True


def quick_open_draft(path: Path, key: str) -> bool | None:
    """Whether the record at ``path`` holds an open draft for ``key``: read-only and light (no migration,
    no lock waited for). None when it cannot tell (an older schema, a damaged or foreign file): then open
    the record properly, which migrates it or says what is wrong."""
    import sqlite3

    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=0.5)
    except sqlite3.Error:
        return None
    try:
        version = db.execute("SELECT version FROM schema_version").fetchone()
        if version is None or version[0] != SCHEMA_VERSION:
            return None
        row = db.execute("SELECT 1 FROM drafts d JOIN people p ON p.id = d.person_id WHERE p.key = ? AND "
                         "d.set_aside IS NULL", (key,)).fetchone()
        return row is not None
    except sqlite3.Error:
        return None
    finally:
        db.close()
