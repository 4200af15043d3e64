"""The questionnaire's course, independent of any screen: which question next, back, edits, stops.

Both front ends (arrow-key prompts and ``--plain`` numbered lines) drive the same ``Flow``, so the
order, the follow-up logic and the early stops cannot differ between them. The assessment of the
answers so far always comes from the real ``Assessor`` (the same one ``triage assess`` uses).

Grouped screening: when the next question is a member of a group (``groups:`` in questions.yaml)
and at least two of its members apply and are unanswered, the group is asked instead: "No, none
of these" answers each of those members "no"; "Yes, one or more" is followed by "which ones?" and "Not
sure" by "which are you not sure about?" (tick-boxes; then, if some are left, which of the others
are not sure, or apply): ticked members are "yes" or "not sure" as ticked, the rest "no", so not
sure is never read as no. The group's answer is kept only to go back to
it and in drafts: the answers (and so the assessment) are the same whichever way they were given.

Asking order: every question that can change the disposition or a finding (``essential_ids``)
comes before the everyday questions that only tailor the advice, so the result so far can be shown
when the warning signs are done. Within each part, questions that can lead to a more urgent finding come first (a follow-up question
lifts the question it depends on), ties keep the order of ``questions.yaml``, and a question is
never asked before the questions its ``ask_when`` reads.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

from ..assessment.answers import applicable
from ..assessment.assess import Assessor
from ..assessment.outcome import Assessment
from ..ruleset.conditions import Test, evaluate, iter_tests
from ..ruleset.load import Ruleset
from ..ruleset.model import NO, NOT_SURE, YES, Finding, Level, Question, QuestionGroup, QuestionType

if TYPE_CHECKING:
    from .grouping import GroupAnswer

NOT_TESTED = -1


def asking_order(ruleset: Ruleset) -> tuple[Question, ...]:
    """The questions, most urgent section first, each after the questions its ``ask_when`` reads.

    Sections are ranked by the most urgent finding any of their questions can lead to, ties in the
    order of ``questions.yaml``; within a section the file's order is kept, so headings stay together.
    """
    key = _order_keys(ruleset)
    waiting = {q.id: _depends_on(q) for q in ruleset.questions}
    ready = [key[qid] for qid, deps in waiting.items() if not deps]
    heapq.heapify(ready)
    order: list[Question] = []
    while ready:
        qid = heapq.heappop(ready)[-1]
        order.append(ruleset.question_by_id[qid])
        for other, deps in waiting.items():
            if qid in deps:
                deps.discard(qid)
                if not deps:
                    heapq.heappush(ready, key[other])
    return tuple(order)


def _candidate_answers(question: Question, tests: list[Test]) -> list[Any]:
    """Answers worth trying for ``question`` against a finding's ``tests``: each choice (ticked alone,
    on a tick-box list), and for numbers each bound a test names, one either side and the limits."""
    if question.codes:
        return [[code] for code in question.codes] if question.type is QuestionType.multi else list(question.codes)
    numbers = {v for t in tests if t.q == question.id and isinstance(t.operand, int) for v in (t.operand - 1, t.operand, t.operand + 1)}
    low, high = question.bounds or (0, 0)
    return sorted(v for v in numbers | {low, high} if low <= v <= high)


def warning_signs_first(order: tuple[Question, ...], essential: frozenset[str]) -> tuple[Question, ...]:
    """The questions that can change the disposition or a finding first, then the everyday ones
    (work, sleep, stress...) that only tailor the advice: the result so far is shown in between.
    Each part keeps ``asking_order``; an essential question never reads an everyday one
    (``essential_ids`` keeps every question an essential one depends on)."""
    return tuple(q for q in order if q.id in essential) + tuple(q for q in order if q.id not in essential)


def _order_keys(ruleset: Ruleset) -> dict[str, tuple[int, int, int, str]]:
    urgency = _effective_urgency(ruleset)
    section_urgency: dict[str, int] = {}
    for question in ruleset.questions:
        section_urgency[question.section] = max(section_urgency.get(question.section, NOT_TESTED), urgency[question.id])
    section_index = {section: i for i, section in enumerate(ruleset.sections)}
    return {
        q.id: (-section_urgency[q.section], section_index[q.section], i, q.id)
        for i, q in enumerate(ruleset.questions)
    }


def _depends_on(question: Question) -> set[str]:
    return {test.q for test in iter_tests(question.ask_when)}


def _effective_urgency(ruleset: Ruleset) -> dict[str, int]:
    """Rank of the most urgent finding a question can lead to, directly or through a follow-up."""
    urgency = {q.id: NOT_TESTED for q in ruleset.questions}
    for finding in ruleset.findings:
        for test in iter_tests(finding.when):
            urgency[test.q] = max(urgency[test.q], finding.level.rank)
    for question in reversed(ruleset.questions):  # follow-ups come later in the file
        for parent in _depends_on(question):
            urgency[parent] = max(urgency[parent], urgency[question.id])
    return urgency


def essential_ids(ruleset: Ruleset) -> frozenset[str]:
    """Questions still asked when finishing quickly: red flags, anything a finding reads, and their parents."""
    keep = {q.id for q in ruleset.questions if q.red_flag}
    keep |= {test.q for finding in ruleset.findings for test in iter_tests(finding.when)}
    for question in reversed(ruleset.questions):
        if question.id in keep:
            keep |= _depends_on(question)
    return frozenset(keep)


class Flow:
    """Answers so far, the order they were given in, and what to ask next.

    ``history`` lists answered (or, for optional questions, declined) question ids in the order
    they were given; ``back`` undoes the last one. ``remembered`` keeps answers taken back or made
    stale, so they are offered as the default when the question is asked again.
    """

    def __init__(self, ruleset: Ruleset, assessor: Assessor, grouped: bool = True):
        self.ruleset = ruleset
        self.grouped = grouped  # False: every question one by one (the groups are never asked)
        self.assessor = assessor
        self.essential = essential_ids(ruleset)
        self.order = warning_signs_first(asking_order(ruleset), self.essential)
        self.answers: dict[str, Any] = {}
        self.history: list[str] = []
        self.declined: set[str] = set()
        self.remembered: dict[str, Any] = {}
        self.pending: str | None = None  # asked next: taken back, or chosen from the review
        self.quick = False  # finishing quickly: only essential questions are still asked
        self.urgent_offered = False
        self.groups: dict[str, str] = {}  # group id -> its answer (not a clinical answer)
        self.filled: dict[str, list[str]] = {}  # group id -> members its screens answered (as ticked, or "no")
        self.previewed = False  # the result so far was shown when the everyday questions began
        self.groups_remembered: dict[str, str] = {}

    # --- what to ask ---------------------------------------------------------------------------

    def next_question(self) -> Question | QuestionGroup | None:
        """The question (or group) to ask now, or None when every question that applies has been answered."""
        if self.pending:
            return self.ruleset.group_by_id.get(self.pending) or self.ruleset.question_by_id[self.pending]
        for question in (*self._completing_an_emergency(), *self.order):
            if self._due(question):
                group = self.ruleset.group_of.get(question.id)
                if self.grouped and group is not None and group.id not in self.groups and len(self.due_members(group)) >= 2:
                    return group
                return question
        return None

    def _completing_an_emergency(self) -> list[Question]:
        """Questions that apply and could, with one answer, complete an emergency finding the answers
        so far have begun (an injury in the last 2 days: how bad is the pain now?), in asking order.
        They are asked next: an emergency is found at once, not after the sections in between. A
        finding none of whose tests is met yet (a single warning sign) changes no order."""
        answers = self.answers
        found: set[str] = set()
        for finding, tests in self._emergency_findings:
            if not any(t.q in answers and evaluate(t, answers) for t in tests):
                continue
            for test in tests:
                question = self.ruleset.question_by_id[test.q]
                if question.id in answers or question.id in found or not self._due(question):
                    continue
                if any(evaluate(finding.when, {**answers, question.id: v}) for v in _candidate_answers(question, tests)):
                    found.add(question.id)
        return [q for q in self.order if q.id in found]

    @cached_property
    def _emergency_findings(self) -> list[tuple[Finding, list[Test]]]:
        return [(f, list(iter_tests(f.when))) for f in self.ruleset.findings if f.level is Level.emergency]

    def due_members(self, group: QuestionGroup) -> list[Question]:
        """The group's members that apply now and are not answered yet, in asking order."""
        members = set(group.members)
        return [q for q in self.order if q.id in members and self._due(q)]

    def _due(self, question: Question) -> bool:
        if question.id in self.answers or question.id in self.declined:
            return False
        if self.quick and question.id not in self.essential:
            return False
        return applicable(question, self.answers)

    def everyday_next(self) -> bool:
        """True when every warning-sign question that applies is answered and an everyday one is next:
        the answers can no longer change the disposition or the findings, only the advice."""
        question = self.next_question()
        return isinstance(question, Question) and question.id not in self.essential and not self.editing

    def optional_remaining(self) -> list[Question]:
        """Unanswered questions that apply and that finishing quickly would leave out."""
        given = self.answers.keys() | self.declined
        return [q for q in self.order if q.id not in given and q.id not in self.essential and applicable(q, self.answers)]

    def default_for(self, question: Question | QuestionGroup) -> Any:
        """The earlier answer to offer again, if there is one."""
        if isinstance(question, QuestionGroup):
            return self.groups.get(question.id, self.groups_remembered.get(question.id))
        if question.id in self.answers:
            return self.answers[question.id]
        return self.remembered.get(question.id)

    @property
    def editing(self) -> bool:
        """True while a question chosen from the review (still answered) is being asked again."""
        return self.pending is not None and (self.pending in self.answers or self.pending in self.declined)

    # --- changing answers -------------------------------------------------------------------------

    def answer(self, question_id: str, value: Any) -> None:
        """Record an answer; ``None`` declines an optional question. Stale follow-ups are removed."""
        question = self.ruleset.question_by_id[question_id]
        if value is None and question.required:
            raise ValueError(f"{question_id} is required")
        self._forget(question_id)
        if value is None:
            self.declined.add(question_id)
        else:
            self.answers[question_id] = value
        self.remembered.pop(question_id, None)
        self.history.append(question_id)
        self.pending = None
        self._remove_stale()

    def answer_group(self, group_id: str, code: str) -> None:
        """"No, none of these": every member that applies now is "no". ("Yes, one or more" and "Not
        sure" go on to say which: ``answer_group_items``.)"""
        if code != NO:
            raise ValueError(f"{group_id}: {code!r} needs the members ticked (answer_group_items)")
        members = [q.id for q in self.due_members(self.ruleset.group_by_id[group_id])]
        self._record_group(group_id, code, dict.fromkeys(members, NO))

    def answer_group_items(self, group_id: str, code: str, values: Mapping[str, str], rest_no: bool = True) -> None:
        """The group answered "yes" or "not sure", then which: ``values`` gives the members the person
        ticked ("yes" or "not_sure"); every other member that applies now is "no", as they said by
        not ticking it from the list. A ticked member that is not a yes/no question (a headache: how
        bad?) is left to be asked on its own; "not sure" is never read as "no". ``rest_no=False``: the
        ticked answers already make an emergency, so the others were not asked and stay unanswered."""
        if code not in ("yes", "not_sure"):
            raise ValueError(f"{group_id}: {code!r} is not a group answer that says which")
        members = self.due_members(self.ruleset.group_by_id[group_id])
        ids = {q.id for q in members}
        if not values:
            raise ValueError(f"{group_id}: tick at least one of its questions that apply now")
        wrong = next((m for m, v in values.items() if m not in ids or v not in (YES, NOT_SURE)), None)
        if wrong is not None:
            raise ValueError(f"{group_id}: {wrong!r} is not one of its questions that apply now, ticked yes or not sure")
        given: dict[str, str] = {}
        for question in members:
            if question.id not in values and not rest_no:
                continue
            value = values.get(question.id, NO)
            if value in question.codes:
                given[question.id] = value
            elif value != NO:
                continue  # asked on its own
            else:
                raise ValueError(f"{group_id}: {question.id} has no 'no' answer")  # the loader prevents it
        self._record_group(group_id, code, given)

    def emergency_with(self, more: Mapping[str, Any]) -> bool:
        """Whether the answers so far with ``more`` reach an emergency (the real engine)."""
        trial = {**self.answers, **{k: v for k, v in more.items() if v in self.ruleset.question_by_id[k].codes}}
        return self.assessor.assess_answers(trial).disposition is Level.emergency

    def take_group_answer(self, group_id: str, answer: GroupAnswer) -> None:
        """What the group's screens (``grouping.ask_group``) gave, short of going back from the first."""
        if answer.ticked is None:
            self.return_to_group(group_id, answer.code)
        elif answer.code == NO:
            self.answer_group(group_id, NO)
        else:
            self.answer_group_items(group_id, answer.code, answer.ticked, rest_no=answer.complete)

    def return_to_group(self, group_id: str, code: str) -> None:
        """Ask the group again (back from "which ones?"), offering the answer just given."""
        self.groups_remembered[group_id] = code
        self.pending = group_id

    def _record_group(self, group_id: str, code: str, given: dict[str, str]) -> None:
        self._forget_group(group_id)
        self.groups[group_id] = code
        self.groups_remembered.pop(group_id, None)
        for member, value in given.items():
            self._forget(member)
            self.answers[member] = value
            self.remembered.pop(member, None)
        self.filled[group_id] = list(given)
        self.history.append(group_id)
        self.pending = None
        self._remove_stale()

    def last_question_id(self) -> str | None:
        """The question answered last (a group stands for the last member ticked on it, or else the
        last one it answered "no")."""
        for entry in reversed(self.history):
            if entry in self.ruleset.question_by_id:
                return entry
            if self.filled.get(entry):  # the last one ticked, else the last one answered "no"
                ticked = [m for m in self.filled[entry] if self.answers.get(m) != NO]
                return (ticked or self.filled[entry])[-1]
        return None

    def back(self) -> Question | QuestionGroup | None:
        """Take back the last answer and ask that question again (None at the first question).

        While a question chosen from the review is asked again, back cancels that edit instead.
        """
        if self.editing:
            self.pending = None
            return None
        if not self.history:
            return None
        question_id = self.history[-1]
        if question_id in self.ruleset.group_by_id:
            self._take_back_group(question_id)
            self.pending = question_id
            self._remove_stale()
            return self.ruleset.group_by_id[question_id]
        self._take_back(question_id)
        self.pending = question_id
        self._remove_stale()
        return self.ruleset.question_by_id[question_id]

    def edit(self, question_id: str) -> None:
        """Ask an answered question again (from the review); its answer stays until replaced."""
        self.pending = question_id

    def _take_back(self, question_id: str) -> None:
        if question_id in self.answers:
            self.remembered[question_id] = self.answers[question_id]
        self._forget(question_id)

    def _forget(self, question_id: str) -> None:
        self.answers.pop(question_id, None)
        self.declined.discard(question_id)
        if question_id in self.history:
            self.history.remove(question_id)
        for members in self.filled.values():  # answered on its own now, or taken back
            if question_id in members:
                members.remove(question_id)

    def _take_back_group(self, group_id: str) -> None:
        """Take back a group's answer and the answers it gave (they are offered again)."""
        for member in list(self.filled.get(group_id, ())):
            self._take_back(member)
        if group_id in self.groups:
            self.groups_remembered[group_id] = self.groups[group_id]
        self._forget_group(group_id)

    def _forget_group(self, group_id: str) -> None:
        self.groups.pop(group_id, None)
        self.filled.pop(group_id, None)
        if group_id in self.history:
            self.history.remove(group_id)

    def _remove_stale(self) -> None:
        """Answers to follow-ups that no longer apply are dropped (and remembered), until stable."""
        while True:
            stale = [qid for qid in [*self.answers, *self.declined]
                     if not applicable(self.ruleset.question_by_id[qid], self.answers)]
            if not stale:
                return
            for qid in stale:
                self._take_back(qid)

    # --- where the answers lead ---------------------------------------------------------------------

    def assessment(self) -> Assessment:
        """The real engine's assessment of the answers so far."""
        return self.assessor.assess_answers(self.answers)

    def answered(self) -> list[tuple[Question, Any]]:
        """(question, answer or None if declined) for every answered question, in asking order."""
        given = self.answers.keys() | self.declined
        return [(q, self.answers.get(q.id)) for q in self.order if q.id in given]

    def is_finished(self) -> bool:
        return self.next_question() is None

    def finish_quickly(self) -> None:
        """Skip the questions no finding reads (work, sleep, stress); red flags are still asked."""
        self.quick = True

    def reconsider_quick(self, level: Level) -> None:
        """A changed answer may take the level back below urgent: then ask everything again."""
        if level.rank < Level.urgent.rank:
            self.quick = False
            self.urgent_offered = False

    # --- drafts -------------------------------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        return {
            "answers": dict(self.answers),
            "history": list(self.history),
            "declined": sorted(self.declined),
            "remembered": dict(self.remembered),
            "pending": self.pending,
            "quick": self.quick,
            "urgent_offered": self.urgent_offered,
            "groups": dict(self.groups),
            "filled": {gid: list(members) for gid, members in self.filled.items()},
            "groups_remembered": dict(self.groups_remembered),
            "previewed": self.previewed,
        }

    def restore(self, state: dict[str, Any]) -> None:
        """Continue from a draft's state (ids unknown to this ruleset are dropped)."""
        known = self.ruleset.question_by_id
        groups = self.ruleset.group_by_id
        self.answers = {k: v for k, v in state.get("answers", {}).items() if k in known}
        self.declined = {k for k in state.get("declined", ()) if k in known}
        self.groups = {k: v for k, v in state.get("groups", {}).items() if k in groups}
        self.filled = {k: [m for m in v if m in self.answers] for k, v in state.get("filled", {}).items() if k in self.groups}
        self.previewed = bool(state.get("previewed"))
        self.groups_remembered = {k: v for k, v in state.get("groups_remembered", {}).items() if k in groups}
        self.history = [k for k in state.get("history", ()) if k in self.answers or k in self.declined or k in self.groups]
        self.remembered = {k: v for k, v in state.get("remembered", {}).items() if k in known}
        pending = state.get("pending")
        self.pending = pending if pending in known or pending in groups else None
        self.quick = bool(state.get("quick"))
        self.urgent_offered = bool(state.get("urgent_offered"))
        self._remove_stale()
