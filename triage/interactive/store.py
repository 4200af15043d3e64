"""Where drafts are kept: in the record on this computer (``record.sqlite3`` in the user's data
directory, or ``TRIAGE_DATA_DIR``), one unfinished questionnaire per person (``record.drafts``).

A draft belongs to the person the questionnaire is about: "me" in patient mode, the patient in nurse
mode (known once the nurse has picked or entered them). While a questionnaire for a person is open,
it holds a lock on that person's draft (``fcntl.flock`` on ``.draft-<hash of the person>.lock`` in
the data folder; the kernel lets go of it when the process ends, even on ``kill -9``), so a nurse can
keep two patients open in two windows, and a second questionnaire for the same person is told in one
line that it is open elsewhere (``DraftInUse``, exit 2) instead of writing over it. Saving a draft is
one transaction; recording the finished questionnaire and deleting its draft is one more (``finish``).

A draft that cannot be read, or does not fit the rules, is kept aside in the record with why
(``set_aside``) and reported: never silently deleted, never offered again. Draft files left by the
file-based version (``draft*.json``) are moved into the record the first time it is opened; one that
cannot be read is renamed ``<draft>.damaged`` and reported, as before.

The data directory is created 0700. A directory or record that is not the user's own, is group- or
world-writable, or is not a directory (a regular file, a dangling symlink) is refused with one line
before anything is asked.

The draft model (``draft``) and the record's modules are imported only to read or write a draft;
before the first screen, only whether "me" has a draft is looked up (``record.drafts.quick_open_draft``).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import stat
import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from ..errors import UserError

if TYPE_CHECKING:
    from ..record.drafts import DraftRow
    from ..record.people import PersonRef
    from ..record.store import RecordStore
    from .draft import Draft

APP_NAME = "neck-triage"
DB_FILE = "record.sqlite3"  # the record's file (``record.store.DB_FILE``), named here so nothing heavy loads to find it
DRAFT_PREFIX, DRAFT_SUFFIX = "draft", ".json"  # the file-based version's drafts: draft.json and draft-*.json
DAMAGED_SUFFIX = ".damaged"
MAX_DRAFT_BYTES = 5_000_000  # far above any real draft (every note at its longest is about 100 kB)
ME = "me"  # ``record.people.ME``


class DraftError(UserError):
    """A draft, or the folder drafts are kept in, that cannot be used."""


class DraftInUse(UserError):
    """The person's questionnaire is open in another running triage (one line, exit 2)."""


def _identity(path: Path) -> tuple[int, int] | None:
    """(device, inode) of the file at ``path``, or None when there is none."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino


def data_dir() -> Path:
    """Where the record and drafts live: ``$TRIAGE_DATA_DIR`` or the platform's per-user data directory."""
    override = os.environ.get("TRIAGE_DATA_DIR")
    if override:
        return Path(override)
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def _is_draft_file(name: str) -> bool:
    return name == DRAFT_PREFIX + DRAFT_SUFFIX or (name.startswith(DRAFT_PREFIX + "-") and name.endswith(DRAFT_SUFFIX))


def _unsafe(info: os.stat_result) -> str | None:
    if info.st_uid != os.geteuid():
        return "belongs to another user"
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return "can be changed by other users (group- or world-writable)"
    return None


def person_ref(visit) -> PersonRef:
    """Whose draft a visit is (as the record keys people): the patient named, else "me"."""
    from ..record.people import PersonRef

    born = visit.date_of_birth.isoformat() if visit.date_of_birth else None
    return PersonRef(visit.patient_name or None, born)


def who(key: str, name: str | None = None, born: str | None = None) -> str:
    """'me', 'Ann Example (born 1980-04-02)'."""
    from ..text_safety import visible

    if key == ME:
        return "me"
    return visible(name or "(no name)") + (f" (born {born})" if born else "")


class DraftStore:
    """The drafts in ``directory``'s record, and the people whose draft this session holds."""

    def __init__(self, directory: Path | None = None):
        self.directory = Path(directory) if directory else data_dir()
        self._locks: dict[str, object] = {}  # person key -> the open lock file while this session holds it
        self._key: str | None = None  # whose draft this session writes (the last person claimed)
        self._written: set[str] = set()  # people whose open draft this session wrote or continued
        self._loaded: DraftRow | None = None  # the draft row last loaded (set aside if it proves damaged)
        self._record: RecordStore | None = None
        self.kept = False  # leave the person's existing draft alone: this run saves and deletes none
        self.recorded_as: str | None = None  # the record ID once the result is kept: no draft is saved after it
        self.notices: list[str] = []  # one line each, for the screen (draft files moved into the record)

    @property
    def path(self) -> Path:
        """The record file the drafts are kept in."""
        return self.directory / DB_FILE

    # --- the folder -------------------------------------------------------------------------------

    def check_directory(self) -> bool:
        """True if the folder exists and is safe, False if it does not exist yet; ``DraftError`` otherwise."""
        try:
            info = os.lstat(self.directory)
        except FileNotFoundError:
            return False
        except OSError as error:
            raise DraftError(f"{self.directory}: cannot use this folder for drafts ({error.strerror})") from None
        if stat.S_ISLNK(info.st_mode):
            try:
                info = os.stat(self.directory)
            except OSError:
                raise DraftError(f"{self.directory}: the folder for drafts is a broken symbolic link "
                                 "(set TRIAGE_DATA_DIR to a folder)") from None
        if not stat.S_ISDIR(info.st_mode):
            raise DraftError(f"{self.directory}: the folder for drafts is not a folder (set TRIAGE_DATA_DIR to a folder)")
        problem = _unsafe(info)
        if problem:
            raise DraftError(f"{self.directory}: the folder for drafts {problem}: refusing to use it")
        return True

    def _make_directory(self) -> None:
        if self.check_directory():
            return
        try:
            self.directory.mkdir(mode=0o700, parents=True)
            os.chmod(self.directory, 0o700)  # whatever the umask
        except FileExistsError:
            pass
        except OSError as error:
            raise DraftError(f"{self.directory}: cannot make the folder for drafts ({error.strerror})") from None
        self.check_directory()

    def _check_record_file(self) -> None:
        try:
            info = os.lstat(self.path)
        except FileNotFoundError:
            return
        except OSError as error:
            raise DraftError(f"{self.path}: cannot use the record ({error.strerror})") from None
        if not stat.S_ISREG(info.st_mode):
            raise DraftError(f"{self.path}: the record is not a regular file: refusing to use it")
        problem = _unsafe(info)
        if problem:
            raise DraftError(f"{self.path}: the record {problem}: refusing to use it")

    # --- the record -------------------------------------------------------------------------------

    def record(self) -> RecordStore:
        """The record, opened (and migrated) once; draft files of the file-based version are moved in."""
        if self._record is None:
            from ..record.store import RecordStore

            self._make_directory()
            self._check_record_file()
            self._record = RecordStore(self.directory)
            self._record.db  # noqa: B018 - open it now: a damaged or newer record stops here
            self._opened = _identity(self.path)
            self._import_files()
        else:
            self._check_still_there()
        return self._record

    _opened: tuple[int, int] | None = None

    def _check_still_there(self) -> None:
        """The record open since the start must still be the file in the folder: a record deleted or
        replaced meanwhile would take writes that no later run could read."""
        self.check_directory()
        self._check_record_file()
        if _identity(self.path) != self._opened:
            raise DraftError(f"{self.path}: the record was moved, deleted or replaced while this questionnaire was open")

    def close(self) -> None:
        self.release()
        if self._record is not None:
            self._record.close()
            self._record = None

    # --- who holds which person's draft ----------------------------------------------------------------

    def _lock_path(self, key: str) -> Path:
        return self.directory / f".draft-{hashlib.sha256(key.encode()).hexdigest()[:24]}.lock"

    def claim(self, ref: PersonRef) -> None:
        """Hold ``ref``'s draft for this session; ``DraftInUse`` if another running triage holds it."""
        from ..record.people import person_key

        key = person_key(ref)
        if not self._try_lock(key):
            raise DraftInUse(f"the questionnaire for {who(key, ref.name, ref.date_of_birth)} is open in another triage "
                             f"{self._holder(key)}: finish or stop it there first")
        self._key = key

    @property
    def claimed(self) -> bool:
        """Whether this session holds a person's draft (it knows whose questionnaire it is)."""
        return self._key is not None

    def holds(self, ref: PersonRef) -> bool:
        from ..record.people import person_key

        return person_key(ref) in self._locks

    def _try_lock(self, key: str) -> bool:
        if key in self._locks:
            return True
        self._make_directory()
        path = self._lock_path(key)
        while True:
            try:
                handle = os.fdopen(os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600), "r+")
            except OSError as error:
                raise DraftError(f"{path}: cannot lock the draft ({error.strerror})") from None
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                handle.close()
                return False
            try:  # the lock is good only on the file still at ``path`` (a holder unlinks it when done)
                same = os.fstat(handle.fileno()).st_ino == os.stat(path).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            handle.close()
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()} {time.strftime('%Y-%m-%d %H:%M')}\n")
        handle.flush()
        self._locks[key] = handle
        return True

    def _holder(self, key: str) -> str:
        try:
            pid, _, since = self._lock_path(key).read_text().strip().partition(" ")
        except (OSError, UnicodeDecodeError):
            return "(in another window)"
        return f"(process {pid}, since {since})" if pid.isdigit() else "(in another window)"

    def _held_elsewhere(self, key: str) -> bool:
        if key in self._locks:
            return False
        if not self._try_lock(key):
            return True
        self._unlock(key)
        return False

    def _unlock(self, key: str) -> None:
        handle = self._locks.pop(key, None)
        if handle is None:
            return
        try:
            self._lock_path(key).unlink()  # while still held: no one else can be holding this file
        except OSError:
            pass
        handle.close()
        if self._key == key:
            self._key = None

    def release(self) -> None:
        """Let other sessions continue this session's drafts (the questionnaire is over)."""
        for key in list(self._locks):
            self._unlock(key)

    # --- which draft ------------------------------------------------------------------------------

    def exists(self) -> bool:
        """Whether there is a draft to continue: this session's person's, or (before a person is claimed)
        anyone's that no running session holds."""
        if self._key is None:
            return (self.path.exists() or self._has_files()) and bool(self._unheld())
        if self._record is None and not self._has_files():
            if not self.path.exists():
                return False
            from ..record.drafts import quick_open_draft

            quick = quick_open_draft(self.path, self._key)
            if quick is not None:
                return quick
        from ..record.drafts import open_draft

        return open_draft(self.record(), self._key) is not None

    def _has_files(self) -> bool:
        """Whether draft files of the file-based version wait to be moved into the record."""
        try:
            return any(_is_draft_file(entry.name) for entry in os.scandir(self.directory))
        except FileNotFoundError:
            return False
        except OSError as error:
            raise DraftError(f"{self.directory}: cannot read the folder for drafts ({error.strerror})") from None

    def _unheld(self) -> list[DraftRow]:
        from ..record.drafts import drafts

        return [row for row in drafts(self.record()) if not self._held_elsewhere(row.person.key)]

    def others(self) -> int:
        """How many other people's drafts no running session holds (for 'N other unfinished questionnaires')."""
        return sum(row.person.key not in self._locks for row in self._unheld())

    # --- reading and writing ------------------------------------------------------------------------

    def load(self) -> Draft | None:
        """The claimed person's draft; before anyone is claimed, the newest draft no running session holds
        (its person is then claimed). None if there is none.

        ``DraftError`` if it cannot be read: it is then set aside first (kept, never offered again)."""
        if not self.exists():  # nothing is opened or created for that
            return None
        from ..record.drafts import open_draft
        from ..record.people import PersonRef

        if self._key is not None:
            row = open_draft(self.record(), self._key)
        else:
            row = next((r for r in self._unheld() if self._try_lock(r.person.key)), None)
            if row is not None:
                self.claim(PersonRef(row.person.name, row.person.date_of_birth))
        if row is None:
            return None
        self._loaded = row
        self._written.add(row.person.key)
        return self._validate(row.payload.encode())

    def _validate(self, data: bytes) -> Draft:
        from pydantic import ValidationError

        from .draft import Draft, describe_problem

        if len(data) > MAX_DRAFT_BYTES:
            raise self.set_aside(f"larger than {MAX_DRAFT_BYTES // 1_000_000} MB")
        try:
            return Draft.model_validate(json.loads(data))
        except ValidationError as error:
            raise self.set_aside(describe_problem(error)) from None
        except ValueError:  # includes text that is not UTF-8
            raise self.set_aside("not JSON") from None
        except RecursionError:
            raise self.set_aside("nested too deeply") from None

    def describe_loaded(self) -> str:
        """'for Ann Example (born 1980-04-02), saved 2026-03-02 10:40' of the draft last loaded."""
        return self._describe(self._loaded) if self._loaded is not None else ""

    def set_aside(self, problem: str, damaged: bool = True) -> DraftError:
        """Keep the draft last loaded aside in the record (never offered again, never deleted); the error to report.

        ``damaged`` False: it is sound but cannot be continued (``problem`` says why, e.g. other rules)."""
        from ..record.drafts import set_draft_aside

        row = self._loaded
        if row is None:
            return DraftError(f"the saved draft is damaged ({problem})")
        set_draft_aside(self.record(), row.id, f"damaged: {problem}" if damaged else problem)
        self._written.discard(row.person.key)
        self._loaded = None
        what = f"is damaged ({problem})" if damaged else f"cannot be continued: {problem}"
        return DraftError(f"the unfinished questionnaire {self._describe(row)}, {what}; "
                          "it was kept aside in the record and will not be offered again")

    def loaded_person(self) -> str:
        """The draft last loaded's person as ``--person`` takes it: 'me', 'Ann Example, 1980-04-02'."""
        person = self._loaded.person if self._loaded is not None else None
        if person is None or person.key == ME:
            return ME
        return f"{person.name or ''}, {person.date_of_birth}" if person.date_of_birth else person.name or ""

    @staticmethod
    def _describe(row: DraftRow) -> str:
        return f"for {who(row.person.key, row.person.name, row.person.date_of_birth)}, saved {row.saved_at:%Y-%m-%d %H:%M}"

    def save(self, draft: Draft) -> Path | None:
        """Save this session's draft for the person it is about (one transaction); where it is kept.

        None when this run keeps another draft or has recorded its result already."""
        if self.kept or self.recorded_as is not None:
            return None
        from ..record.drafts import open_draft, save_draft
        from ..record.people import person_key

        ref = person_ref(draft.visit)
        key = person_key(ref)
        if draft.nurse_mode and not draft.visit.intro_done and key == ME:
            return None  # no patient entered yet: whose it would be is not known (never "me"'s)
        record = self.record()
        self.claim(ref)  # the person this session has been about so far, or a newly named one
        if key not in self._written and open_draft(record, key) is not None:
            raise DraftError(f"{who(key, ref.name, ref.date_of_birth)} already has an unfinished questionnaire, "
                             "which this one does not replace")
        replacing = tuple(k for k in self._written if k != key and k in self._locks)
        save_draft(record, ref, draft.model_dump_json(indent=2), saved=draft.saved_at, started=draft.visit.started,
                   replacing=replacing)
        for old in replacing:
            self._written.discard(old)
            self._unlock(old)
        self._written.add(key)
        return self.path

    def delete(self) -> None:
        """Delete this session's drafts (never another session's). When the record cannot be written
        (locked, damaged) the draft stays as it is: nothing typed is lost, and the caller has already said
        that the record could not be used."""
        if self.kept or (not self._written and self._record is None):
            return
        from ..errors import TriageError
        from ..record.drafts import delete_draft

        try:
            record = self.record()
            with record.transaction():
                for key in [k for k in self._written | ({self._key} if self._key else set()) if k in self._locks]:
                    delete_draft(record, key)
        except TriageError:
            return
        self._written.clear()

    def finish(self, write: Callable[[RecordStore], str]) -> str:
        """Record the finished questionnaire (``write``) and delete this session's draft in one transaction;
        the record ID. After it, nothing more is saved as a draft (the result is in the record)."""
        from ..record.drafts import delete_draft

        record = self.record()
        with record.transaction():
            record_id = write(record)
            if not self.kept:
                for key in [k for k in self._written | ({self._key} if self._key else set()) if k in self._locks]:
                    delete_draft(record, key)
        self._written.clear()
        self.recorded_as = record_id
        return record_id

    def keep(self) -> None:
        """This run leaves the person's existing draft as it is: it saves and deletes none, and lets go of it."""
        self.kept = True
        self.release()

    # --- draft files of the file-based version -------------------------------------------------------

    def _import_files(self) -> None:
        """Move ``draft*.json`` files into the record: each person's newest becomes their draft (unless they
        have one), older ones are kept aside; an unreadable file is renamed ``.damaged``. Files a running
        older triage holds are left for next time."""
        try:
            names = sorted(entry.name for entry in os.scandir(self.directory) if _is_draft_file(entry.name))
        except OSError:
            return
        found = []
        for name in names:
            path = self.directory / name
            if _held_file(path):
                continue
            loaded = self._read_file(path)
            if loaded is not None:
                found.append((loaded[0].saved_at, name, *loaded))
        from ..record.drafts import import_draft

        for saved, name, draft, text in sorted(found, key=lambda item: (item[0], item[1]), reverse=True):
            ref = person_ref(draft.visit)
            import_draft(self._record, ref, text, saved=saved, started=draft.visit.started, source=name)
            _remove_file(self.directory / name)
            self.notices.append(f"The unfinished questionnaire in {name} (saved {saved:%Y-%m-%d %H:%M}) was moved into "
                                f"the record on this computer ({self.path.name}).")

    def _read_file(self, path: Path) -> tuple[Draft, str] | None:
        from pydantic import ValidationError

        from .draft import Draft, describe_problem

        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            self.notices.append(f"{path}: a saved draft that cannot be read was left as it is")
            return None
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode) or _unsafe(info):
                self.notices.append(f"{path}: a saved draft that is not the user's own regular file was left as it is")
                return None
            data = handle.read(MAX_DRAFT_BYTES + 1)
        try:
            if len(data) > MAX_DRAFT_BYTES:
                raise ValueError(f"larger than {MAX_DRAFT_BYTES // 1_000_000} MB")
            text = data.decode("utf-8")
            return Draft.model_validate(json.loads(text)), text
        except ValidationError as error:
            problem = describe_problem(error)
        except RecursionError:
            problem = "nested too deeply"
        except ValueError as error:
            problem = str(error) if "MB" in str(error) else "not JSON"
        self.notices.append(_set_file_aside(path, problem))
        return None


def _held_file(path: Path) -> bool:
    """Whether a running triage of the file-based version holds the draft file ``path``."""
    try:
        fd = os.open(path.with_name(f".{path.name}.lock"), os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return False
    except OSError:
        return True
    finally:
        os.close(fd)


def _remove_file(path: Path) -> None:
    for old in (path, path.with_name(f".{path.name}.lock")):
        try:
            old.unlink()
        except OSError:
            pass


def _set_file_aside(path: Path, problem: str) -> str:
    """Rename a draft file that cannot be read to ``<draft>.damaged``; the line to report."""
    kept = path.with_name(path.name + DAMAGED_SUFFIX)
    number = 2
    while kept.exists():
        kept = path.with_name(f"{path.name}{DAMAGED_SUFFIX}-{number}")
        number += 1
    try:
        os.rename(path, kept)
    except OSError as error:
        return (f"{path}: the saved draft is damaged ({problem}) and could not be set aside ({error.strerror}); "
                "move it away to start again")
    return f"{path}: the saved draft is damaged ({problem}); it was kept as {kept.name}"
