"""`python -m klaviyo_core history`: the runs of the CLI's own writes, newest first, filtered by account, and a
run's report written again; offline (no key needed)."""

from __future__ import annotations

import csv
import stat
from pathlib import Path

import pytest

from klaviyo_sandbox import SandboxServer
from tests.conftest import FULL_KEY
from tests.core.cli.test_cli import cli


@pytest.fixture
def home(tmp_path: Path) -> dict[str, str]:
    return {"KLAVIYO_WORKBENCH_HOME": str(tmp_path / "home")}


def test_a_catalog_import_then_history_lists_it_and_writes_its_report(
    sandbox: SandboxServer, tmp_path: Path, home: dict[str, str]
) -> None:
    products = tmp_path / "products.csv"
    products.write_text("external_id,title,description,url,price\nSKU-1,Shirt,Cotton,https://shop.example.com/p/1,42\n")
    env = {**home, "KLAVIYO_API_KEY": FULL_KEY}
    done = cli("--base-url", sandbox.url, "catalog", "import", str(products), env=env)
    assert done.returncode == 0, done.stderr

    listed = cli("history", env=home)  # offline: no key, no request
    assert listed.returncode == 0, listed.stderr
    header, line = listed.stdout.splitlines()
    assert header.startswith("started  kind  status")
    assert "catalog apply  done  1  1  0  0" in line and "products.csv" in line and "sandbox" in line
    run_id = line.rsplit("run ", 1)[1]

    out = tmp_path / "again.csv"
    wrote = cli("history", "--run", run_id, "--out", str(out), env=home)
    assert wrote.returncode == 0, wrote.stderr
    assert [r["status"] for r in csv.DictReader(out.open(encoding="utf-8-sig"))] == ["done"]
    assert stat.S_IMODE(out.stat().st_mode) == 0o600

    assert "No runs recorded for 'Someone else'" in cli("history", "--account", "Someone else", env=home).stderr
    assert cli("history", "--run", "nope", "--out", str(out), env=home).returncode == 2
    assert cli("history", "--run", run_id, env=home).returncode == 2
