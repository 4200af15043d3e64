"""A draft: an unfinished questionnaire, saved on Ctrl-C or end of input, continued by ``triage resume``.

A draft remembers the ruleset version and hash it was made with: answers given to other rules are
never reused silently. Where drafts are kept is ``store``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from ..ruleset.load import Ruleset
from .visit import Visit


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
