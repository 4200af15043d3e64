"""Drafts: an unfinished questionnaire, saved on Ctrl-C or end of input, continued by ``triage resume``.

One draft at a time, in the user's data directory (``TRIAGE_DATA_DIR`` overrides it), written
atomically with mode 0600 because it holds health data. A draft remembers the ruleset version and
hash it was made with: answers given to other rules are never reused silently.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from ..errors import UserError
from ..fileio import atomic_write
from ..loader import Ruleset
from .visit import Visit

APP_NAME = "neck-triage"
DRAFT_FILE = "draft.json"


class DraftError(UserError):
    """A draft that cannot be read."""


class Draft(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)  # built on first use

    schema_version: Literal[1] = 1
    saved_at: datetime
    ruleset_version: str
    ruleset_hash: str
    nurse_mode: bool = False
    visit: Visit = Visit()
    flow: dict[str, Any] = {}

    def matches(self, ruleset: Ruleset) -> bool:
        return self.ruleset_version == ruleset.version and self.ruleset_hash == ruleset.digest

    def describe(self) -> str:
        """'saved 23 Nov 2026 at 19:40 (patient: Ann Example)'."""
        who = self.visit.patient_name
        return f"saved {self.saved_at:%d %b %Y at %H:%M}" + (f" (patient: {who})" if who else "")


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
        try:
            return Draft.model_validate(json.loads(data))
        except (ValueError, ValidationError):
            raise DraftError(f"{self.path}: the saved draft is damaged; delete it to start again") from None

    def delete(self) -> None:
        try:
            self.path.unlink()
        except FileNotFoundError:
            pass
