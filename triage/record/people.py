"""Whose record it is: a patient (name and date of birth) or "me" (the person at the keyboard).

``--person NAME`` names someone already in the record: ``me``, ``"Ann Example"``, or, when two
people share a name, ``"Ann Example, 1980-04-02"``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import UserError

if TYPE_CHECKING:
    from .store import Person

ME = "me"


@dataclass(frozen=True)
class PersonRef:
    """Who a new record is for; no name and no date of birth means "me"."""

    name: str | None = None
    date_of_birth: str | None = None  # YYYY-MM-DD


def person_key(ref: PersonRef) -> str:
    name = " ".join((ref.name or "").split()).casefold()
    if not name and not ref.date_of_birth:
        return ME
    return f"{name}|{ref.date_of_birth or ''}"


def person_of(answers_document: dict) -> PersonRef:
    """The person an answers document is about (its ``patient``), else "me"."""
    patient = answers_document.get("patient") or {}
    born = patient.get("date_of_birth")
    return PersonRef(patient.get("name") or None, str(born) if born else None)


def find_person(people: list[Person], text: str) -> Person:
    """The one person ``--person TEXT`` names; ``UserError`` (one line, exit 2) if none or several."""
    from .store import NotInRecord

    wanted = " ".join(text.replace(",", " ").replace("(", " ").replace(")", " ").split())
    if wanted.casefold() == ME:
        matches = [p for p in people if p.key == ME]
    else:
        name, _, born = wanted.rpartition(" ")
        if not (len(born) == 10 and born[4] == "-" and born[7] == "-"):
            name, born = wanted, ""
        matches = [p for p in people if p.key != ME and p.key.split("|")[0] == name.casefold()
                   and (not born or p.date_of_birth == born)]
    if not matches:
        raise NotInRecord(f"no records for '{text}' (`triage history` lists everyone in the record)")
    if len(matches) > 1:
        choices = "; ".join(p.label for p in matches)
        raise UserError(f"several people are called '{text}' ({choices}): add the date of birth, e.g. --person '{matches[0].name}, {matches[0].date_of_birth}'")
    return matches[0]
