"""One group of warning signs on one screen, NHS 111 style, for the questionnaire and the check-in.

The screen lists the group's questions that apply, each in full, and asks "Do any of these apply?":
"Yes, one or more" / "No, none of these" / "Not sure". "No" answers each listed question "no".
"Yes" asks which apply, "Not sure" which are not sure (tick-boxes by the questions' short names);
then, if some are left, which of the others are not sure (after "yes") or apply (after "not
sure"). Ticked questions take that answer and the rest are "no", as the person said by leaving
them unticked on a list they have just read: "not sure" is never read as "no". A ticked question
that is not a yes/no one (a headache: how bad?) is left to be asked on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..ruleset.vocabulary import NO, NOT_SURE, YES
from .asks import BACK, NONE_OF_THEM, UNSURE_ABOUT_OTHERS, Ask, group_ask, group_list, which_ask

if TYPE_CHECKING:
    from ..ruleset.model import Question, QuestionGroup


@dataclass(frozen=True)
class GroupAnswer:
    code: str  # "yes", "no" or "not_sure": the group screen's answer
    ticked: dict[str, str] | None  # member id -> "yes" or "not_sure" (empty after "no"); every other member is
    # "no". None: the person went back from a tick-box, to the group's screen (``code`` is then offered again)
    complete: bool = True  # False: the first tick-box already makes an emergency, the others were not asked

    def answers(self, members: list[Question]) -> dict[str, str]:
        """The members' answers: as ticked, or "no"; a ticked member without that answer is left out."""
        given = {}
        for question in members:
            value = self.ticked.get(question.id, NO)
            if value in question.codes:
                given[question.id] = value
        return given


def ask_group(ask: Callable[[Ask], Any], show: Callable[[str], None], group: QuestionGroup, members: list[Question],
              nurse: bool, short: Mapping[str, str], default: Any = None, back: bool = False,
              emergency: Callable[[dict[str, str]], bool] | None = None) -> Any:
    """Ask one group; ``BACK`` when the person goes back from the group's screen, a ``GroupAnswer``
    without ``ticked`` when they go back from a tick-box to the group's screen. ``emergency(ticked)``
    says whether the first tick-box's answers already make an emergency: then nothing more is asked."""
    show(group_list(members, nurse))
    code = ask(group_ask(group, nurse, default, back=back))
    if code is BACK:
        return BACK
    if code == NO:
        return GroupAnswer(NO, {})
    other = NOT_SURE if code == YES else YES
    picked = ask(which_ask(group, members, nurse, short, code, first=True))
    if picked is BACK:
        return GroupAnswer(code, None)
    ticked = {m: code for m in picked if m not in (UNSURE_ABOUT_OTHERS, NONE_OF_THEM)}
    if emergency is not None and ticked and emergency(ticked):
        return GroupAnswer(code, ticked, complete=False)  # what to do now comes first; the rest cannot lower it
    rest = [q for q in members if q.id not in ticked]
    if rest and (code == NOT_SURE or UNSURE_ABOUT_OTHERS in picked):
        picked = ask(which_ask(group, rest, nurse, short, other, first=False))
        if picked is BACK:
            return GroupAnswer(code, None)
        ticked |= {m: other for m in picked if m != NONE_OF_THEM}
    return GroupAnswer(code, ticked)
