"""The installed package works outside the source tree: wheel -> fresh venv -> triage assess."""

from __future__ import annotations

import json
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from triage.ruleset.yamlio import load_yaml

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_installs_and_assesses_a_case_outside_the_source_tree(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(ROOT)],
                   check=True, capture_output=True)
    wheel = next(dist.glob("*.whl"))
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, system_site_packages=False).create(env_dir)
    python = env_dir / "bin" / "python"
    # Reuse the already-built dependencies of this environment instead of compiling durable-rules again.
    site = next(Path(p) for p in sys.path if p.endswith("site-packages"))
    (next((env_dir / "lib").glob("python*")) / "site-packages" / "deps.pth").write_text(str(site) + "\n")
    subprocess.run([python, "-m", "pip", "install", "--no-deps", "--quiet", str(wheel)], check=True, capture_output=True)
    case = load_yaml(next((ROOT / "tests" / "cases").glob("*.yaml")).read_text(encoding="utf-8"))
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    (workdir / "answers.json").write_text(json.dumps({"answers": case["answers"]}, default=str))
    result = subprocess.run([env_dir / "bin" / "triage", "assess", "answers.json", "--format", "json"],
                            cwd=workdir, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["disposition"] == case["expect"]["disposition"]
    check = subprocess.run([env_dir / "bin" / "triage", "rules", "check"], cwd=workdir, capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    assert "site-packages/triage/rules" in check.stdout
    probe = "import sys; from triage.ruleset.load import load_ruleset; print(load_ruleset().directory, 'yaml' in sys.modules)"
    loaded = subprocess.run([python, "-c", probe], cwd=workdir, capture_output=True, text=True, check=True).stdout.split()
    assert (Path(loaded[0]) / "parsed.json").is_file() and loaded[1] == "False"  # the quick path ships too
    probe = "from triage.interactive.first_screen import FirstScreen; from triage.ruleset.files import default_rules_dir; "
    probe += "print(FirstScreen.saved(default_rules_dir()) is not None)"
    shown = subprocess.run([python, "-c", probe], cwd=workdir, capture_output=True, text=True, check=True).stdout.strip()
    assert shown == "True", "the recorded first screen ships and matches the installed rules"
