"""Benchmarks on this machine: start-up, one assessment, the engine, batch throughput, export, memory.

    python benchmarks/run.py            # about a minute
    python benchmarks/run.py --quick    # fewer repeats, 2,000 answer sets instead of 10,000
    python benchmarks/run.py --engine   # only durable-rules' time per assessment, in process
    python benchmarks/run.py --benign-path   # only: questions asked when there are no warning signs

Every figure comes from the real program: subprocesses for what a user runs (wall time with
time.perf_counter, peak memory as the child's VmHWM), in-process timing for the engine
and the exports. Repeated runs report the minimum and the median; the minimum is the figure least
disturbed by other load on the machine. Subprocesses run with bytecode caching on (as after a normal
install) and with their own empty home folders, so no saved draft changes what they show.

Targets (from the issue): the first question within 1.1x the bare import of questionary, pydantic
and durable-rules; `triage assess` on one file without importing the prompt library; 10,000
assessments in batch under 5 seconds on one core, with flat memory. The record: `triage history`
over 10,000 stored assessments under 0.5 s; a check-in's first question within 1.1x the time to the
questionnaire's first question. The summary: `triage assess FILE --summary x.pdf` within 1.5x the
same command writing HTML (median of alternating pairs), its peak memory under 60 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import pty
import random
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from triage.assessment.answers import applicable, parse_answers  # noqa: E402
from triage.assessment.assess import Assessor, engine_fact  # noqa: E402
from triage.ruleset.load import load_ruleset  # noqa: E402
from triage.ruleset.model import QuestionType  # noqa: E402

PYTHON = sys.executable
BARE_IMPORT = "import questionary; import pydantic; from pydantic import BaseModel; import durable.lang"
PROMPT_LIBRARIES = ("questionary", "prompt_toolkit")
# Runs triage and, at exit, records its peak memory. VmHWM belongs to the process after exec;
# ru_maxrss would also count the memory of this (forked) benchmark process.
PEAK_WRAPPER = """
import atexit, os, runpy, sys
def report():
    with open("/proc/self/status") as status:
        peak = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    with open(os.environ["TRIAGE_BENCH_PEAK"], "w") as out:
        out.write(peak)
atexit.register(report)
sys.argv = ["triage", *sys.argv[1:]]
runpy.run_module("triage", run_name="__main__", alter_sys=True)
"""
SEED = 20261123
LONG_NAME = "Αλέξανδρος 王小明 Example-Longname Fitzwilliam-Papadopoulou"


# --- answer sets -------------------------------------------------------------------------------


def answer_sets(ruleset, count: int, seed: int = SEED):
    """Complete, valid answer sets, walked like a person answers; red flags are mostly 'no'."""
    rng = random.Random(seed)
    for _ in range(count):
        answers: dict = {}
        for question in ruleset.questions:
            if applicable(question, answers) and (question.required or rng.random() < 0.5):
                answers[question.id] = _answer(rng, question)
        yield answers


def _answer(rng: random.Random, question):
    kind = question.type
    if kind is QuestionType.yes_no_unsure:
        weights = (0.85, 0.1, 0.05) if question.red_flag else (0.5, 0.4, 0.1)
        return rng.choices(("no", "yes", "not_sure"), weights)[0]
    if kind is QuestionType.single:
        return rng.choice(question.codes)
    if kind is QuestionType.multi:
        others = [code for code in question.codes if code != "none"]  # "none" is exclusive
        if "none" in question.codes and rng.random() < 0.5:
            return ["none"]
        return rng.sample(others, rng.randint(1, min(3, len(others))))
    if kind is QuestionType.text:
        return "It started after a long drive."
    low, high = question.bounds
    return rng.randint(low, high)


# --- running the program -----------------------------------------------------------------------


class Sandbox:
    """Environment for child processes: bytecode caching on, empty home and XDG folders."""

    def __init__(self, folder: Path):
        self.env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        for name in ("HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME"):
            path = folder / name.lower()
            path.mkdir(exist_ok=True)
            self.env[name] = str(path)
        self.env.pop("NO_COLOR", None)
        self.env["TERM"] = "xterm-256color"

    def timed(self, args: list[str], one_core: bool = False) -> tuple[float, int]:
        """(wall seconds, exit code) of one run of any command."""
        start = time.perf_counter()
        code = subprocess.run(args, cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              preexec_fn=_pin_to_one_core if one_core else None).returncode
        return time.perf_counter() - start, code

    def triage(self, args: list[str], one_core: bool = False) -> tuple[float, int, int]:
        """(wall seconds, peak RSS in kB, exit code) of one run of ``triage ARGS``."""
        peak_file = Path(self.env["HOME"]) / "peak.txt"
        self.env["TRIAGE_BENCH_PEAK"] = str(peak_file)
        seconds, code = self.timed([PYTHON, "-c", PEAK_WRAPPER, *args], one_core)
        return seconds, int(peak_file.read_text()), code

    def until_output(self, args: list[str], marker: bytes, timeout: float = 60) -> float:
        """Seconds from start until ``marker`` appears on a pseudo-terminal (then the child is killed)."""
        return self.conversation(args, [(marker, None)], timeout)[0]

    def conversation(self, args: list[str], steps: list[tuple[bytes, bytes | None]], timeout: float = 60) -> list[float]:
        """Seconds from start until each step's marker appears on a pseudo-terminal; after each, its
        reply (if any) is typed at once. The child is killed after the last marker."""
        master, slave = pty.openpty()
        start = time.perf_counter()
        child = subprocess.Popen(args, cwd=ROOT, env=self.env, stdin=slave, stdout=slave, stderr=slave, close_fds=True)
        os.close(slave)
        seen, times = b"", []
        try:
            for marker, reply in steps:
                while marker not in _plain(seen):
                    if time.perf_counter() - start > timeout:
                        raise RuntimeError(f"no {marker!r} within {timeout} s; last output: {seen[-300:]!r}")
                    if select.select([master], [], [], 0.01)[0]:
                        seen += os.read(master, 65536)
                times.append(time.perf_counter() - start)
                seen = b""
                if reply is not None:
                    os.write(master, reply)
            return times
        finally:
            child.kill()
            child.wait()
            os.close(master)


def _pin_to_one_core() -> None:
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def _plain(output: bytes) -> bytes:
    """Terminal output without escape sequences and line breaks, to find a question's words."""
    import re

    text = re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]", b"", output)
    return b" ".join(text.split())


def repeat(times: int, measure) -> list[float]:
    return [measure() for _ in range(times)]


def summary(values: list[float], unit: str = "s", scale: float = 1.0) -> str:
    low, middle = min(values) * scale, statistics.median(values) * scale
    return f"min {low:.3f} {unit}, median {middle:.3f} {unit} ({len(values)} runs)"


# --- the measurements --------------------------------------------------------------------------


def start_up(sandbox: Sandbox, ruleset, repeats: int) -> dict:
    """The bare import and the first question, in turn, so a drift in the machine's speed hits
    both alike (which goes first alternates, so a steady drift does not favour either); the verdict
    uses the median of the pairs' ratios."""
    marker = _marker(ruleset.questions[0].ask)
    command = triage_command()
    bare, first = [], []
    for pair in range(repeats):
        steps = [lambda: bare.append(sandbox.timed([PYTHON, "-c", BARE_IMPORT])[0]),
                 lambda: first.append(sandbox.until_output(command, marker))]
        for step in steps if pair % 2 == 0 else reversed(steps):
            step()
    ratios = [f / b for f, b in zip(first, bare)]
    return {"bare": bare, "first": first, "command": command, "ratio": statistics.median(ratios),
            "ratios": (min(ratios), max(ratios)), "ratio_of_minimums": min(first) / min(bare)}


def first_answer(sandbox: Sandbox, ruleset, repeats: int) -> list[float]:
    """Seconds until the second question is on screen when the first one is answered "no" the
    moment it appears: the rules loaded and validated (while the first question was up), the first
    assessment (which builds the engine) and the next prompt. No person answers that fast, so this
    is the longest anyone could wait after their first answer."""
    from triage.interactive.asks import GROUP_OPTIONS
    from triage.interactive.flow import Flow
    from triage.ruleset.model import QuestionGroup

    flow = Flow(ruleset, Assessor(ruleset))
    first = flow.next_question()  # a group of warning signs: "No, none of these"
    if isinstance(first, QuestionGroup):
        flow.answer_group(first.id, "no")
        codes = [code for code, _ in GROUP_OPTIONS]
    else:
        flow.answer(first.id, "no")
        codes = list(first.codes)
    second = flow.next_question()
    key = str(codes.index("no") + 1).encode()
    # a terminal answers prompt_toolkit's cursor-position request at once; this pseudo-terminal does
    # not, and each later prompt would wait a second for it
    sandbox.env["PROMPT_TOOLKIT_NO_CPR"] = "1"
    try:
        steps = [(_marker(first.ask), key + b"\r"), (_marker(second.ask), None)]
        times = []
        for _ in range(repeats):  # the first answer is saved as a draft at once: each run starts without one
            shutil.rmtree(Path(sandbox.env["XDG_DATA_HOME"]) / "neck-triage", ignore_errors=True)
            times.append(sandbox.conversation(triage_command(), steps)[1])
        return times
    finally:
        del sandbox.env["PROMPT_TOOLKIT_NO_CPR"]
        shutil.rmtree(Path(sandbox.env["XDG_DATA_HOME"]) / "neck-triage", ignore_errors=True)


def _marker(text: str) -> bytes:
    return b" ".join(text.encode().split()[:6])


def triage_command() -> list[str]:
    """What a user runs: the ``triage`` script installed beside this Python (else ``-m triage``)."""
    script = Path(PYTHON).parent / "triage"
    return [str(script)] if script.exists() else [PYTHON, "-m", "triage"]


def assess_one_file(sandbox: Sandbox, answers_path: Path, repeats: int) -> dict:
    runs = [sandbox.triage(["assess", str(answers_path)]) for _ in range(repeats)]
    probe = subprocess.run([PYTHON, "-X", "importtime", "-m", "triage", "assess", str(answers_path)],
                           cwd=ROOT, env=sandbox.env, capture_output=True, text=True)
    imported = sorted({line.split("|")[-1].strip().split(".")[0] for line in probe.stderr.splitlines() if "|" in line})
    return {
        "times": [r[0] for r in runs],
        "rss": max(r[1] for r in runs),
        "codes": {r[2] for r in runs},
        "prompt_imported": [name for name in PROMPT_LIBRARIES if name in imported],
    }


def fill_record(folder: Path, ruleset, answers: dict, count: int) -> None:
    """``count`` assessments (the real result of one answer set) through the store API, one transaction."""
    from datetime import datetime, timedelta, timezone

    from triage.assessment.answers import parse_answers
    from triage.record.entries import record_assessment
    from triage.record.store import RecordStore

    answers_file = parse_answers(ruleset, {"answers": answers})
    assessment = Assessor(ruleset).assess(answers_file)
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    with RecordStore(folder) as store, store.transaction():
        for n in range(count):
            moment = start + timedelta(minutes=n)
            record_assessment(store, answers_file, assessment, started=moment, ended=moment, source="file")


def record_history(sandbox: Sandbox, folder: Path, repeats: int) -> dict:
    """The real ``triage history`` over the filled record (its whole output read)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        done = subprocess.run([*triage_command(), "history"], cwd=ROOT, env=sandbox.env, capture_output=True)
        times.append(time.perf_counter() - start)
    return {"times": times, "lines": done.stdout.count(b"\n"), "code": done.returncode}


def checkin_start(sandbox: Sandbox, ruleset, repeats: int) -> dict:
    """Time to the first question of ``triage checkin`` and of ``triage``, in alternating pairs."""
    from triage.interactive.checkin import PAIN_ASK

    first, checkin = _marker(ruleset.questions[0].ask), _marker(PAIN_ASK.message)
    plain, check = [], []
    for pair in range(repeats):
        steps = [lambda: plain.append(sandbox.until_output(triage_command(), first)),
                 lambda: check.append(sandbox.until_output([*triage_command(), "checkin"], checkin))]
        for step in steps if pair % 2 == 0 else reversed(steps):
            step()
    ratios = [c / p for c, p in zip(check, plain)]
    return {"triage": plain, "checkin": check, "ratio": statistics.median(ratios)}


def prompt_build(ruleset, repeats: int) -> dict:
    """In process: building the arrow-key prompt for a question, the work between an answer and
    the next question appearing (the first build includes prompt_toolkit's default key bindings)."""
    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.input import DummyInput
    from prompt_toolkit.output import DummyOutput

    from triage.interactive.asks import question_ask
    from triage.interactive.prompts import _BUILDERS

    results = {}
    with create_app_session(input=DummyInput(), output=DummyOutput()):
        for kind in (QuestionType.single, QuestionType.multi):
            question = next(q for q in ruleset.questions if q.type is kind)
            spec = question_ask(question, nurse=False, default=None, back=True)
            times = []
            for _ in range(repeats + 1):
                start = time.perf_counter()
                _BUILDERS[spec.kind](spec, 80)
                times.append(time.perf_counter() - start)
            results[kind.value] = times
    return results


def engine_per_case(ruleset, sets: list[dict], repeats: int) -> dict:
    """Per assessment: durable-rules alone (each pass evaluates every set once), and the whole assessment."""
    assessor = Assessor(ruleset)
    parsed = [parse_answers(ruleset, {"answers": answers}) for answers in sets]
    facts = [engine_fact(ruleset, p.answers) for p in parsed]
    for fact in facts[:100]:
        assessor.evaluator.fired(fact)  # warm up
    engine = []
    for _ in range(repeats):
        start = time.perf_counter()
        fired = [assessor.evaluator.fired(fact) for fact in facts]
        engine.append((time.perf_counter() - start) / len(facts))
    start = time.perf_counter()
    for answers_file in parsed:
        assessor.assess(answers_file).model_dump_json()
    whole = (time.perf_counter() - start) / len(parsed)
    return {"engine": engine, "assess": whole, "fired": statistics.mean(len(f) for f in fired)}


def print_engine(ruleset, sets: list[dict], repeats: int) -> None:
    engine = engine_per_case(ruleset, sets, repeats)
    print(f"\nEngine, in process ({len(sets):,} answer sets, {engine['fired']:.1f} rules fire per set on average)")
    print(f"  durable-rules evaluation per assessment:      {summary(engine['engine'], 'us', 1e6)}")
    print(f"  whole assessment incl. JSON, per assessment:  {engine['assess'] * 1e6:.0f} us")


def batch(sandbox: Sandbox, ruleset, folder: Path, sizes: tuple[int, ...], repeats: int) -> dict:
    results = {}
    for size in sizes:
        source = folder / f"batch_{size}.jsonl"
        with source.open("w", encoding="utf-8") as handle:
            for answers in answer_sets(ruleset, size):
                handle.write(json.dumps({"answers": answers}) + "\n")
        out = folder / f"batch_{size}.out.jsonl"
        args = ["assess", "--batch", str(source), "-o", str(out), "--force"]
        runs = [sandbox.triage(args, one_core=True) for _ in range(repeats)]
        lines = sum(1 for _ in out.open(encoding="utf-8"))
        results[size] = {"times": [r[0] for r in runs], "rss": max(r[1] for r in runs), "codes": {r[2] for r in runs}, "lines": lines}
    return results


def export(ruleset, sets: list[dict], repeats: int) -> dict:
    from triage.report.save import render as render_summary
    from triage.report.summary import build_summary

    assessor = Assessor(ruleset)
    answers_file = parse_answers(ruleset, {"answers": sets[0], "patient": {"name": LONG_NAME}})
    summary_model = build_summary(ruleset, answers_file, assessor.assess(answers_file))
    results = {}
    for fmt in ("html", "pdf"):
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            data = render_summary(summary_model, fmt)
            times.append(time.perf_counter() - start)
        results[fmt] = {"times": times, "bytes": len(data)}
    return results


def whole_command_pairs(sandbox: Sandbox, answers_path: Path, folder: Path, pairs: int) -> dict[str, list]:
    """``triage assess FILE --summary x.html`` and ``x.pdf`` on the same answers file, one right after the
    other, ``pairs`` times, so both see the same load on the machine (the ratio of each pair is what the
    target is about); which goes first alternates, so a steady drift favours neither."""
    results: dict[str, list] = {"html": [], "pdf": []}
    for pair in range(pairs):
        for suffix in ("html", "pdf") if pair % 2 == 0 else ("pdf", "html"):
            target = folder / f"summary.{suffix}"
            results[suffix].append(sandbox.triage(["assess", str(answers_path), "--summary", str(target), "--force"]))
    return results


def export_step(sandbox: Sandbox, ruleset, sets: list[dict], named_path: Path, folder: Path, repeats: int) -> list[int]:
    """The exports in process, then the whole commands in pairs; returns the peak RSS of each format (kB)."""
    peaks: list[int] = []
    exports = export(ruleset, sets, repeats)
    print("\nExport of one summary (in process; the first run includes loading templates and fonts)")
    for fmt, run in exports.items():
        print(f"  {fmt.upper():4} first {run['times'][0] * 1000:.0f} ms, then {summary(run['times'][1:], 'ms', 1000)}, "
              f"{run['bytes'] / 1024:.0f} kB")
    print("`triage assess FILE --summary OUT` (whole command, as a user runs it; HTML and PDF run in pairs, the same")
    print(f"  answers file with the name {LONG_NAME!r})")
    paired = whole_command_pairs(sandbox, named_path, folder, max(3, repeats))
    for suffix in ("html", "pdf"):
        runs_of = paired[suffix]
        peaks.append(max(r[1] for r in runs_of))
        print(f"  {suffix.upper():4} {summary([r[0] for r in runs_of])}, peak RSS {peaks[-1] / 1024:.1f} MB, "
              f"exit {sorted({r[2] for r in runs_of})}")
    ratios = sorted(p[0] / h[0] for h, p in zip(paired["html"], paired["pdf"]))
    ratio = statistics.median(ratios)
    pdf_peak = max(r[1] for r in paired["pdf"]) / 1024
    print(f"  PDF / HTML, median of pairs: {ratio:.2f}x (pairs {ratios[0]:.2f}-{ratios[-1]:.2f}x)   "
          f"target <= 1.5x: {verdict(ratio <= 1.5)}")
    print(f"  PDF peak RSS {pdf_peak:.1f} MB   target < 60 MB: {verdict(pdf_peak < 60)}")
    return peaks


# --- report ------------------------------------------------------------------------------------


# Questions a calm person answers (every red flag "no", every list "None of these"), for three people,
# on main at 111aa2a (before issue 13), computed with this walker on a `git archive 111aa2a` copy:
BENIGN_PATH_BEFORE = {"35-year-old man": 31, "35-year-old woman": 31, "70-year-old woman": 33}
BENIGN_PEOPLE = {"35-year-old man": (35, "male"), "35-year-old woman": (35, "female"), "70-year-old woman": (70, "female")}


def benign_path(ruleset, age: int, sex: str) -> int:
    """How many questions a person with no warning signs is asked (optional ones skipped)."""
    answers: dict = {}
    for question in ruleset.questions:
        if question.required and applicable(question, answers):
            answers[question.id] = _benign_answer(question, age, sex)
    return len(answers)


def walk_grouped(ruleset, assessor, truths: dict, benign=None) -> tuple[int, int, str, list[str]]:
    """Walk the session's ``Flow`` as a person whose true answers are ``truths`` would.

    A group screen is answered "no" if every listed member is no, "yes" if one is yes (then the
    "which ones?" tick-box: the yes members, and the not-sure box if one is not sure), else "not
    sure"; questions not in ``truths`` get ``benign(question)``. Stops at emergency, as the session
    does. Returns (prompts up to the result: the emergency stop or the result so far, prompts in
    all, the disposition, the prompt ids)."""
    from triage.interactive.flow import Flow
    from triage.ruleset.model import Level, QuestionGroup

    flow, asked, to_result = Flow(ruleset, assessor), [], None
    while True:
        if flow.answers and flow.assessment().disposition is Level.emergency:
            break
        if to_result is None and flow.everyday_next():
            to_result = len(asked)
        item = flow.next_question()
        if item is None:
            break
        if isinstance(item, QuestionGroup):
            _group_as(flow, item, truths, asked)  # each of its screens counts
            continue
        asked.append(item.id)
        if item.id in truths:
            flow.answer(item.id, truths[item.id])
        elif benign is not None:
            flow.answer(item.id, benign(item) if item.required else None)
        elif item.required:
            raise KeyError(item.id)
        else:
            flow.answer(item.id, None)
    disposition = flow.assessment().disposition.value
    return (len(asked) if to_result is None else to_result), len(asked), disposition, asked


def _group_as(flow, group, truths: dict, asked: list[str]) -> None:
    """Answer a group through the session's own screens (``grouping.ask_group``) as a person whose
    true answers are ``truths`` would: "no" if every listed member is no, "yes" if one is yes (a
    headache "mild" or "severe" is a yes), else "not sure"; then the members ticked as they are."""
    from triage.interactive.asks import NONE_OF_THEM, UNSURE_ABOUT_OTHERS
    from triage.interactive.grouping import ask_group
    from triage.report.content import load_summary_content

    members = flow.due_members(group)
    ticks = {q.id: truths.get(q.id, "no") if truths.get(q.id, "no") in ("yes", "no", "not_sure") else "yes" for q in members}

    def reply(spec):
        asked.append(group.id if spec.kind == "choice" else f"{group.id}:which")
        if spec.kind == "choice":
            return "yes" if "yes" in ticks.values() else "not_sure" if "not_sure" in ticks.values() else "no"
        listed = [code for code, _ in spec.options if code in ticks]
        ticking = "not_sure" if "not sure" in spec.message or "ruled out" in spec.message else "yes"
        picked = [m for m in listed if ticks[m] == ticking]
        codes = {code for code, _ in spec.options}
        if UNSURE_ABOUT_OTHERS in codes and any(ticks[m] == "not_sure" for m in listed if m not in picked):
            picked.append(UNSURE_ABOUT_OTHERS)
        return picked or [NONE_OF_THEM]

    answer = ask_group(reply, lambda text: None, group, members, False, load_summary_content(flow.ruleset).short_labels,
                       emergency=flow.emergency_with)
    flow.take_group_answer(group.id, answer)


def grouped_counts(ruleset, age: int, sex: str) -> tuple[int, int, list[str]]:
    """Prompts on the grouped path with no warning signs: up to the result so far, in all, and their ids."""
    to_result, total, _, asked = walk_grouped(ruleset, Assessor(ruleset), {}, lambda q: _benign_answer(q, age, sex))
    return to_result, total, asked


def per_disposition(ruleset) -> dict[str, list[int]]:
    """Prompts up to the result on the grouped path for each vignette in tests/cases, by its disposition.

    The person answers as the vignette's answers say (``walk_grouped``); optional questions left
    out of a vignette are skipped, and a vignette without a complete answer set is left out."""
    import yaml

    assessor = Assessor(ruleset)
    counts: dict[str, list[int]] = {}
    for path in sorted((ROOT / "tests" / "cases").glob("*.yaml")):
        case = yaml.safe_load(path.read_text(encoding="utf-8"))
        truths = (case.get("answers") or {}) if isinstance(case, dict) else {}
        try:
            to_result, _, disposition, _ = walk_grouped(ruleset, assessor, truths)
        except (KeyError, ValueError):
            continue  # a vignette without a complete answer set (e.g. a bad-input case)
        injured = disposition == "emergency" and truths.get("recent_injury") in ("yes", "not_sure")
        counts.setdefault(f"{disposition} after an injury" if injured else disposition, []).append(to_result)
    return counts


def _benign_answer(question, age: int, sex: str):
    kind = question.type
    if question.id in ("age", "sex"):
        return age if question.id == "age" else sex
    if kind is QuestionType.yes_no_unsure:
        return "no"
    if kind is QuestionType.multi:
        return ["none"] if "none" in question.codes else [question.codes[0]]
    if kind is QuestionType.single:
        return question.codes[0]
    return 3  # pain and numbers: nothing any ask_when waits for


def verdict(ok: bool) -> str:
    return "MET" if ok else "MISSED"


def record_section(sandbox: Sandbox, ruleset, folder: Path, sets: list[dict], size: int, quick: bool, repeats: int) -> None:
    record_dir = folder / "record"
    fill_started = time.perf_counter()
    fill_record(record_dir, ruleset, sets[0], size)
    filled = time.perf_counter() - fill_started
    sandbox.env["TRIAGE_DATA_DIR"] = str(record_dir)
    history = record_history(sandbox, record_dir, repeats)
    print(f"\nThe record ({size:,} assessments stored through the store API in {filled:.1f} s, one transaction)")
    print(f"  `triage history`: {summary(history['times'])}, {history['lines']:,} lines, exit {history['code']}")
    if size == 10_000:
        print(f"  10,000 under 0.5 s: {verdict(statistics.median(history['times']) < 0.5)}")
    else:
        print("  (the 0.5-second target is for 10,000 stored assessments: run without --quick)")
    check = checkin_start(sandbox, ruleset, 5 if quick else 11)
    print(f"  first question of `triage`:         {summary(check['triage'])}")
    print(f"  first question of `triage checkin`: {summary(check['checkin'])}")
    print(f"  ratio, median of pairs: {check['ratio']:.2f}x   target <= 1.10x: {verdict(check['ratio'] <= 1.10)}")
    del sandbox.env["TRIAGE_DATA_DIR"]


def main() -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--quick", action="store_true", help="fewer repeats and 2,000 answer sets")
    options.add_argument("--engine", action="store_true", help="only the engine, in process (seconds)")
    options.add_argument("--benign-path", action="store_true", help="only count the questions on the benign path")
    options.add_argument("--only", choices=("export",), help="run one step only: export (in process, then the "
                         "whole `triage assess FILE --summary x.html` / `x.pdf` commands in pairs)")
    options.add_argument("--record-only", action="store_true", help="only the record: history and the check-in's start")
    chosen = options.parse_args()
    quick = chosen.quick
    repeats, size = (3, 2_000) if quick else (7, 10_000)
    ruleset = load_ruleset()
    sets = list(answer_sets(ruleset, 2_000))
    print(f"triage benchmarks: Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs "
          f"({len(os.sched_getaffinity(0))} usable), rules {ruleset.version}: {len(ruleset.questions)} questions, "
          f"{len(ruleset.findings)} findings")
    if chosen.engine:
        print_engine(ruleset, sets, repeats)
        return 0
    print("\nQuestions on the benign path (no warning signs; before = main at 111aa2a)")
    for person, (age, sex) in BENIGN_PEOPLE.items():
        now, before = benign_path(ruleset, age, sex), BENIGN_PATH_BEFORE[person]
        print(f"  {person:18} {now} questions (before {before}, {now - before:+d})")
    print("\nGrouped screening (the session's path): prompts answered up to the result (the result so far, shown")
    print("when the warning signs are done), then in all before the review; optional questions count")
    for person, (age, sex) in BENIGN_PEOPLE.items():
        to_result, total, _ = grouped_counts(ruleset, age, sex)
        print(f"  {person:18} {to_result} prompts to the result: target 15 {verdict(to_result <= 15)}; {total} in all")
    print(f"  asked (35-year-old man): {', '.join(grouped_counts(ruleset, 35, 'male')[2])}")
    print("\nPrompts up to the result per disposition over tests/cases (grouped path; an emergency stops at once;")
    print("after an injury, the combinations need the injury and the sign, some also when it happened)")
    for level, counts in sorted(per_disposition(ruleset).items()):
        target = f"  target 5 {verdict(max(counts) <= 5)}" if level.startswith("emergency") else ""
        print(f"  {level:26} {len(counts):3} cases: mean {statistics.mean(counts):.1f}, max {max(counts)}{target}")
    if chosen.benign_path:
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sandbox = Sandbox(folder)
        answers_path = folder / "answers.json"
        answers_path.write_text(json.dumps({"answers": sets[0]}), encoding="utf-8")
        # the export's answers carry a long name in Latin, Greek and CJK script: the PDF then also loads fallback fonts
        named_path = folder / "answers-named.json"
        named_path.write_text(json.dumps({"answers": sets[0], "patient": {"name": LONG_NAME}}), encoding="utf-8")
        sandbox.triage(["assess", str(named_path), "--summary", str(folder / "warm.pdf")])  # write bytecode caches first
        if chosen.only == "export":
            export_step(sandbox, ruleset, sets, named_path, folder, repeats)
            return 0
        if chosen.record_only:
            record_section(sandbox, ruleset, folder, sets, 10_000, quick, repeats)
            return 0

        start = start_up(sandbox, ruleset, 5 if quick else 21)
        print("\nStart-up")
        print(f"  bare import of questionary, pydantic, durable-rules: {summary(start['bare'])}")
        print(f"  time to the first question (pseudo-terminal):       {summary(start['first'])}")
        low, high = start["ratios"]
        print(f"  (ran: {' '.join(Path(part).name for part in start['command'])})")
        print(f"  ratio, median of pairs: {start['ratio']:.2f}x (pairs {low:.2f}-{high:.2f}x; of minimums "
              f"{start['ratio_of_minimums']:.2f}x)   target <= 1.1x: {verdict(start['ratio'] <= 1.1)}")

        answered = first_answer(sandbox, ruleset, 5 if quick else 11)
        print(f"  first answer taken, the second question on screen:  {summary(answered)}")
        print("  (the first question answered the moment it appears: the rules finish loading behind it)")

        prompts = prompt_build(ruleset, 20)
        print("  building a question's prompt (in process, between one answer and the next question):")
        for kind, times in prompts.items():
            print(f"    {kind:6} first {times[0] * 1000:.1f} ms, then {summary(times[1:], 'ms', 1000)}")

        one = assess_one_file(sandbox, answers_path, repeats)
        print("\n`triage assess FILE` (one answers file)")
        print(f"  {summary(one['times'])}, peak RSS {one['rss'] / 1024:.1f} MB, exit {sorted(one['codes'])}")
        shown = ", ".join(one["prompt_imported"]) or "none"
        print(f"  prompt library imported: {shown}   target none: {verdict(not one['prompt_imported'])}")

        print_engine(ruleset, sets, repeats)

        sizes = (size // 10, size)
        runs = batch(sandbox, ruleset, folder, sizes, max(2, repeats // 2))
        print("\nBatch (`triage assess --batch IN.jsonl -o OUT.jsonl`, pinned to one core, whole process)")
        for count, run in runs.items():
            best = min(run["times"])
            print(f"  {count:>6,} answer sets: {summary(run['times'])}, {count / best:,.0f} per second, "
                  f"peak RSS {run['rss'] / 1024:.1f} MB, {run['lines']:,} result lines, exit {sorted(run['codes'])}")
        small, large = runs[sizes[0]], runs[sizes[1]]
        growth = large["rss"] / small["rss"] - 1
        if size == 10_000:
            print(f"  10,000 in under 5 s on one core: {verdict(min(large['times']) < 5.0)}")
        else:
            print("  (the 5-second target is for 10,000 answer sets: run without --quick)")
        print(f"  memory {sizes[0]:,} -> {size:,} answer sets: {growth:+.1%}, flat (< +10%): {verdict(growth < 0.10)}")

        peaks = [one["rss"], *export_step(sandbox, ruleset, sets, named_path, folder, repeats)]
        peaks += [run["rss"] for run in runs.values()]

        record_section(sandbox, ruleset, folder, sets, size, quick, repeats)
        print(f"\nPeak memory of any command above: {max(peaks) / 1024:.1f} MB (resident set size)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
