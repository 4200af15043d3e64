"""Writing files atomically; files that hold health data are readable only by the owner (0600)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import OutputError


def atomic_write(path: Path, data: bytes | str, force: bool = True, mode: int = 0o600) -> None:
    """Write ``data`` to ``path`` via a 0600 temporary file in the same folder and a rename.

    ``mode`` is the final file's mode: keep 0600 for anything that holds health data.

    A reader never sees a half-written file; on any failure the temporary file is removed and an
    ``OutputError`` (one line, exit 2) is raised. With ``force=False`` an existing file is kept.
    """
    path = Path(path)
    if isinstance(data, str):
        data = data.encode("utf-8")
    if path.is_dir():
        raise OutputError(f"{path}: is a directory")
    if not force and path.exists():
        raise OutputError(f"{path}: already exists (use --force to replace it)")
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as error:
        raise OutputError(f"{path}: cannot write ({error.strerror})") from None
    try:
        with os.fdopen(fd, "wb") as handle:  # mkstemp creates the file with mode 0600
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
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
