"""The record: one SQLite file (mode 0600, folder 0700), WAL, foreign keys on, a schema version.

Every write is one ``BEGIN IMMEDIATE`` transaction: a crash, ``kill -9`` or Ctrl-C leaves either
the whole record or none of it, and two ``triage`` processes at once queue for the write lock
(``busy_timeout``) instead of losing or mixing records. A record from a newer schema is refused and
never rewritten; a damaged or locked file is reported (exit 1, fail safe) and left as it is.

This module is plain SQL on plain values (no pydantic, no rules), so ``triage history`` over many
records stays quick; ``entries`` turns assessments into rows and back.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from ..errors import TriageError, UserError
from .people import ME, PersonRef, person_key

DB_FILE = "record.sqlite3"
BUSY_TIMEOUT_MS = 5000  # how long a write waits for another triage process to finish its write

# Each entry moves the schema one version up; never edit a shipped entry, append a new one.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE people (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        name TEXT,
        date_of_birth TEXT,
        created_at TEXT NOT NULL
    );
    CREATE TABLE assessments (
        id INTEGER PRIMARY KEY,
        person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        started_at TEXT NOT NULL,
        ended_at TEXT NOT NULL,
        source TEXT NOT NULL CHECK (source IN ('questionnaire', 'file')),
        ruleset_version TEXT NOT NULL,
        ruleset_hash TEXT NOT NULL,
        disposition TEXT NOT NULL,
        pain INTEGER CHECK (pain BETWEEN 0 AND 10),
        answers_json TEXT NOT NULL,
        assessment_json TEXT NOT NULL
    );
    CREATE INDEX assessments_by_person ON assessments (person_id, ended_at);
    CREATE TABLE checkins (
        id INTEGER PRIMARY KEY,
        person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        base_id INTEGER NOT NULL REFERENCES assessments(id) ON DELETE CASCADE,
        at TEXT NOT NULL,
        pain INTEGER NOT NULL CHECK (pain BETWEEN 0 AND 10),
        course TEXT NOT NULL CHECK (course IN ('better', 'same', 'worse')),
        ruleset_version TEXT NOT NULL,
        ruleset_hash TEXT NOT NULL,
        disposition TEXT NOT NULL,
        answers_json TEXT NOT NULL,
        assessment_json TEXT NOT NULL
    );
    CREATE INDEX checkins_by_person ON checkins (person_id, at);
    """,
    # 2: unfinished questionnaires, one per person (``drafts``); a damaged one is kept with why (``set_aside``)
    """
    CREATE TABLE drafts (
        id INTEGER PRIMARY KEY,
        person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        started_at TEXT,
        saved_at TEXT NOT NULL,
        payload TEXT NOT NULL,
        set_aside TEXT,
        imported_from TEXT UNIQUE
    );
    CREATE UNIQUE INDEX drafts_one_per_person ON drafts (person_id) WHERE set_aside IS NULL;
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


class RecordError(TriageError):
    """The record cannot be read or written (damaged, locked, not ours): exit 1, fail safe."""


class NewerRecord(UserError):
    """The record was written by a newer triage: refused, never rewritten (one line, exit 2)."""


class NotInRecord(UserError):
    """An unknown record ID or person (one line, exit 2)."""


@dataclass(frozen=True)
class Person:
    id: int
    key: str
    name: str | None
    date_of_birth: str | None

    @property
    def label(self) -> str:
        if self.key == ME:
            return "me"
        return f"{self.name or '(no name)'}" + (f" ({self.date_of_birth})" if self.date_of_birth else "")


@dataclass(frozen=True)
class Row:
    """One line of the history: an assessment ('a12') or a check-in ('c3'), without its JSON."""

    id: str
    kind: str  # "questionnaire", "file" or "checkin"
    at: str  # as stored (UTC)
    local: str  # 'YYYY-MM-DD HH:MM' in this computer's time zone
    person: str
    disposition: str
    pain: int | None
    course: str | None = None

    @property
    def moment(self) -> datetime:
        return from_utc_text(self.at)


@dataclass(frozen=True)
class Entry:
    """One record in full, as stored."""

    id: str
    kind: str
    person: Person
    started_at: datetime
    ended_at: datetime
    ruleset_version: str
    ruleset_hash: str
    disposition: str
    pain: int | None
    course: str | None
    answers_json: str
    assessment_json: str
    base_id: str | None = None


def utc_text(moment: datetime) -> str:
    """A timestamp as stored: '2026-03-02T09:00:00+00:00', UTC to the second (so text order is time order)."""
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def from_utc_text(text: str) -> datetime:
    """A stored timestamp in this computer's time zone."""
    return datetime.fromisoformat(text).astimezone()


class RecordStore:
    """The record file in ``directory`` (the caller chooses it: the drafts' data folder by default)."""

    def __init__(self, directory: Path, busy_timeout_ms: int | None = None):
        self.directory = Path(directory)
        self.busy_timeout_ms = BUSY_TIMEOUT_MS if busy_timeout_ms is None else busy_timeout_ms
        self._db: sqlite3.Connection | None = None

    @property
    def path(self) -> Path:
        return self.directory / DB_FILE

    def exists(self) -> bool:
        return self.path.is_file()

    # --- opening ------------------------------------------------------------------------------

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            self._db = self._open()
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def __enter__(self) -> RecordStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _open(self) -> sqlite3.Connection:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:  # created 0600 before SQLite sees it (SQLite would use the umask); an existing file is kept as it is
            os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600))
        except OSError as error:
            raise RecordError(f"{self.path}: cannot open the record ({error.strerror})") from None
        deadline = time.monotonic() + self.busy_timeout_ms / 1000
        while True:
            try:
                return self._connect()
            except sqlite3.OperationalError as error:
                # Switching to WAL and the first migration can be refused at once ("database is locked")
                # while another process opens the same new record: SQLite does not wait on its busy
                # handler there. Try again until the busy timeout has passed, like any other wait.
                if not _busy(error) or time.monotonic() >= deadline:
                    raise self._error(error) from None
                time.sleep(0.02)

    def _connect(self) -> sqlite3.Connection:
        """The connection, checked and migrated; a ``sqlite3.OperationalError`` for busy is left to ``_open``."""
        db = sqlite3.connect(self.path, timeout=self.busy_timeout_ms / 1000, isolation_level=None)
        try:
            db.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")
            version = self._version(db)  # read before anything is written: a newer or damaged file stays as it is
            if version > SCHEMA_VERSION:
                raise NewerRecord(f"{self.path}: this record was written by a newer version of triage "
                                  f"(schema {version}; this one knows up to {SCHEMA_VERSION}); it was not changed")
            for pragma in ("foreign_keys = ON", "secure_delete = ON", "synchronous = FULL"):
                db.execute(f"PRAGMA {pragma}")
            if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                db.execute("PRAGMA journal_mode = WAL")
            if version < SCHEMA_VERSION:
                self._migrate(db)
        except sqlite3.Error as error:
            db.close()
            if isinstance(error, sqlite3.OperationalError) and _busy(error):
                raise
            raise self._error(error) from None
        except BaseException:
            db.close()
            raise
        return db

    def _version(self, db: sqlite3.Connection) -> int:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not tables:
            return 0
        if "schema_version" not in tables:
            raise RecordError(f"{self.path}: this file is not a triage record; it was left as it is")
        row = db.execute("SELECT version FROM schema_version").fetchone()
        if row is None or not isinstance(row[0], int):
            raise RecordError(f"{self.path}: the record's schema version is missing; it was left as it is")
        return row[0]

    def _migrate(self, db: sqlite3.Connection) -> None:
        """Bring the schema up to date in one transaction (another process may have done it meanwhile)."""
        db.execute("BEGIN IMMEDIATE")
        try:
            tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "schema_version" not in tables:
                db.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
                db.execute("INSERT INTO schema_version VALUES (0)")
            current = db.execute("SELECT version FROM schema_version").fetchone()[0]
            for number, script in enumerate(MIGRATIONS[current:], start=current + 1):
                for statement in (s for s in script.split(";") if s.strip()):
                    db.execute(statement)
                db.execute("UPDATE schema_version SET version = ?", (number,))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def _error(self, error: sqlite3.Error) -> RecordError:
        text = str(error)
        if _busy(error):
            return RecordError(f"{self.path}: the record is in use by another triage program (locked); nothing was changed")
        if isinstance(error, sqlite3.DatabaseError) and not isinstance(error, sqlite3.OperationalError):
            return RecordError(f"{self.path}: the record is damaged ({text}); it was left as it is")
        return RecordError(f"{self.path}: cannot use the record ({text})")

    # --- transactions ------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (``BEGIN IMMEDIATE``); nested calls join the outer one."""
        db = self.db
        if db.in_transaction:
            yield db
            return
        try:
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as error:
            raise self._error(error) from None
        try:
            yield db
            db.execute("COMMIT")
        except sqlite3.Error as error:
            self._rollback(db)
            raise self._error(error) from None
        except BaseException:
            self._rollback(db)
            raise

    @staticmethod
    def _rollback(db: sqlite3.Connection) -> None:
        if db.in_transaction:
            db.execute("ROLLBACK")

    def _read(self, sql: str, params: tuple = ()) -> list[tuple]:
        try:
            return self.db.execute(sql, params).fetchall()
        except sqlite3.Error as error:
            raise self._error(error) from None

    # --- people ------------------------------------------------------------------------------

    def person(self, ref: PersonRef, now: datetime) -> Person:
        """The person's row, created if new (inside the caller's transaction, if any)."""
        key = person_key(ref)
        with self.transaction() as db:
            db.execute("INSERT OR IGNORE INTO people (key, name, date_of_birth, created_at) VALUES (?, ?, ?, ?)",
                       (key, ref.name, ref.date_of_birth, utc_text(now)))
            row = db.execute("SELECT id, key, name, date_of_birth FROM people WHERE key = ?", (key,)).fetchone()
        return Person(*row)

    def people_seen(self) -> list[tuple[Person, datetime]]:
        """Everyone with a record or an unfinished questionnaire, and when they were last seen (their newest
        record or draft), most recent first."""
        rows = self._read(
            "SELECT p.id, p.key, p.name, p.date_of_birth, max(r.at) FROM people p JOIN "
            "(SELECT person_id, ended_at AS at FROM assessments UNION ALL SELECT person_id, at FROM checkins "
            "UNION ALL SELECT person_id, saved_at FROM drafts WHERE set_aside IS NULL) r "
            "ON r.person_id = p.id GROUP BY p.id ORDER BY 5 DESC, p.id DESC")
        return [(Person(*row[:4]), from_utc_text(row[4])) for row in rows]

    def people(self) -> list[Person]:
        return [Person(*row) for row in self._read("SELECT id, key, name, date_of_birth FROM people ORDER BY id")]

    # --- writing -----------------------------------------------------------------------------

    def add_assessment(self, ref: PersonRef, *, started: datetime, ended: datetime, source: str, ruleset_version: str,
                       ruleset_hash: str, disposition: str, pain: int | None, answers_json: str, assessment_json: str) -> str:
        """Store one finished assessment; its ID ('a12')."""
        with self.transaction() as db:
            person = self.person(ref, ended)
            cursor = db.execute(
                "INSERT INTO assessments (person_id, started_at, ended_at, source, ruleset_version, ruleset_hash, "
                "disposition, pain, answers_json, assessment_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (person.id, utc_text(started), utc_text(ended), source, ruleset_version, ruleset_hash, disposition,
                 pain, answers_json, assessment_json))
        return f"a{cursor.lastrowid}"

    def add_checkin(self, person: Person, *, base_id: str, at: datetime, pain: int, course: str, ruleset_version: str,
                    ruleset_hash: str, disposition: str, answers_json: str, assessment_json: str) -> str:
        """Store one check-in, made on top of the assessment ``base_id``; its ID ('c3')."""
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT INTO checkins (person_id, base_id, at, pain, course, ruleset_version, ruleset_hash, "
                "disposition, answers_json, assessment_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (person.id, _number(base_id, "a"), utc_text(at), pain, course, ruleset_version, ruleset_hash,
                 disposition, answers_json, assessment_json))
        return f"c{cursor.lastrowid}"

    def forget(self, person: Person) -> int:
        """Delete the person and every record of theirs (and their unfinished questionnaires); how many records went. The file keeps no trace
        (``secure_delete`` overwrites the pages, the write-ahead log is emptied)."""
        with self.transaction() as db:
            count = sum(db.execute(f"SELECT count(*) FROM {table} WHERE person_id = ?", (person.id,)).fetchone()[0]
                        for table in ("assessments", "checkins"))
            db.execute("DELETE FROM people WHERE id = ?", (person.id,))
        self._read("PRAGMA wal_checkpoint(TRUNCATE)")
        return count

    # --- reading -----------------------------------------------------------------------------

    def history(self, person: Person | None = None) -> list[Row]:
        """Every assessment and check-in (of one person, or of everyone), newest first."""
        where, params = ("WHERE p.id = ?", (person.id,)) if person else ("", ())
        rows = self._read(
            f"SELECT 'a' || a.id, a.source, a.ended_at, {_LOCAL.format('a.ended_at')}, p.key, p.name, p.date_of_birth, "
            f"a.disposition, a.pain, NULL FROM assessments a JOIN people p ON p.id = a.person_id {where} "
            f"UNION ALL SELECT 'c' || c.id, 'checkin', c.at, {_LOCAL.format('c.at')}, p.key, p.name, p.date_of_birth, "
            f"c.disposition, c.pain, c.course FROM checkins c JOIN people p ON p.id = c.person_id {where} "
            "ORDER BY 3 DESC, 1 DESC", params * 2)
        labels: dict[tuple, str] = {}
        result = []
        for rid, kind, at, local, key, name, born, disposition, pain, course in rows:
            label = labels.get((key, name, born))
            if label is None:
                label = labels[(key, name, born)] = Person(0, key, name, born).label
            result.append(Row(rid, kind, at, local, label, disposition, pain, course))
        return result

    def entry(self, record_id: str) -> Entry:
        """One record in full; ``NotInRecord`` for an unknown ID."""
        kind = record_id[:1].lower()
        number = _number(record_id, kind) if kind in ("a", "c") else None
        rows = []
        if number is not None and self.exists():
            rows = self._read(_ENTRY_SQL[kind] + f"WHERE {kind}.id = ?", (number,))
        if not rows:
            raise NotInRecord(f"no record with ID '{record_id}' (`triage history` lists them)")
        return _entry(rows[0])

    def latest_assessment(self, person: Person) -> Entry | None:
        rows = self._read(_ENTRY_SQL["a"] + "WHERE a.person_id = ? ORDER BY a.ended_at DESC, a.id DESC LIMIT 1", (person.id,))
        return _entry(rows[0]) if rows else None

    def checkins_after(self, base_id: str) -> list[Entry]:
        """The check-ins made on top of one assessment, oldest first."""
        rows = self._read(_ENTRY_SQL["c"] + "WHERE c.base_id = ? ORDER BY c.at, c.id", (_number(base_id, "a"),))
        return [_entry(row) for row in rows]


_PERSON_COLUMNS = "p.id, p.key, p.name, p.date_of_birth"
_LOCAL = "strftime('%Y-%m-%d %H:%M', {}, 'localtime')"  # SQLite converts to local time much faster than Python
_ENTRY_SQL = {
    "a": f"SELECT 'a' || a.id, a.source, {_PERSON_COLUMNS}, a.started_at, a.ended_at, a.ruleset_version, a.ruleset_hash, "
         "a.disposition, a.pain, NULL, a.answers_json, a.assessment_json, NULL "
         "FROM assessments a JOIN people p ON p.id = a.person_id ",
    "c": f"SELECT 'c' || c.id, 'checkin', {_PERSON_COLUMNS}, c.at, c.at, c.ruleset_version, c.ruleset_hash, "
         "c.disposition, c.pain, c.course, c.answers_json, c.assessment_json, 'a' || c.base_id "
         "FROM checkins c JOIN people p ON p.id = c.person_id ",
}


def _entry(row: tuple) -> Entry:
    rid, kind, pid, key, name, born, started, ended, version, digest, disposition, pain, course, answers, assessment, base = row
    return Entry(rid, kind, Person(pid, key, name, born), from_utc_text(started), from_utc_text(ended), version, digest,
                 disposition, pain, course, answers, assessment, base)


def _number(record_id: str, prefix: str) -> int | None:
    digits = record_id[len(prefix):]
    return int(digits) if record_id[:1].lower() == prefix and digits.isdigit() and len(digits) < 19 else None


def _busy(error: sqlite3.Error) -> bool:
    """Another connection holds the lock ("database is locked", "database table is locked", busy)."""
    text = str(error)
    return "locked" in text or "busy" in text
