"""`python -m klaviyo_core catalog import`: dry run shows the first request, apply, re-run, report, exit codes,
LIVE confirmation (issue 19)."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from typer.testing import CliRunner

from klaviyo_core.cli import app
from klaviyo_sandbox import SandboxServer
from tests.conftest import FULL_KEY
from tests.core.cli.test_cli import ROOT, cli
from tests.core.cli.test_live_writes_cli import live, writes
from tests.memory_keyring import memory_keyring, wb_home
from tests.sandbox.engine.helpers import call

__all__ = ["live", "memory_keyring", "wb_home"]  # fixtures used by name below

PRODUCTS = (
    "external_id,title,description,url,price\n"
    "SKU-1,Blue Shirt,Cotton,https://shop.example.com/p/1,42\n"
    "SKU-2,Mug,Stoneware,https://shop.example.com/p/2,12.5\n"
)


def _file(tmp_path: Path, text: str) -> str:
    path = tmp_path / "products.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def run(sandbox: SandboxServer, *args: str):  # type: ignore[no-untyped-def]
    return cli("--base-url", sandbox.url, "catalog", "import", *args, env={"KLAVIYO_API_KEY": FULL_KEY})


def test_dry_run_then_apply_then_rerun_plans_nothing(sandbox: SandboxServer, tmp_path: Path) -> None:
    path = _file(tmp_path, PRODUCTS)
    dry = run(sandbox, path, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "Plan: 2 create, 0 update, 0 unchanged, 0 skip, 0 delete" in dry.stdout
    shown = json.loads(dry.stdout.split("First request: POST /api/catalog-item-bulk-create-jobs\n", 1)[1])
    assert len(shown["data"]["attributes"]["items"]["data"]) == 2
    assert shown["data"]["attributes"]["items"]["data"][0]["attributes"] == {
        "external_id": "SKU-1",
        "title": "Blue Shirt",
        "description": "Cotton",
        "url": "https://shop.example.com/p/1",
        "price": 42.0,
    }
    assert call(sandbox.url, "GET", "/api/catalog-items").json()["data"] == []
    applied = run(sandbox, path, "--report", str(tmp_path / "out.csv"))
    assert applied.returncode == 0, applied.stderr
    assert "Result: 2 done, 0 failed" in applied.stdout and "hosted JSON/XML feed" in applied.stderr
    assert FULL_KEY not in applied.stdout + applied.stderr
    report = list(csv.DictReader((tmp_path / "out.csv").open(encoding="utf-8")))
    assert [(r["external_id"], r["status"]) for r in report] == [("SKU-1", "done"), ("SKU-2", "done")]
    again = run(sandbox, path)
    assert again.returncode == 0 and "0 create, 0 update, 2 unchanged" in again.stdout
    assert "Result:" not in again.stdout


def test_skipped_rows_exit_1_and_bad_file_exits_2(sandbox: SandboxServer, tmp_path: Path) -> None:
    skipped = run(sandbox, _file(tmp_path, PRODUCTS + "SKU-3,Tote,Canvas,http://shop.example.com/p/3,5\n"))
    assert skipped.returncode == 1 and "skip line 4, url" in skipped.stdout and "https://" in skipped.stdout
    bad = run(sandbox, _file(tmp_path, "sku,name\n1,a\n"))
    assert bad.returncode == 2 and "not one of the formats we read" in bad.stderr and "Traceback" not in bad.stderr


def test_live_catalog_import_needs_confirm_account(live: SandboxServer, tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["--account", "Acme Live", "catalog", "import", _file(tmp_path, PRODUCTS)]
    refused = runner.invoke(app, args)
    assert refused.exit_code == 2 and '--confirm-account "Acme Live"' in refused.output
    assert writes(live) == []
    done = runner.invoke(app, [*args, "--confirm-account", "Acme Live"])
    assert done.exit_code == 0, done.output
    assert writes(live) == ["/api/catalog-item-bulk-create-jobs"]  # one job for both items


VARIANTS = (
    "external_id,item_external_id,title,description,sku,url,price,inventory_quantity\n"
    "SKU-1-S,SKU-1,Shirt S,Small,SH-S,https://shop.example.com/p/1?s,42,3\n"
)


def test_variants_file_and_delete_missing(sandbox: SandboxServer, tmp_path: Path) -> None:
    path = _file(tmp_path, PRODUCTS)
    variants = tmp_path / "variants.csv"
    variants.write_text(VARIANTS, encoding="utf-8")
    applied = run(sandbox, path, "--variants", str(variants))
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert "Variants: 1 create" in applied.stdout and "Result: 3 done, 0 failed" in applied.stdout
    only_first = _file(tmp_path, "\n".join(PRODUCTS.splitlines()[:2]) + "\n")
    kept = run(sandbox, only_first, "--variants", str(variants), "--dry-run")
    assert "delete" not in kept.stdout.split("Plan:", 1)[1].split("\n", 1)[0].replace("0 delete", "")
    deleted = run(
        sandbox, only_first, "--variants", str(variants), "--delete-missing", "--report", str(tmp_path / "r.csv")
    )
    assert deleted.returncode == 0, deleted.stdout + deleted.stderr
    assert "delete item SKU-2 (in the account, not in the file)" in deleted.stdout
    assert call(sandbox.url, "GET", "/api/catalog-items/$custom:::$default:::SKU-2").status_code == 404
    report = list(csv.DictReader((tmp_path / "r.csv").open(encoding="utf-8")))
    assert ("item", "SKU-2", "delete", "done") in [
        (r["kind"], r["external_id"], r["action"], r["status"]) for r in report
    ]
    bad = tmp_path / "bad.csv"
    bad.write_text("sku\n1\n", encoding="utf-8")
    unusable = run(sandbox, path, "--variants", str(bad))
    assert unusable.returncode == 2 and "item_external_id" in unusable.stderr


def _posts(server: SandboxServer) -> int:
    return sum(
        n for (op, status), n in server.app.counts.items() if op == "bulk_create_catalog_items" and status == 202
    )


def test_a_killed_import_is_settled_by_the_next_run_without_sending_twice(
    sandbox_factory: Callable[..., SandboxServer], tmp_path: Path
) -> None:
    """SIGKILL while the jobs are in flight; the next run waits for them, plans the rest, sends nothing twice."""
    db = tmp_path / "catalog.sqlite3"
    slow = sandbox_factory(db_path=db, job_step_seconds=60)  # the first job parks in 'processing'
    rows = "".join(f"K-{i:04},Item {i},Desc,https://shop.example.com/k/{i},3\n" for i in range(1_500))
    path = _file(tmp_path, "external_id,title,description,url,price\n" + rows)
    env = {k: v for k, v in os.environ.items() if k != "KLAVIYO_API_KEY"} | {"KLAVIYO_API_KEY": FULL_KEY}
    command = [sys.executable, "-m", "klaviyo_core", "--base-url", slow.url, "catalog", "import", path]
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while _posts(slow) < 15:  # every job sent; the command now waits for them
        assert time.monotonic() < deadline and proc.poll() is None, "the import never sent its 15 jobs"
        time.sleep(0.05)
    proc.kill()
    proc.wait(timeout=10)
    slow.stop()
    fresh = sandbox_factory(db_path=db)  # the same account: its queued jobs resume
    again = run(fresh, path)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Plan: 0 create, 0 update, 1500 unchanged" in again.stdout
    assert _posts(fresh) == 0
    runs = list((Path(os.environ["KLAVIYO_WORKBENCH_HOME"]) / "catalog").glob("*/run.json"))
    killed = [
        r.parent for r in runs if json.loads(r.read_text())["target"]["account_id"] == fresh.app.config.account_id
    ]
    assert len(killed) == 1 and (killed[0] / "settled").exists()  # the next run waited for its jobs
