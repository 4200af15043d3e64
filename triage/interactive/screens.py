"""The words on each screen: the opening, early stops, the review list, the result and the nurse's details.

Pure functions of the assessment and the answers, so both front ends show the same text. Texts are
logical lines (a paragraph, a bullet, a step each): the front end wraps them at the terminal's width
when it shows them (``report.wrapping``). The result leads with the disposition and what to do
(``lead_text``); the rest follows (``details_text``). A nurse sees the nurse's wording of the scale and
a clinical section: each finding with its rationale and its sources by name, the pertinent negatives
and the unknowns.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from ..assessment.outcome import Assessment, FindingResult
from ..report.terminal import _override_line, detail_lines, disclaimer, lead_lines
from ..ruleset.model import Question
from .asks import answer_text

REVIEW_WIDTH = 72  # fits an 80-column terminal after the list's pointer and number
RULE = "=" * 10  # a line of "=" is drawn across the whole width

# Sources are shown by the name of who published them, not by a file reference.
SOURCE_NAMES = {
    "ahchealthenews.com": "HouseCalls adult neck-pain guide (Schmitt-Thompson consumer content)",
    "yumpu.com": "NICE CKS neck pain (copy)",
    "mayoclinic.org": "Mayo Clinic",
    "caths.cam.ac.uk": "NHS meningitis advice (copy)",
    "fpnotebook.com": "FP Notebook",
    "emedicine.medscape.com": "Medscape",
    "gponline.com": "GPonline",
    "wikem.org": "WikEM",
    "mpft.nhs.uk": "Midlands Partnership NHS Foundation Trust",
    "uhcw.nhs.uk": "University Hospitals Coventry and Warwickshire NHS Trust",
    "webmd.com": "WebMD",
    "physiotherapy.ca": "Canadian Physiotherapy Association",
    "northwell.edu": "Northwell Health",
    "primarycarenotebook.com": "Primary Care Notebook",
    "gpreasoning.uk": "GP Reasoning",
    "clinical.stjohnwa.com.au": "St John WA clinical guidance",
}
NO_SOURCE = "clinical reasoning of this program's authors (no published source; to be reviewed)"


def opening_text(ruleset, nurse: bool) -> str:
    """What this is, that it is not a diagnosis, what to do in an emergency, and about how long."""
    count = screen_count(ruleset)
    title = ruleset.scale.title
    if nurse:
        return "\n".join([
            RULE, f"{title.upper()}: NURSE MODE", RULE,
            "Questions to ask the patient about neck pain or neck spasm; the answers suggest a disposition "
            "(how soon the patient needs care). This is not a diagnosis and does not replace clinical judgement.",
            "If the patient has signs of an emergency now, call 911, 112 or 999 (the local emergency number) "
            "without finishing the questions.",
            f"About {count} questions, 3 to 6 minutes. Warning signs come first, several on one screen. Ctrl-B goes back, "
            "Ctrl-T adds a note; Ctrl-C stops and keeps the answers for later.",
        ])
    return "\n".join([
        RULE, title.upper(), RULE,
        "Questions about your neck pain or neck spasm, then advice on how soon to get care and what you "
        "can do yourself. This is not a diagnosis and does not replace a doctor or nurse.",
        "If you think it is an emergency, call 911, 112 or 999 (your local emergency number) now: do not wait "
        "to finish.",
        f"About {count} questions, 3 to 6 minutes. Warning signs come first, several on one screen. Ctrl-B goes back; Ctrl-C "
        "stops and keeps your answers for later.",
    ])


def screen_count(ruleset) -> int:
    """The questions everyone is asked, a group of warning signs counting once (follow-ups not counted)."""
    top = [q for q in ruleset.questions if q.ask_when is None]
    return len(ruleset.groups) + sum(1 for q in top if q.id not in ruleset.group_of)


def banner(text: str) -> str:
    return f"{RULE}\n{text}\n{RULE}"


def emergency_text(a: Assessment, nurse: bool, wording: Mapping[str, str] | None = None) -> str:
    """What to do now, shown the moment the answers reach the emergency level."""
    action, if_worse = a.level.for_reader(nurse)
    lines = [banner(f"EMERGENCY: {a.level.label.upper()}"), action, "", "Because of:"]
    lines += _most_urgent_lines(a, nurse, "the emergency comes first")
    stopped = ("The questions stop here: the remaining ones cannot change this disposition." if nurse else
               "The questionnaire has stopped here: the remaining questions cannot change this advice.")
    lines += ["", stopped, "", f"If things get worse: {if_worse}", "", disclaimer(a, nurse)]
    if nurse:
        lines += ["", nurse_details(a, wording)]
    return "\n".join(lines)


def urgent_text(a: Assessment, nurse: bool = False) -> str:
    """Said at once when the answers reach the urgent level."""
    action, _ = a.level.for_reader(nurse)
    lines = [banner(f"{a.level.label.upper()} ({a.level.timeframe})"), action, "", "Because of:"]
    return "\n".join(lines + _most_urgent_lines(a, nurse, "getting care now comes first"))


def _most_urgent_lines(a: Assessment, nurse: bool, first: str) -> list[str]:
    """The most urgent findings with their advice (those at the disposition's level, or the ones that
    raised it together); the others by name only: their own advice (a check within 24 hours) would
    only blur what to do now."""
    highest = max((f.level.rank for f in a.findings), default=None)  # below the disposition when two raised it
    top = [f for f in a.findings if f.level.rank == highest]
    lines = _finding_lines(top, nurse)
    also = [f for f in a.findings if f.level.rank != highest]
    return lines + (["", f"Also noted ({first}):", *(f"- {f.title}" for f in also)] if also else [])


def preview_text(a: Assessment, nurse: bool, everyday: int, topics: str) -> str:
    """The result so far, shown once when the warning-sign questions are done and only the everyday
    ones (which tailor the advice but cannot change the disposition) are left."""
    action, if_worse = a.level.for_reader(nurse)
    lines = [banner(f"RESULT SO FAR: {a.level.label.upper()} ({a.level.timeframe})"), action]
    if a.findings:
        lines += ["", "Because of:", *_finding_lines(a.findings, nurse)]
    many = f"{everyday} everyday question{'s' if everyday != 1 else ''}"
    if nurse:
        lines += ["", f"Warning-sign screening is complete. {many.capitalize()} follow ({topics}): they tailor the "
                      "self-care advice and cannot change the disposition. Then the review and the full result."]
    else:
        lines += ["", f"The warning-sign questions are done. {many.capitalize()} follow ({topics}): they make the "
                      "advice fit you and do not change how soon to get care. Then you check your answers and see "
                      "the whole result."]
    lines += ["", f"If things get worse: {if_worse}"]
    return "\n".join(lines)


def _finding_lines(findings, nurse: bool = False) -> list[str]:
    """Each finding and its message to the person; for a nurse the finding alone (its clinical
    rationale is in the nurse's section: the messages speak to the patient)."""
    if nurse:
        return [f"- {f.title}" for f in findings]
    return [f"- {f.title}: {f.message}" for f in findings]


def lead_text(a: Assessment, nurse: bool) -> str:
    """The disposition and what to do: the first thing on the result screen."""
    return "\n".join(lead_lines(a, nurse))


def details_text(a: Assessment, nurse: bool, wording: Mapping[str, str] | None = None) -> str:
    """Everything after the lead: why, self-care, exercises, and for a nurse the clinical section."""
    text = "\n".join(detail_lines(a, nurse))
    return f"{text}\n\n{nurse_details(a, wording)}" if nurse else text


def result_text(a: Assessment, nurse: bool, wording: Mapping[str, str] | None = None) -> str:
    """The whole result screen, lead first."""
    return f"{lead_text(a, nurse)}\n\n{details_text(a, nurse, wording)}"


def nurse_details(a: Assessment, wording: Mapping[str, str] | None = None) -> str:
    """The nurse's own section, in clinical language, with every source by name.

    ``wording``: question id -> the nurse's wording of the question (the assessment holds the person's)."""
    lines = ["FOR THE NURSE: CLINICAL DETAILS"]
    if a.override and a.override.direction != "unchanged":
        lines.append(f"Disposition from the answers: {_words(a.engine_disposition)}; {_override_line(a)}")
    else:
        lines.append(f"Disposition: {a.level.label} ({_words(a.disposition)}), from the answers.")
    if a.raised_by_combination:
        lines.append(f"Raised one level by the combination of findings: {a.raised_by_combination}.")
    if a.findings:
        lines += ["", "Positive findings:"]
        for f in a.findings:
            lines += _finding_details(f)
    else:
        lines += ["", "Positive findings: none."]
    lines += [""] + _answer_list("Pertinent negatives (answered no):", a.pertinent_negatives, wording)
    lines += [""] + _answer_list("Unknowns (answered not sure; not read as no):", a.unknowns, wording)
    return "\n".join(lines)


def _words(level) -> str:
    return level.value.replace("_", " ")


def source_name(source) -> str:
    url = getattr(source, "url", None)
    if not url:
        return NO_SOURCE
    host = urlsplit(str(url)).hostname or str(url)
    host = host.removeprefix("www.")
    return SOURCE_NAMES.get(host, host)


def _finding_details(f: FindingResult) -> list[str]:
    sources = "; ".join(dict.fromkeys(source_name(s) for s in f.sources))
    lines = [f"  - {f.title} ({_words(f.level)}): {f.rationale}", f"    Sources: {sources}."]
    if f.caution:
        lines.append(f"    Caution: {f.caution}")
    return lines


def _answer_list(title: str, refs, wording: Mapping[str, str] | None) -> list[str]:
    if not refs:
        return [f"{title} none"]
    return [title, *(f"  - {' '.join((wording or {}).get(r.id, r.question).split())}" for r in refs)]


def review_label(question: Question, value: Any, nurse: bool, note: str | None = None, width: int = REVIEW_WIDTH,
                 short: str | None = None) -> str:
    """One line of the review list: the question's short name and the answer (as the printed summary
    names it), or else the question shortened to ``width`` with the answer."""
    if short:
        return f"{short}: {answer_text(question, value, nurse)}" + (" (note added)" if note else "")
    answer = f" Answer: {answer_text(question, value, nurse)}" + (" (note added)" if note else "")
    answer = _shorten(answer, width // 2) if len(answer) > width // 2 else answer
    return _shorten(" ".join(question.wording(nurse).split()), width - len(answer)) + answer


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 3, 1)].rstrip() + "..."


def recap(a: Assessment, nurse: bool = False) -> str:
    """The result in one line, repeated after the long result screen so it is the last thing seen."""
    action, _ = a.level.for_reader(nurse)
    who = "Result" if nurse else "Your result"
    return f"{who}: {a.level.label} ({a.level.timeframe}). {action}"


def section_heading(title: str) -> str:
    return f"\n-- {title} --"
