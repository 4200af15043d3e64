"""Bad input, as a user would meet it: exit 2, one clear line on stderr, no traceback, nothing written.

Every case runs the real program (``python -m triage assess ...``) in a subprocess.
"""

from __future__ import annotations

import ctypes
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fixtures_paths import MINI_RULES

ROOT = Path(__file__).resolve().parent.parent
VALID = {"chest": "no", "injury": "no", "cancer": "no", "night_pain": "no", "age": 44, "pain_now": 3, "sleep": "side"}
PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 24, 1, 2


def _drop_root_file_powers() -> None:  # pragma: no cover - runs in the child before exec
    """As root, permissions are not checked; drop those two capabilities so they are."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def run(*args: str) -> subprocess.CompletedProcess:
    as_root = os.geteuid() == 0
    return subprocess.run(
        [sys.executable, "-m", "triage", "--rules", str(MINI_RULES), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        preexec_fn=_drop_root_file_powers if as_root else None,
        timeout=60,
    )


def listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def assert_one_clear_line(result: subprocess.CompletedProcess, *expected: str) -> str:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("triage: error: ")
    for text in expected:
        assert text in lines[0]
    return lines[0]


def answers_text(answers: dict) -> str:
    return json.dumps({"answers": answers})


def nested(levels: int) -> str:
    return '{"answers": ' + '{"a": ' * levels + "1" + "}" * levels + "}"


ALIAS_BOMB = "answers:\n  a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"  {name}: &{name} [{', '.join([f'*{prev}'] * 9)}]\n" for prev, name in zip("abcdefgh", "bcdefghi")
)

BAD_FILES = [
    # (id, file name, content, words the one line must contain)
    ("empty", "a.yaml", b"", ["the file is empty"]),
    ("blank", "a.json", b" \n\t\n", ["the file is empty"]),
    ("binary", "a.yaml", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ["binary file"]),
    ("huge", "a.yaml", b"answers: {}\n" + b"#" * 1_100_000, ["too large (more than 1000 kB)"]),
    ("deep json", "a.json", nested(40).encode(), ["nested too deeply"]),
    ("deep yaml", "a.yaml", ("answers: " + "[" * 40 + "]" * 40).encode(), ["nested too deeply"]),
    ("very deep json", "a.json", ("[" * 200_000 + "]" * 200_000)[:900_000].encode(), ["nested too deeply"]),
    ("alias bomb", "a.yaml", ALIAS_BOMB.encode(), ["too many values"]),
    ("latin-1", "a.yaml", "answers: {chest: no}\nnotes: {general: café}\n".encode("latin-1"), ["not UTF-8 text (byte 41)"]),
    ("utf-16", "a.yaml", "answers: {chest: no}\n".encode("utf-16"), ["UTF-16", "save it as UTF-8"]),
    ("utf-16 json", "a.json", answers_text(VALID).encode("utf-16-be"), ["binary file"]),
    ("unknown question", "a.yaml", b"answers: {chset: no}\n", ["answers.chset: unknown question id"]),
    ("unknown field", "a.yaml", b"answers: {chest: no}\npatinet: {name: A}\n", ["patinet: unknown field"]),
    ("unknown note", "a.yaml", b"answers: {chest: no}\nnotes: {chset: hi}\n", ["notes.chset: not a question id"]),
    ("string for number", "a.json", answers_text({**VALID, "age": "44"}).encode(), ["answers.age: Input should be a valid integer"]),
    ("boolean for yes", "a.yaml", b"answers: {chest: true}\n", ["answers.chest: Input should be 'yes', 'no' or 'not_sure'"]),
    ("list for single", "a.json", answers_text({**VALID, "sleep": ["side"]}).encode(), ["answers.sleep"]),
    ("string for multi", "a.json", answers_text({**VALID, "habits": "desk"}).encode(), ["answers.habits: Input should be a valid list"]),
    ("answers not a mapping", "a.yaml", b"answers: [chest]\n", ["answers"]),
    ("top level list", "a.yaml", b"- answers\n", ["expected a mapping"]),
    ("null document", "a.yaml", b"~\n", ["expected a mapping", "got nothing"]),
    ("duplicate json key", "a.json", b'{"answers": {"chest": "no", "chest": "yes"}}', ["duplicate key 'chest'"]),
    ("duplicate yaml key", "a.yaml", b"answers: {chest: no, chest: yes}\n", ["duplicate key 'chest'"]),
    ("list as yaml key", "a.yaml", b"? [a, b]\n: 1\n", ["invalid YAML", "key cannot be a list"]),
    ("python tag", "a.yaml", b"answers: !!python/object:os.system {}\n", ["invalid YAML"]),
    ("pain above 10", "a.json", answers_text({**VALID, "pain_now": 11}).encode(), ["answers.pain_now: Input should be less than or equal to 10"]),
    ("negative age", "a.json", answers_text({**VALID, "age": -1}).encode(), ["answers.age: Input should be greater than or equal to 0"]),
    ("huge age", "a.json", answers_text({**VALID, "age": 10**30}).encode(), ["answers.age: Input should be less than or equal to 120"]),
    ("fractional pain", "a.json", answers_text({**VALID, "pain_now": 7.5}).encode(), ["answers.pain_now: Input should be a valid integer"]),
    ("infinite pain", "a.json", b'{"answers": {"pain_now": 1e400}}', ["answers.pain_now"]),
    ("5000-digit number", "a.yaml", b"answers: {age: " + b"9" * 5000 + b"}\n", ["invalid YAML", "digits"]),
    ("future birth date", "a.yaml", b"answers: {chest: no}\npatient: {date_of_birth: 2999-01-01}\n", ["date of birth is in the future"]),
    ("red flag left out", "a.json", answers_text({k: v for k, v in VALID.items() if k != "chest"}).encode(), ["required questions not answered: chest"]),
    ("wrong schema version", "a.yaml", b"schema_version: 2\nanswers: {chest: no}\n", ["schema_version"]),
]


@pytest.mark.parametrize(("name", "content", "expected"), [case[1:] for case in BAD_FILES], ids=[case[0] for case in BAD_FILES])
def test_bad_answers_file(tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content)
    before = listing(tmp_path)
    line = assert_one_clear_line(run("assess", str(path)), str(path), *expected)
    assert len(line) < 300, line
    assert listing(tmp_path) == before


def test_missing_file(tmp_path):
    assert_one_clear_line(run("assess", str(tmp_path / "nope.yaml")), "nope.yaml: no such file")


def test_a_directory_instead_of_a_file(tmp_path):
    assert_one_clear_line(run("assess", str(tmp_path)), "is a directory, not an answers file")


def test_an_unreadable_file(tmp_path):
    path = tmp_path / "a.json"
    path.write_text(answers_text(VALID))
    path.chmod(0)
    assert_one_clear_line(run("assess", str(path)), "a.json: permission denied")


def test_an_unreadable_batch_file(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text(answers_text(VALID) + "\n")
    path.chmod(0)
    assert_one_clear_line(run("assess", "--batch", str(path)), "in.jsonl: permission denied")


def _good_answers(tmp_path: Path) -> Path:
    path = tmp_path / "in" / "a.json"
    path.parent.mkdir()
    path.write_text(answers_text(VALID))
    return path


@pytest.mark.parametrize("batch", [False, True], ids=["single", "batch"])
@pytest.mark.parametrize("where", ["missing folder", "folder is a file", "is a directory", "read-only folder"])
def test_output_path_not_writable(tmp_path, where, batch):
    answers = _good_answers(tmp_path)
    if batch:
        answers.write_text(answers_text(VALID) + "\n")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = {
        "missing folder": out_dir / "missing" / "result.txt",
        "folder is a file": out_dir / "file.txt" / "result.txt",
        "is a directory": out_dir,
        "read-only folder": out_dir / "result.txt",
    }[where]
    if where == "folder is a file":
        (out_dir / "file.txt").write_text("")
    if where == "read-only folder":
        out_dir.chmod(0o555)
    before = listing(out_dir)
    source = ["--batch", str(answers)] if batch else [str(answers)]
    line = assert_one_clear_line(run("assess", *source, "-o", str(target)), str(target))
    assert "cannot write" in line or "is a directory" in line or "does not exist" in line
    assert listing(out_dir) == before


def test_a_good_file_written_to_a_good_path_is_private(tmp_path):
    """The counterpart of the cases above: the same command works when the path is fine."""
    answers = _good_answers(tmp_path)
    target = tmp_path / "result.txt"
    result = run("assess", str(answers), "-o", str(target))
    assert result.returncode == 0, result.stderr
    assert "RESULT: SELF-CARE AT HOME" in target.read_text()
    assert oct(target.stat().st_mode & 0o777) == "0o600"
