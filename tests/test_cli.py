"""The CLI as a person uses it: extract the bundled samples, show one, print the schema."""
from __future__ import annotations

import json
import subprocess
import sys

from typer.testing import CliRunner

from nianbao.cli import app

runner = CliRunner()


def test_extract_samples_then_show(tmp_path, samples_dir):
    out = tmp_path / "records.jsonl"
    res = runner.invoke(app, ["extract", str(samples_dir), "-o", str(out), "--quiet"])
    assert res.exit_code == 0, res.output
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    inputs = [p for p in samples_dir.iterdir() if not p.name.startswith(".")]
    assert len(lines) == len(inputs)
    assert "records written" in res.output and "ok" in res.output
    by_name = {r["source"]["path"].rsplit("/", 1)[-1]: r for r in lines}
    yanchi = by_name["seed-yanchi-ybj-2019.txt"]
    assert yanchi["meta"]["agency"] == "盐池县医疗保障局" and yanchi["meta"]["template"] == "2019"
    assert all(r["status"] == "ok" for r in lines), {k: r["warnings"] for k, r in by_name.items()}
    res = runner.invoke(app, ["show", str(samples_dir / "seed-yanchi-ybj-2019.txt")])
    assert res.exit_code == 0, res.output
    for needle in ("盐池县医疗保障局", "requests_balance", "sections", "三 依申请"):
        assert needle in res.output


def test_schema_prints_json_schema():
    res = runner.invoke(app, ["schema"])
    assert res.exit_code == 0
    schema = json.loads(res.output)
    assert set(schema["properties"]) >= {"schema_version", "source", "status", "narrative", "tables", "checks"}


def test_bad_output_extension_is_a_clear_error(tmp_path, samples_dir):
    res = runner.invoke(app, ["extract", str(samples_dir), "-o", str(tmp_path / "x.txt")])
    assert res.exit_code == 2
    assert "must end in" in res.output


def test_no_inputs_is_an_error(tmp_path):
    (tmp_path / "empty").mkdir()
    res = runner.invoke(app, ["extract", str(tmp_path / "empty"), "-o", str(tmp_path / "o.jsonl")])
    assert res.exit_code == 2


def test_console_script_is_installed():
    res = subprocess.run([sys.executable, "-m", "nianbao.cli", "--help"], capture_output=True, text=True)
    assert res.returncode == 0 and "extract" in res.stdout
