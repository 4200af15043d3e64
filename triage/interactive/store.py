"""Where the draft is kept: one file in the user's data directory (``TRIAGE_DATA_DIR`` overrides it),
written atomically with mode 0600 because it holds health data.

The draft model (``draft``) is imported only to read or write a draft, so checking whether one
exists costs nothing at start-up.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import UserError
from ..fileio import atomic_write

if TYPE_CHECKING:
    from .draft import Draft

APP_NAME = "neck-triage"
DRAFT_FILE = "draft.json"


class DraftError(UserError):
    """A draft that cannot be read."""


def data_dir() -> Path:
    """Where drafts live: ``$TRIAGE_DATA_DIR`` or the platform's per-user data directory."""
    override = os.environ.get("TRIAGE_DATA_DIR")
    if override:
        return Path(override)
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


class DraftStore:
    def __init__(self, directory: Path | None = None):
        self.directory = Path(directory) if directory else data_dir()

    @property
    def path(self) -> Path:
        return self.directory / DRAFT_FILE

    def exists(self) -> bool:
        return self.path.is_file()

    def save(self, draft: Draft) -> Path:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        atomic_write(self.path, draft.model_dump_json(indent=2))
        return self.path

    def load(self) -> Draft | None:
        """The saved draft, None if there is none; ``DraftError`` if it cannot be read."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as error:
            raise DraftError(f"{self.path}: cannot read the saved draft ({error.strerror})") from None
        from pydantic import ValidationError

        from .draft import Draft

        try:
            return Draft.model_validate(json.loads(data))
        except (ValueError, ValidationError):
            raise DraftError(f"{self.path}: the saved draft is damaged; delete it to start again") from None

    def delete(self) -> None:
        try:
            self.path.unlink()
        except FileNotFoundError:
            pass
