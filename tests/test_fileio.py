"""Health-data files: written atomically, mode 0600, never silently overwritten."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from triage.errors import OutputError
from triage.fileio import atomic_write


def test_written_file_is_private_and_complete(tmp_path):
    target = tmp_path / "summary.txt"
    atomic_write(target, "Zoë Łukasiewicz 李雷\n")
    assert target.read_text(encoding="utf-8") == "Zoë Łukasiewicz 李雷\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["summary.txt"]  # no temporary file left


def test_existing_file_is_kept_without_force(tmp_path):
    target = tmp_path / "summary.txt"
    target.write_text("old")
    with pytest.raises(OutputError, match="already exists"):
        atomic_write(target, "new", force=False)
    assert target.read_text() == "old"
    atomic_write(target, "new", force=True)
    assert target.read_text() == "new"


def test_unwritable_folder_is_one_clear_error():
    """/proc refuses new files even for root (CI runs as root, so a chmod'ed folder would not do)."""
    with pytest.raises(OutputError, match="cannot write"):
        atomic_write(Path("/proc/neck-triage-summary.txt"), "data")


def test_missing_folder_and_directory_target_are_clear_errors(tmp_path):
    with pytest.raises(OutputError, match="cannot write"):
        atomic_write(tmp_path / "no" / "such" / "x.txt", "data")
    with pytest.raises(OutputError, match="is a directory"):
        atomic_write(tmp_path, "data")


def test_a_failed_write_leaves_no_partial_file(tmp_path, monkeypatch):
    target = tmp_path / "x.txt"

    def refuse(*_args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OutputError, match="No space left on device"):
        atomic_write(target, "data")
    assert list(tmp_path.iterdir()) == []
