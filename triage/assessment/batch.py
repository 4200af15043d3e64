"""Batch mode: many answer sets in, one assessment per line out, streamed in constant memory.

Input is JSON Lines: one answers document per line, with the same structure as an answers file.
Output is JSON Lines too, one object per input line, in input order::

    {"line": 1, "ok": true, "assessment": {...}}
    {"line": 2, "ok": false, "error": "answers.age: Input should be less than or equal to 120"}

A bad line is reported (in the output and on stderr, with its line number) and the rest go on; the
exit code is then 2. Blank lines are skipped. If the rules engine fails, the whole batch stops and
fails safe (exit 1): an output file is only published, atomically and with mode 0600, when every
line has been handled, because it holds health data.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, TextIO

from ..errors import EXIT_OK, EXIT_USAGE, AnswersError, OutputError
from ..fileio import check_replaceable, same_file, temporary_beside
from ..text_safety import json_visible, visible
from .answers import MAX_FILE_BYTES, open_input, parse_answers, parse_document
from .assess import Assessor

STDIO = "-"
SHOWN_BAD_LINES = 10  # line numbers repeated in the closing summary
PROGRESS_INTERVAL = 0.1  # seconds between redraws of the progress bar


def run_batch(
    assessor: Assessor, source: Path, output: Path | None, stderr: TextIO | None = None, force: bool = False
) -> int:
    """Assess every line of ``source`` and write one result line each; returns the exit code.

    An existing ``output`` is replaced only with ``force``; that is checked before any work.
    """
    stderr = stderr or sys.stderr
    if output is not None and str(output) != STDIO and str(source) != STDIO and same_file(source, output):
        raise OutputError(f"{output}: is the input file: write the results to another file")
    tally = _Tally(visible(str(source)))  # shown on stderr: a file name may hold escape sequences
    with _open_input(source) as (handle, size), _open_output(output, force) as sink:
        progress = _Progress(stderr, size) if stderr.isatty() else None
        for number, data in iter_lines(handle):
            sink.write(_result_line(assessor, number, data, tally, stderr, progress))
            if progress:
                progress.update(tally.total, handle)
        if progress:
            progress.finish()
        if tally.total == 0:
            raise AnswersError(f"{source}: no answer sets (the file is empty)")
    return tally.report(stderr)


def assess_line(assessor: Assessor, number: int, data: bytes) -> bytes:
    """One result line for one input line; raises ``AnswersError`` if the line is not valid."""
    source = f"line {number}"
    if len(data) > MAX_FILE_BYTES:  # iter_lines cut it at the cap
        raise AnswersError(f"{source}: too large (more than {MAX_FILE_BYTES // 1000} kB)")
    document = parse_document(source, data, is_json=True)
    assessment = assessor.assess(parse_answers(assessor.ruleset, document, source=source))
    return b'{"line": %d, "ok": true, "assessment": %s}\n' % (number, assessor.to_json(assessment))


def error_line(number: int, message: str) -> bytes:
    return (json.dumps({"line": number, "ok": False, "error": message}, ensure_ascii=False) + "\n").encode()


def _result_line(assessor, number, data, tally, stderr, progress) -> bytes:
    try:
        line = assess_line(assessor, number, data)
    except AnswersError as error:
        message = str(error).removeprefix(f"line {number}: ").replace("JSON: line 1, column", "JSON: column")
        tally.bad(number)
        if progress:
            progress.clear()
        print(f"triage: {tally.name}: line {number}: {message}", file=stderr)
        return error_line(number, message)
    tally.good()
    return line


def iter_lines(handle: BinaryIO) -> Iterator[tuple[int, bytes]]:
    """(line number, bytes) of each non-blank line; an over-long line is cut to just over the cap
    (so it is reported as too large) without ever holding more than the cap in memory."""
    number = 0
    while True:
        line = _read_line(handle, MAX_FILE_BYTES + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_FILE_BYTES and not line.endswith(b"\n"):
            _skip_rest_of_line(handle)
        if line.strip():
            yield number, line


def _skip_rest_of_line(handle: BinaryIO) -> None:
    while True:
        chunk = _read_line(handle, MAX_FILE_BYTES)
        if not chunk or chunk.endswith(b"\n"):
            return


def _read_line(handle: BinaryIO, limit: int) -> bytes:
    try:
        return handle.readline(limit)
    except OSError as error:  # not an output problem: say which side failed
        raise AnswersError(f"{getattr(handle, 'name', 'input')}: cannot read ({error.strerror})") from None


class _Tally:
    """Counts good and bad lines (and remembers the first few bad line numbers, not all)."""

    def __init__(self, name: str):
        self.name, self.total, self.failed, self.first_bad = name, 0, 0, []

    def good(self) -> None:
        self.total += 1

    def bad(self, number: int) -> None:
        self.total += 1
        self.failed += 1
        if len(self.first_bad) < SHOWN_BAD_LINES:
            self.first_bad.append(number)

    def report(self, stderr: TextIO) -> int:
        if not self.failed:
            return EXIT_OK
        shown = ", ".join(map(str, self.first_bad)) + (", ..." if self.failed > len(self.first_bad) else "")
        lines = "line" if self.failed == 1 else "lines"
        print(f"triage: {self.name}: {self.failed} of {self.total} lines could not be assessed ({lines} {shown})", file=stderr)
        return EXIT_USAGE


# --- input and output --------------------------------------------------------------------------


@contextmanager
def _open_input(source: Path):
    """The input as a binary stream plus its size in bytes (None for stdin)."""
    if str(source) == STDIO:
        yield sys.stdin.buffer, None
        return
    with open_input(source, "a batch file") as handle:
        yield handle, _size(handle)


def _size(handle: BinaryIO) -> int | None:
    try:
        return os.fstat(handle.fileno()).st_size or None
    except OSError:
        return None


@contextmanager
def _open_output(output: Path | None, force: bool):
    """Standard output, or a 0600 temporary file beside ``output`` renamed over it at the end."""
    if output is None or str(output) == STDIO:
        yield _Stdout()
        return
    temporary = _temporary_beside(output, force)
    try:
        with os.fdopen(temporary.fd, "wb", buffering=1 << 16) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
            os.replace(temporary.name, output)  # while still locked: never taken for a stale one
    except OSError as error:
        _remove(temporary.name)
        raise OutputError(f"{output}: cannot write ({error.strerror})") from None
    except BaseException:
        _remove(temporary.name)
        raise


class _Temporary:
    def __init__(self, fd: int, name: str):
        self.fd, self.name = fd, name


def _temporary_beside(output: Path, force: bool) -> _Temporary:
    """Locked while written: a later run removes it only if this one was killed (``fileio``)."""
    check_replaceable(output, force)
    return _Temporary(*temporary_beside(output))


class _Stdout:
    """Writes result lines to standard output as they are made (a pipe sees them at once)."""

    def __init__(self):
        self._stream = sys.stdout.buffer
        self._interactive = sys.stdout.isatty()

    def write(self, data: bytes) -> None:
        if self._interactive:  # a terminal: control and bidi characters as JSON escapes (the same JSON)
            data = json_visible(data.decode("utf-8")).encode("utf-8")
        try:
            self._stream.write(data)
            if self._interactive:
                self._stream.flush()
        except BrokenPipeError:
            raise OutputError("standard output was closed before the batch finished") from None


def _remove(name: str) -> None:
    try:
        os.unlink(name)
    except OSError:
        pass


# --- progress ----------------------------------------------------------------------------------


class _Progress:
    """A one-line progress bar on a terminal's stderr, redrawn at most ten times a second."""

    WIDTH = 30

    def __init__(self, stream: TextIO, size: int | None):
        self.stream, self.size, self.started, self.drawn = stream, size, time.monotonic(), 0.0

    def update(self, lines: int, handle: BinaryIO) -> None:
        now = time.monotonic()
        if now - self.drawn < PROGRESS_INTERVAL:
            return
        self.drawn = now
        self.stream.write("\r" + self._bar(lines, self._fraction(handle), now - self.started))
        self.stream.flush()

    def _fraction(self, handle: BinaryIO) -> float | None:
        if not self.size:
            return None
        try:
            return min(handle.tell() / self.size, 1.0)
        except OSError:
            return None

    def _bar(self, lines: int, fraction: float | None, elapsed: float) -> str:
        rate = f"{lines / elapsed:,.0f}/s" if elapsed > 0 else ""
        if fraction is None:
            return f"assessed {lines:,} answer sets {rate}"
        filled = round(fraction * self.WIDTH)
        return f"[{'#' * filled}{'.' * (self.WIDTH - filled)}] {fraction:4.0%} {lines:,} answer sets {rate}"

    def clear(self) -> None:
        self.stream.write("\r\x1b[K")

    def finish(self) -> None:
        self.clear()
        self.stream.flush()
