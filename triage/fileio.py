"""Writing files atomically; files that hold health data are readable only by the owner (0600).

Only a regular file (or nothing) is ever replaced: never a device, a pipe or a folder, whatever
``--force`` says. The temporary file beside the target (``.NAME.xxxxxxxx.tmp``) is locked while it is
written, so a later run can tell one left by a killed run (unlocked, older than itself) from one
still being written, and removes only the former.
"""

from __future__ import annotations

import fcntl
import os
import re
import stat
import tempfile
import time
from pathlib import Path

from .errors import OutputError

STARTED = time.time()  # temporaries older than this process and unlocked were left by a killed run
TEMPORARY_SUFFIX = ".tmp"


def check_replaceable(path: Path, force: bool) -> None:
    """One line (``OutputError``) unless ``path`` is absent, or a regular file that may be replaced."""
    path = Path(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return
    except OSError as error:
        raise OutputError(f"{path}: cannot write ({error.strerror})") from None
    if stat.S_ISDIR(info.st_mode):
        raise OutputError(f"{path}: is a directory")
    if not stat.S_ISREG(info.st_mode):
        raise OutputError(f"{path}: is not a regular file (a device or a pipe): never replaced")
    if not force:
        raise OutputError(f"{path}: already exists (use --force to replace it)")


def same_file(first: Path, second: Path) -> bool:
    """Whether two paths name the same file (also when one does not exist yet: by resolved path)."""
    try:
        return os.path.samefile(first, second)
    except OSError:
        return Path(first).resolve() == Path(second).resolve()


def temporary_beside(path: Path) -> tuple[int, str]:
    """A new, locked 0600 temporary file beside ``path`` (stale ones of earlier runs removed first)."""
    folder = path.parent if str(path.parent) else Path(".")
    remove_stale_temporaries(path)
    try:
        fd, name = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=TEMPORARY_SUFFIX)  # mode 0600
    except OSError as error:
        raise OutputError(f"{path}: cannot write ({error.strerror})") from None
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # new file: nobody else can hold it
    return fd, name


def remove_stale_temporaries(path: Path) -> list[str]:
    """Remove ``.NAME.xxxxxxxx.tmp`` files beside ``path`` left by a killed run; the names removed.

    Only files of exactly our naming pattern, regular, the user's own, older than this process and
    not locked (a run still writing holds its lock) are removed.
    """
    folder = path.parent if str(path.parent) else Path(".")
    pattern = re.compile(re.escape(f".{path.name}.") + r"[a-z0-9_]{8}" + re.escape(TEMPORARY_SUFFIX) + r"\Z")
    removed = []
    try:
        entries = [entry for entry in os.scandir(folder) if pattern.match(entry.name)]
    except OSError:
        return removed
    for entry in entries:
        if _unused_and_ours(entry.path):
            _remove(entry.path)
            removed.append(entry.name)
    return removed


def _unused_and_ours(name: str) -> bool:
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return False
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid() or info.st_mtime >= STARTED:
            return False
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:  # locked: still being written
        return False
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes | str, force: bool = True, mode: int = 0o600) -> None:
    """Write ``data`` to ``path`` via a 0600 temporary file in the same folder and a rename.

    ``mode`` is the final file's mode: keep 0600 for anything that holds health data.

    A reader never sees a half-written file; on any failure the temporary file is removed and an
    ``OutputError`` (one line, exit 2) is raised. With ``force=False`` an existing file is kept;
    something that is not a regular file is never replaced.
    """
    path = Path(path)
    if isinstance(data, str):
        data = data.encode("utf-8")
    check_replaceable(path, force)
    fd, tmp = temporary_beside(path)
    try:
        with os.fdopen(fd, "wb") as handle:  # mkstemp creates the file with mode 0600
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
            os.chmod(tmp, mode)
            os.replace(tmp, path)  # while still locked: never taken for a stale one
    except OSError as error:
        _remove(tmp)
        raise OutputError(f"{path}: cannot write ({error.strerror})") from None
    except BaseException:
        _remove(tmp)
        raise


def _remove(name: str) -> None:
    try:
        os.unlink(name)
    except OSError:
        pass
