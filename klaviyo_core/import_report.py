"""The result report: every input row once, with its line, its status and the reason.

Statuses: `imported`, `rejected` (refused before sending), `rejected_by_klaviyo` (an import error joined
back to its row), `skipped_duplicate` (the same person again in the file), `valid` (dry run) and `pending`
(its job had not finished when the import stopped; resuming finishes it). The report is re-read from the
CSV chunk by chunk, so it costs no memory beyond one chunk plus the rows that were not imported.

Cells starting with = + - @ (or a tab / carriage return) are prefixed with an apostrophe so a spreadsheet
shows them as text and never runs them as formulas (OWASP "CSV injection").
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from klaviyo_core.checkpoint import Checkpoint, Workspace
from klaviyo_core.csv_reader import Chunk, CsvReader
from klaviyo_core.preparation import sent_lines

STATUSES = ("imported", "rejected", "rejected_by_klaviyo", "skipped_duplicate", "valid", "pending")
_DANGEROUS = r"^[=+\-@\t\r]"


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in out.columns:
        s = out[col] if out[col].dtype == object else out[col].astype(str)
        risky = s.str.match(_DANGEROUS).fillna(False).astype(bool)
        if risky.any():
            out[col] = s.where(~risky, "'" + s)
    return out


def load_overrides(ws: Workspace) -> dict[int, tuple[str, str]]:
    """Row -> (status, reason) for every row that was not simply sent (rejected, duplicate, refused)."""
    found: dict[int, tuple[str, str]] = {}
    for path, default in ((ws.rejected_path, "rejected"), (ws.klaviyo_path, "rejected_by_klaviyo")):
        if path.exists():
            with path.open(encoding="utf-8") as f:
                for text in f:
                    item = json.loads(text)
                    found[int(item["row"])] = (item.get("status", default), item["reason"])
    return found


def _chunk_frame(chunk: Chunk, columns: tuple[str, ...]) -> pd.DataFrame:
    frames = [chunk.frame.astype(object)]
    width = len(columns)
    extra = [(r.line, list(r.cells[:width]) + [""] * (width - len(r.cells))) for r in chunk.ragged]
    extra += [(line, [""] * width) for line in chunk.empty_lines]
    if extra:
        index = pd.Index([line for line, _ in extra], name="row")
        frames.append(pd.DataFrame([cells for _, cells in extra], columns=list(columns), index=index))
    return pd.concat(frames).sort_index() if len(frames) > 1 else frames[0]


def _sent_status(lines: np.ndarray, sent: _Sent, dry_run: bool) -> tuple[list[str], list[str]]:
    """Status of rows that were not rejected: by the state of the job each was sent in."""
    if dry_run:
        return ["valid"] * len(lines), [""] * len(lines)
    pos = np.searchsorted(sent.lines, lines)
    found = pos < len(sent.lines)
    found[found] = sent.lines[pos[found]] == lines[found]
    ok = np.zeros(len(lines), dtype=bool)
    ok[found] = sent.done[pos[found]]
    statuses = np.where(ok, "imported", "pending").tolist()
    waiting = "its job had not finished; run the import again with resume"
    unsent = "the import stopped before this row was sent; run the import again with resume"
    reasons = np.where(ok, "", np.where(found, waiting, unsent)).tolist()
    return statuses, reasons


@dataclass
class _Sent:
    """Every sent row's line (sorted) and whether its job completed, for a vectorised lookup by line."""

    lines: np.ndarray
    done: np.ndarray

    @classmethod
    def load(cls, ws: Workspace, checkpoint: Checkpoint) -> _Sent:
        order_lines = sent_lines(ws.dir)
        rows = [c.rows for c in checkpoint.chunks]
        complete = np.array([c.state == "complete" for c in checkpoint.chunks], dtype=bool)
        known = min(len(order_lines), sum(rows))  # rows cut into a job the checkpoint has not recorded yet
        done = np.repeat(complete, rows)[:known] if rows else np.zeros(0, dtype=bool)
        order = np.argsort(order_lines[:known], kind="stable")
        return cls(order_lines[:known][order], done[order])


def write_report(
    csv_path: Path, ws: Workspace, checkpoint: Checkpoint, out_path: Path, dry_run: bool = False
) -> Counter[str]:
    """Write the report CSV (UTF-8 with BOM, so Excel reads accents) and return the count per status."""
    overrides = load_overrides(ws)
    sent = _Sent.load(ws, checkpoint)
    counts: Counter[str] = Counter()
    out_path.parent.mkdir(parents=True, exist_ok=True)
    first = True
    with CsvReader(csv_path) as reader, out_path.open("w", encoding="utf-8-sig", newline="") as out:
        columns = reader.header.columns
        for chunk in reader:
            frame = _chunk_frame(chunk, columns)
            lines = frame.index.to_numpy(dtype=np.int64)
            statuses, reasons = _sent_status(lines, sent, dry_run)
            for i, line in enumerate(lines.tolist()):
                if line in overrides:
                    statuses[i], reasons[i] = overrides[line]
            report = neutralise(frame.reset_index(drop=True))
            report.columns = [f"input {c}" if c in ("row", "status", "reason") else c for c in report.columns]
            report.insert(0, "row", lines)
            report["status"] = statuses
            report["reason"] = neutralise(pd.DataFrame({"r": reasons}))["r"].to_numpy()
            report.to_csv(out, index=False, header=first, lineterminator="\n")
            first = False
            counts.update(statuses)
        if first:
            pd.DataFrame(columns=["row", *columns, "status", "reason"]).to_csv(out, index=False, lineterminator="\n")
    return counts


PROBLEM_STATUSES = ("rejected", "rejected_by_klaviyo", "skipped_duplicate", "pending")


def problem_rows(report_path: Path, limit: int | None = None) -> pd.DataFrame:
    """Report rows that were not imported (for the page's problem download), read chunk by chunk."""
    found = []
    kept = 0
    for chunk in pd.read_csv(report_path, dtype=str, keep_default_na=False, encoding="utf-8-sig", chunksize=50_000):
        bad = chunk[chunk["status"].isin(PROBLEM_STATUSES)]
        found.append(bad)
        kept += len(bad)
        if limit is not None and kept >= limit:
            break
    frame = pd.concat(found) if found else pd.DataFrame(columns=["row", "status", "reason"])
    return frame.head(limit) if limit is not None else frame


def top_problems(report_path: Path, n: int = 10) -> pd.DataFrame:
    """The most frequent kinds of problem: reason with values and line numbers removed, with a count."""
    rows = problem_rows(report_path)
    if rows.empty:
        return pd.DataFrame({"problem": [], "rows": [], "example row": []})
    kind = (
        rows["reason"]
        .str.replace(r"value '[^']*' ", "", regex=True)
        .str.replace(r"line \d+", "line N", regex=True)
        .str.replace(r"^'", "", regex=True)
    )
    summary = rows.assign(problem=kind).groupby("problem").agg(rows=("row", "size"), example=("row", "first"))
    summary = summary.sort_values("rows", ascending=False).head(n).reset_index()
    return summary.rename(columns={"example": "example row"})
