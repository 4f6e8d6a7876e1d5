"""`wb.profiles.plan_import(df, ...)` then `plan.run()`: a DataFrame imported by the page's and CLI's pipeline.

Why a file in between: `klaviyo_core.profiles.import_profiles` reads a CSV (it streams files of millions of rows
and resumes from a checkpoint that names the file). The DataFrame is written once, as it is (`to_csv`, not the
report writer: neutralising `+1 555` or `-5` here would change what is sent), into the same private uploads
folder the page keeps browser uploads in, so its lifetime follows the same rule (`profiles/uploads.py`).

DESIGN §1b, one by one:
- the plan is the pipeline's dry run (the same file, mapping and options as the run, so the verdict shown is the
  verdict sent) and records the `Target` it was read from; `run()` identifies the account again and refuses
  another one (TargetMismatch, naming both) before the pipeline's own binding check;
- a LIVE target needs `run(confirm_account=NAME)` every time (a fresh `LiveConfirmation`, consumed by that run);
- a plan runs once: running it again would send everything again, so that needs a new plan;
- every row ends in the returned report (status, reason, subscribed), beside the DataFrame's own columns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from klaviyo_core import paths
from klaviyo_core.accounts import Target, check_same_target
from klaviyo_core.notebook.connection import Connection
from klaviyo_core.notebook.display import Bar, ProgressArg, html_frame, html_table, progress_bar
from klaviyo_core.notebook.errors import WorkbenchError, explained
from klaviyo_core.profiles import (
    ColumnMapping,
    ImportOptions,
    ImportResult,
    ImportStopped,
    Mapping,
    MappingError,
    Progress,
    UnfinishedImport,
    import_profiles,
    parse_map_option,
    preview,
    save_upload,
    suggest_mapping,
    top_problems,
)

UPLOAD_NAME = "notebook-dataframe.csv"
REPORT_COLUMNS = ["row", "status", "reason", "subscribed"]
MappingArg = Mapping | dict[str, str] | None


def data_dir() -> Path:
    """The profiles feature's folder: uploads, mappings and checkpoints live where the page and CLI keep them."""
    return paths.data_dir("profiles")


def _write_frame(data: pd.DataFrame) -> Path:
    if not isinstance(data, pd.DataFrame):
        raise WorkbenchError(
            f"plan_import takes a pandas DataFrame, not {type(data).__name__}.\n"
            "What to do: pass a DataFrame (pd.read_csv(...) reads a file into one)."
        )
    if data.columns.duplicated().any():
        twice = sorted({str(c) for c in data.columns[data.columns.duplicated()]})
        raise WorkbenchError(f"Columns appear twice: {twice}.\nWhat to do: rename them so each is unique.")
    return save_upload(data_dir(), UPLOAD_NAME, data.to_csv(index=False).encode("utf-8"))


def _mapping(path: Path, given: MappingArg) -> Mapping:
    """The suggested mapping with the caller's {"column": "field"} overrides (the CLI's --map syntax for values)."""
    if isinstance(given, Mapping):
        return given
    _fmt, header, sample = preview(path, rows=200)
    suggested = suggest_mapping(header.columns, sample)
    overrides: dict[str, ColumnMapping] = {}
    for column, target in (given or {}).items():
        if column not in header.columns:
            raise MappingError(f"mapping names column '{column}', which the DataFrame does not have: {header.columns}.")
        overrides[column] = parse_map_option(f"{column}={target}")
    return suggested.with_overrides(overrides) if overrides else suggested


def _effect(rows: int, options: ImportOptions) -> str:
    """What a LIVE confirmation names: rows, list and consent recorded (as the CLI's `_effect`)."""
    effect = f"import {rows:,} profile row(s) from a DataFrame"
    if options.list_id:
        effect += f" into list {options.list_id}"
    if options.subscribe:
        effect += f", recording explicit consent for {' and '.join(options.subscribe)}"
    return effect


def _bar_callback(progress: ProgressArg) -> tuple[Bar, Callable[[Progress], None]]:
    """A bar, and the pipeline's progress callback that moves it with the core's own words."""
    bar = progress_bar(progress)

    def show(p: Progress) -> None:
        bar.update(p.share if p.stage != "done" else 1.0, p.text(sep=", "))

    return bar, show


@dataclass
class ProfileImportPlan:
    """A checked import, bound to the account it was planned on; `run()` sends exactly what it shows."""

    connection: Connection = field(repr=False)
    data: pd.DataFrame = field(repr=False)
    path: Path = field(repr=False)
    mapping: Mapping
    options: ImportOptions
    target: Target
    dry_run: ImportResult = field(repr=False)
    ran: bool = False

    @property
    def counts(self) -> dict[str, int]:
        """Rows per verdict of the dry run (`valid`, `rejected`, `skipped_duplicate`)."""
        return {k: v for k, v in self.dry_run.counts.items() if v}

    @property
    def problems(self) -> pd.DataFrame:
        """The most frequent problems, with how many rows each and an example row."""
        return top_problems(self.dry_run.report_path) if self.dry_run.report_path else pd.DataFrame()

    @property
    def report(self) -> pd.DataFrame:
        """The dry run's per-row verdict beside the DataFrame's own columns."""
        return _with_data(self.data, self.dry_run.report_path)

    @property
    def first_job(self) -> dict[str, object] | None:
        """The exact body of the first bulk job the run will send."""
        return self.dry_run.first_job

    def summary(self) -> list[tuple[str, object]]:
        mapped = ", ".join(
            f"{c.column} -> {c.target}" + (f" ({c.type})" if c.is_property else "") for c in self.mapping.columns
        )
        rows: list[tuple[str, object]] = [("Account", self.target.label()), ("Rows", self.dry_run.total)]
        rows += [(f"Rows {status}", n) for status, n in self.counts.items()]
        rows += [("Warned (a field left out)", self.dry_run.warned)] if self.dry_run.warned else []
        rows += [("List", self.options.list_id)] if self.options.list_id else []
        rows += [("Mapping", mapped)]
        rows += [("Consent", note) for note in self.dry_run.consent]
        rows += [("Note", w) for w in self.dry_run.warnings]
        rows += [("Next", "plan.run()" + (" with confirm_account=" if self.target.live else ""))]
        return rows

    def _repr_html_(self) -> str:
        return html_table("Profile import plan", self.summary()) + html_frame("Problems", self.problems)

    def __repr__(self) -> str:
        return "ProfileImportPlan(" + "; ".join(f"{k}: {v}" for k, v in self.summary()) + ")"

    def run(
        self, *, confirm_account: str | None = None, progress: ProgressArg = True, resume: bool = False
    ) -> pd.DataFrame:
        """Send the plan; returns every row with its `status`, `reason` and `subscribed`. A LIVE account needs
        `confirm_account=` naming it, for this run; another account than the plan's is refused."""
        if self.ran:
            raise WorkbenchError(
                "This plan has already run; running it again would send every row again.\n"
                "What to do: make a new plan with wb.profiles.plan_import(...) if that is meant."
            )
        current = self.connection.target()
        with explained():
            check_same_target("import plan", self.target, current)
        effect = _effect(self.dry_run.total, self.options)
        confirmation = self.connection.confirmation(current, effect, confirm_account, "plan.run")
        path = _write_frame(self.data)  # the same bytes, so the same copy (kept, or written again if swept)
        if path != self.path:
            raise WorkbenchError("The plan's data changed since it was checked.\nWhat to do: plan again.")
        bar, show = _bar_callback(progress)
        try:
            with explained():
                result = import_profiles(
                    self.connection.client,
                    path,
                    self.mapping,
                    replace(self.options, dry_run=False),
                    data_dir=data_dir(),
                    resume=resume,
                    on_progress=show,
                    target=current,
                    confirmation=confirmation,
                )
        except UnfinishedImport as exc:
            raise WorkbenchError(f"{exc}\nWhat to do: plan.run(resume=True) continues it.") from None
        except ImportStopped as exc:
            raise WorkbenchError(f"{exc}\nWhat to do: plan.run(resume=True) continues where it stopped.") from None
        except KeyboardInterrupt:
            raise WorkbenchError(
                "Interrupted; nothing is lost.\nWhat to do: plan.run(resume=True) continues without re-sending."
            ) from None
        finally:
            bar.close()
        self.ran = True
        report = _with_data(self.data, result.report_path)
        report.attrs["counts"] = {k: v for k, v in result.counts.items() if v}
        return report


def _with_data(data: pd.DataFrame, report_path: Path | None) -> pd.DataFrame:
    """The report's verdict columns joined to the DataFrame by position (every row is in the report once, in
    file order); the input cells come from the DataFrame, not from the report's formula-neutralised copy."""
    if report_path is None:
        return pd.DataFrame(columns=REPORT_COLUMNS)
    verdict = pd.read_csv(report_path, dtype=str, keep_default_na=False, encoding="utf-8-sig", usecols=REPORT_COLUMNS)
    if len(verdict) != len(data):
        return verdict
    clashing = [c for c in REPORT_COLUMNS if c in data.columns]
    inputs = data.rename(columns={c: f"input {c}" for c in clashing}).reset_index(drop=True)
    joined = pd.concat([inputs, verdict], axis=1)  # by position: the frame's index may repeat labels
    joined.index = data.index
    return joined


def plan_import(
    connection: Connection,
    data: pd.DataFrame,
    *,
    mapping: MappingArg = None,
    list_id: str | None = None,
    subscribe: tuple[str, ...] | str = (),
    default_country: str = "US",
    on_bad_field: str = "skip-field",
    keep: str = "last",
    decimal: str = "auto",
) -> ProfileImportPlan:
    """Check every row (nothing is sent), bound to the connection's account."""
    channels = (subscribe,) if isinstance(subscribe, str) else tuple(subscribe)
    try:
        options = ImportOptions(default_country, keep, list_id, channels, True, on_bad_field, decimal)
        path = _write_frame(data)
        chosen = _mapping(path, mapping)
        target = connection.target()
        with explained():
            dry = import_profiles(None, path, chosen, options, data_dir=data_dir(), restart=True)
    except (MappingError, ValueError) as exc:
        raise WorkbenchError(f"The import cannot be planned: {exc}\nWhat to do: fix that argument.") from None
    return ProfileImportPlan(connection, data.copy(), path, chosen, options, target, dry)
