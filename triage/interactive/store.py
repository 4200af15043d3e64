"""Where drafts are kept: the user's data directory (``TRIAGE_DATA_DIR`` overrides it), one file per
questionnaire, written atomically with mode 0600 because it holds health data.

Each session has its own draft (``draft-<time>-<process>-<random>.json``) and holds a lock on it
(``fcntl.flock`` on ``.<draft>.lock``) while it runs, so two questionnaires at once never overwrite
or delete each other's answers: a new session offers, and ``resume`` continues, only a draft no
running session holds (the newest first). A draft that cannot be read, or does not fit the rules,
is renamed ``<draft>.damaged`` and reported: never silently deleted, never offered again.

The data directory is created 0700. A directory or draft that is not the user's own, is group- or
world-writable, or is not a directory (a regular file, a dangling symlink) is refused with one line
before anything is asked.

The draft model (``draft``) is imported only to read or write a draft, so checking whether one
exists costs nothing at start-up.
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import stat
import time
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import UserError
from ..fileio import atomic_write

if TYPE_CHECKING:
    from .draft import Draft

APP_NAME = "neck-triage"
DRAFT_PREFIX, DRAFT_SUFFIX = "draft", ".json"  # draft.json (older versions) and draft-*.json
DAMAGED_SUFFIX = ".damaged"
MAX_DRAFT_BYTES = 5_000_000  # far above any real draft (every note at its longest is about 100 kB)


class DraftError(UserError):
    """A draft, or the folder drafts are kept in, that cannot be used."""


def data_dir() -> Path:
    """Where drafts live: ``$TRIAGE_DATA_DIR`` or the platform's per-user data directory."""
    override = os.environ.get("TRIAGE_DATA_DIR")
    if override:
        return Path(override)
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def _is_draft_name(name: str) -> bool:
    return name == DRAFT_PREFIX + DRAFT_SUFFIX or (name.startswith(DRAFT_PREFIX + "-") and name.endswith(DRAFT_SUFFIX))


def _unsafe(info: os.stat_result) -> str | None:
    if info.st_uid != os.geteuid():
        return "belongs to another user"
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return "can be changed by other users (group- or world-writable)"
    return None


class DraftStore:
    """This session's draft, and the drafts left by earlier sessions in ``directory``."""

    def __init__(self, directory: Path | None = None):
        self.directory = Path(directory) if directory else data_dir()
        self._path: Path | None = None  # this session's draft
        self._lock = None  # the open lock file while this session holds its draft (closed with the store)

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

    # --- which draft ------------------------------------------------------------------------------

    @property
    def path(self) -> Path:
        """This session's draft; before it has one, the draft ``load`` would continue (or a new name)."""
        if self._path is not None:
            return self._path
        available = self.available()
        return available[0] if available else self._new_path()

    def _new_path(self) -> Path:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        return self.directory / f"{DRAFT_PREFIX}-{stamp}-{os.getpid()}-{secrets.token_hex(3)}{DRAFT_SUFFIX}"

    def available(self) -> list[Path]:
        """Drafts no running session holds, newest first."""
        if not self.check_directory():
            return []
        found = []
        try:
            entries = list(os.scandir(self.directory))
        except OSError as error:
            raise DraftError(f"{self.directory}: cannot read the folder for drafts ({error.strerror})") from None
        for entry in entries:
            if _is_draft_name(entry.name) and (Path(entry.path) == self._path or not self._held(Path(entry.path))):
                try:
                    found.append((entry.stat(follow_symlinks=False).st_mtime, entry.name, Path(entry.path)))
                except OSError:
                    continue
        return [path for _, _, path in sorted(found, reverse=True)]

    def exists(self) -> bool:
        """Whether there is a draft to continue (this session's own, or one nobody holds)."""
        return bool(self.available()) if self._path is None else self._path.exists() or bool(self.available())

    @staticmethod
    def _lock_path(path: Path) -> Path:
        return path.with_name(f".{path.name}.lock")

    def _held(self, path: Path) -> bool:
        """Whether another session holds the lock on ``path``."""
        try:
            fd = os.open(self._lock_path(path), os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            return False
        except OSError:
            return True
        finally:
            os.close(fd)

    def _claim(self, path: Path) -> bool:
        """Lock ``path`` for this session; False if another session holds it."""
        if self._path == path and self._lock is not None:
            return True
        try:
            lock = os.fdopen(os.open(self._lock_path(path), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600), "rb")
        except OSError as error:
            raise DraftError(f"{path}: cannot lock the draft ({error.strerror})") from None
        try:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            lock.close()
            return False
        self.release()
        self._path, self._lock = path, lock
        return True

    def release(self) -> None:
        """Let other sessions continue this session's draft (the questionnaire is over)."""
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    # --- reading and writing ------------------------------------------------------------------------

    def save(self, draft: Draft) -> Path:
        self._make_directory()
        if self._path is None or not self._claim(self._path):
            self._path = None
            while not self._claim(path := self._new_path()):
                pass
            self._path = path
        atomic_write(self._path, draft.model_dump_json(indent=2))
        return self._path

    def load(self) -> Draft | None:
        """The newest draft nobody else holds (now this session's), None if there is none.

        ``DraftError`` if it cannot be read: it is then set aside (``<draft>.damaged``) first.
        """
        for path in ([self._path] if self._path is not None and self._path.exists() else []) + self.available():
            if self._claim(path):
                break
        else:
            return None
        data = self._read(path)
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

    def _read(self, path: Path) -> bytes:
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError as error:
            problem = "is a symbolic link" if os.path.islink(path) else f"cannot be read ({error.strerror})"
            raise DraftError(f"{path}: the saved draft {problem}: refusing to use it") from None
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise DraftError(f"{path}: the saved draft is not a regular file: refusing to use it")
            problem = _unsafe(info)
            if problem:
                raise DraftError(f"{path}: the saved draft {problem}: refusing to use it")
            return handle.read(MAX_DRAFT_BYTES + 1)

    def set_aside(self, problem: str) -> DraftError:
        """Rename this session's draft to ``<draft>.damaged`` (kept, never offered again); the error to report."""
        path = self.path
        kept = path.with_name(path.name + DAMAGED_SUFFIX)
        number = 2
        while kept.exists():
            kept = path.with_name(f"{path.name}{DAMAGED_SUFFIX}-{number}")
            number += 1
        try:
            os.rename(path, kept)
        except OSError as error:
            return DraftError(f"{path}: the saved draft is damaged ({problem}) and could not be set aside "
                              f"({error.strerror}); move it away to start again")
        self._forget()
        return DraftError(f"{path}: the saved draft is damaged ({problem}); it was kept as {kept.name}")

    def delete(self) -> None:
        """Delete this session's draft (never another session's)."""
        if self._path is None:
            return
        if self._lock is None and not self._claim(self._path):
            self._path = None
            return
        try:
            self._path.unlink()
        except FileNotFoundError:
            pass
        self._forget()

    def _forget(self) -> None:
        if self._path is not None and self._lock is not None:
            try:
                self._lock_path(self._path).unlink()
            except OSError:
                pass
        self.release()
        self._path = None
