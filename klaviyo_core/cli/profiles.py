"""`python -m klaviyo_core profiles import FILE ...`: the CSV importer for cron jobs and CI.

Exit codes: 0 every row imported (or valid, in a dry run), 1 some rows rejected (the report says which),
2 bad input or usage or a refused write (a LIVE account without `--confirm-account NAME`; a resume on another
account than the one the import started on), 3 an authentication or API failure. A user error never prints a
traceback.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import typer

from klaviyo_core import paths
from klaviyo_core.accounts import LiveConfirmation, Target, TargetError
from klaviyo_core.cli import profile_get
from klaviyo_core.cli.common import (
    CONFIRM_HELP,
    ExitCode,
    client_from,
    confirmed_write,
    err,
    fail,
    fail_usage,
    refuse_write,
)
from klaviyo_core.csvfile import CsvError, preview
from klaviyo_core.http import KlaviyoClient, KlaviyoError
from klaviyo_core.paths import write_private_text
from klaviyo_core.profiles import (
    CHANNELS,
    ColumnMapping,
    ImportBusy,
    ImportOptions,
    ImportResult,
    ImportStopped,
    Mapping,
    MappingError,
    MappingStore,
    Progress,
    UnfinishedImport,
    import_profiles,
    parse_map_option,
    suggest_mapping,
)

app = typer.Typer(help="Profiles: import a CSV of customers as Klaviyo profiles; look one up.", no_args_is_help=True)


def _mapping(file: Path, saved: str | None, maps: list[str], data_dir: Path) -> Mapping:
    _fmt, header, sample = preview(file, rows=200)
    for warning in header.warnings:
        err(f"Note: {warning}")
    base = MappingStore(data_dir).apply(saved, header.columns, sample) if saved else None
    mapping = base or suggest_mapping(header.columns, sample)
    overrides: dict[str, ColumnMapping] = {}
    for text in maps:
        col = parse_map_option(text)
        if col.column not in header.columns:
            raise MappingError(
                f"--map names column '{col.column}', which the file does not have: {list(header.columns)}."
            )
        overrides[col.column] = col
    return mapping.with_overrides(overrides) if overrides else mapping


def _channels(text: str | None) -> tuple[str, ...]:
    if not text:
        return ()
    chosen = tuple(dict.fromkeys(c.strip().lower() for c in text.split(",") if c.strip()))
    unknown = set(chosen) - set(CHANNELS)
    if unknown:
        fail_usage(f"--subscribe takes {', '.join(CHANNELS)} (comma separated), not {', '.join(sorted(unknown))}.")
    return chosen


def _find_or_create_list(client: Any, name: str) -> str:
    for item in client.iter_resources("/api/lists", {"filter": f"equals(name,{json.dumps(name)})"}):
        return str(item["id"])
    created = client.post("/api/lists", {"data": {"type": "list", "attributes": {"name": name}}})
    err(f"Created list '{name}' ({created['data']['id']}).")
    return str(created["data"]["id"])


def _progress(quiet: bool):  # type: ignore[no-untyped-def]
    last: dict[str, str] = {}

    def show(p: Progress) -> None:
        if quiet and p.stage != "consent":  # what consent will be sent is said even when quiet
            return
        line = p.text(sep=", ")
        if last.get("line") != line:
            last["line"] = line
            err(line)

    return show


def _summary(result: ImportResult, dry_run: bool) -> None:
    order = ("valid", "imported", "rejected", "rejected_by_klaviyo", "skipped_duplicate", "pending")
    parts = [f"{result.counts[s]:,} {s}" for s in order if result.counts[s]]
    typer.echo(f"{result.total:,} rows: " + (", ".join(parts) or "nothing to import"))
    if result.warned:
        rows = f"{result.warned:,} row{'s' if result.warned != 1 else ''}"
        verb = "would be" if dry_run else "were" if result.warned != 1 else "was"
        typer.echo(f"{rows} {verb} imported with a field left out (a bad optional cell; the report says which).")
    for note in result.consent if dry_run else ():
        typer.echo(note)
    typer.echo(f"Report: {result.report_path}")
    if dry_run and result.first_job is not None:
        preview_path = Path(str(result.report_path) + ".first-job.json")
        write_private_text(preview_path, json.dumps(result.first_job, indent=2, ensure_ascii=False))
        typer.echo(
            f"Dry run: nothing was sent. The exact first job ({result.plan.get('jobs', 0)} planned): {preview_path}"
        )


def _effect(file: Path, resume: bool, into_list: str | None, options: ImportOptions) -> str:
    """What a LIVE confirmation names: the file, the list and any consent recorded."""
    effect = f"{'resume importing' if resume else 'import'} the profiles in {file.name}"
    if into_list:
        effect += f" into list {into_list}"
    if options.subscribe:
        effect += f", recording explicit consent for {' and '.join(options.subscribe)}"
    return effect


@app.command("import")
def import_command(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="The CSV file (UTF-8/UTF-16/Windows-1252; comma, semicolon or tab)."),
    mapping: str | None = typer.Option(None, "--mapping", help="A saved mapping, by name."),
    maps: list[str] = typer.Option([], "--map", help='"CSV column=field", e.g. "E-mail=email" (repeatable).'),
    save_mapping: str | None = typer.Option(None, "--save-mapping", help="Save the mapping used under this name."),
    list_id: str | None = typer.Option(None, "--list", help="Add the profiles to this list id."),
    list_name: str | None = typer.Option(None, "--list-name", help="Add them to this list (created if missing)."),
    subscribe: str | None = typer.Option(None, "--subscribe", help="Record explicit consent: email,sms."),
    default_country: str = typer.Option(
        "US", "--default-country", help="For phone numbers without +code on rows without a country column value."
    ),
    on_bad_field: str = typer.Option(
        "skip-field",
        "--on-bad-field",
        help="A bad optional cell: 'skip-field' (leave it out, import the row, say so) or 'reject-row'.",
    ),
    decimal: str = typer.Option(
        "auto", "--decimal", help="Decimal mark of numbers: auto (comma in a semicolon file), comma or dot."
    ),
    keep: str = typer.Option("last", "--keep", help="Same person twice in the file: 'last' or 'first' wins."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Validate and plan; send nothing."),
    report: Path | None = typer.Option(None, "--report", help="Where to write the result CSV."),
    resume: bool = typer.Option(False, "--resume", help="Continue an interrupted import of this file."),
    restart: bool = typer.Option(False, "--restart", help="Forget an interrupted import and start over."),
    data_dir: Path | None = typer.Option(None, "--data-dir", help="Mappings and checkpoints (default: user data)."),
    deadline: float = typer.Option(3600.0, "--deadline", help="Seconds to wait for the jobs before stopping."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress lines on stderr."),
    confirm_account: str | None = typer.Option(None, "--confirm-account", help=CONFIRM_HELP),
    adopt: bool = typer.Option(
        False, "--adopt", help="Resume an import started by an older version on the current account."
    ),
) -> None:
    """Import FILE as profiles: validate every row first, send valid rows as bulk jobs, report every row."""
    if not file.is_file():
        fail_usage(f"No such file: {file}")
    if list_id and list_name:
        fail_usage("Use --list or --list-name, not both.")
    root = data_dir or paths.data_dir("profiles")
    chosen = _chosen_mapping(file, mapping, maps, save_mapping, root)
    options = _import_options(default_country, keep, list_id, subscribe, dry_run, on_bad_field, decimal)
    settings = _RunSettings(root, report, resume, restart, deadline, quiet, adopt)
    if dry_run:
        result = _run(file, chosen, options, settings, None, list_name)
    else:
        result = confirmed_write(
            ctx,
            _effect(file, resume, list_id or list_name, options),
            confirm_account,
            lambda target, confirmation: _run(
                file, chosen, options, settings, _Write(client_from(ctx), target, confirmation), list_name
            ),
        )
    _summary(result, dry_run)
    raise typer.Exit(ExitCode.OK if result.all_imported else ExitCode.PARTIAL)


# -- the command's steps: mapping, options, the write's account, the run ----------------------------------------
def _chosen_mapping(file: Path, saved: str | None, maps: list[str], save_as: str | None, root: Path) -> Mapping:
    """The saved or suggested mapping with the --map overrides, saved under --save-mapping; exit 2 if it is bad."""
    try:
        chosen = _mapping(file, saved, maps, root)
        if save_as:
            MappingStore(root).save(save_as, chosen)
    except (CsvError, MappingError, ValueError) as exc:
        fail_usage(str(exc))
    return chosen


def _import_options(
    default_country: str,
    keep: str,
    list_id: str | None,
    subscribe: str | None,
    dry_run: bool,
    on_bad_field: str,
    decimal: str,
) -> ImportOptions:
    """The row options as ImportOptions checks them; exit 2 naming the bad value."""
    try:
        return ImportOptions(
            default_country, keep, list_id, _channels(subscribe), dry_run, on_bad_field.strip().lower(), decimal
        )
    except ValueError as exc:
        fail_usage(str(exc))


@dataclass(frozen=True)
class _Write:
    """What a real (not dry) run writes with: the client, the identified account and its LIVE confirmation."""

    client: KlaviyoClient
    target: Target
    confirmation: LiveConfirmation | None


@dataclass(frozen=True)
class _RunSettings:
    """How to run the import, as the command line said: where its files go, resume or restart, how long to wait."""

    root: Path
    report: Path | None
    resume: bool
    restart: bool
    deadline: float
    quiet: bool
    adopt: bool


def _run(
    file: Path, chosen: Mapping, options: ImportOptions, run: _RunSettings, write: _Write | None, list_name: str | None
) -> ImportResult:
    """import_profiles, with each way it can fail turned into its exit code and a plain message."""
    try:
        if write is not None and list_name:
            options = replace(options, list_id=_find_or_create_list(write.client, list_name))
        return import_profiles(
            write.client if write else None,
            file,
            chosen,
            options,
            data_dir=run.root,
            report_path=run.report,
            resume=run.resume,
            restart=run.restart,
            on_progress=_progress(run.quiet),
            deadline_seconds=run.deadline,
            target=write.target if write else None,
            confirmation=write.confirmation if write else None,
            adopt=run.adopt,
        )
    except TargetError as exc:
        refuse_write(exc)
    except ImportBusy as exc:
        fail_usage(str(exc))
    except (CsvError, MappingError, ValueError) as exc:
        fail_usage(str(exc))
    except UnfinishedImport as exc:
        fail_usage(f"{exc} Run again with --resume (or --restart).")
    except ImportStopped as exc:
        err(f"Error: {exc}")
        raise typer.Exit(ExitCode.API) from None
    except KeyboardInterrupt:
        err("Interrupted. Nothing is lost: run the same command with --resume to continue.")
        raise typer.Exit(ExitCode.API) from None
    except KlaviyoError as exc:
        fail(exc)


app.command("get")(profile_get.get_command)  # issue 18: look one profile up (klaviyo_core/cli/profile_get.py)
