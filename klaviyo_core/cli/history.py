"""`python -m klaviyo_core history [--account NAME|ID] [--limit N] [--run RUN_ID --out FILE]`.

Lists the write history (profile imports, tag applies, label imports, event sends, catalog applies, from the
app and the CLI alike), newest first, from this machine's files: no request is made, so it works offline and
with no key. `--account` keeps one account's runs (its name as recorded, or its id; the global `--account`
before the command counts too). `--run ID --out FILE` writes that run's stored per-row report again (0600).
Exit 0 listed or written, 2 bad usage (an unknown run, a run without a report).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import typer

from klaviyo_core import history
from klaviyo_core.cli.common import ExitCode, err, fail_usage, options
from klaviyo_core.cli.profile_get import plain
from klaviyo_core.paths import open_private

app = typer.Typer(help="What this workbench wrote, per account, newest first (local files; no request).")
COLUMNS = ("started", "kind", "status", "sent", "ok", "failed", "skipped", "target", "file")


def _line(run: history.WriteRecord) -> str:
    row = run.row()
    return "  ".join(plain(str(row[c])) for c in COLUMNS) + f"  run {run.run_id}"


@app.callback(invoke_without_command=True)
def history_command(
    ctx: typer.Context,
    account: str = typer.Option(None, "--account", help="Only this account (its name or id)."),
    limit: int = typer.Option(20, "--limit", min=1, help="How many runs to list (newest first)."),
    run: str = typer.Option(None, "--run", help="With --out: the run whose report to write again."),
    out: Path = typer.Option(None, "--out", help="With --run: write that run's per-row report here (0600)."),
) -> None:
    """List the write history, or write one run's report again."""
    wanted = account or options(ctx).account or ""
    if bool(run) != bool(out):
        fail_usage("--run and --out go together: 'history --run RUN_ID --out FILE'.")
    if run:
        _write_report(run, out)
    runs = history.load_all_runs(wanted, limit)
    if not runs:
        err("No runs recorded" + (f" for '{plain(wanted)}'." if wanted else " yet."))
        raise typer.Exit(ExitCode.OK)
    typer.echo("  ".join(COLUMNS) + "  run")
    for record in runs:
        typer.echo(_line(record))
    raise typer.Exit(ExitCode.OK)


def _write_report(run_id: str, out: Path) -> None:
    found = next((r for r in history.load_all_runs(limit=1_000_000) if r.run_id == run_id), None)
    if found is None:
        fail_usage(f"No run '{plain(run_id)}' in the history: 'history' lists the run ids.")
    stored = history.report_path(found)
    if stored is None:
        fail_usage(f"Run {plain(run_id)} has no stored report (it stopped before writing one, or it was removed).")
    with stored.open("rb") as src, open_private(out, "wb") as dst:
        shutil.copyfileobj(src, dst)
    err(f"Wrote the report of {found.kind} {plain(run_id)} ({plain(found.file_name or 'no file')}) to {out}.")
    raise typer.Exit(ExitCode.OK)
