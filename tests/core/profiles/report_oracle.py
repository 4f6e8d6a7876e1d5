"""The result report as it was first written (pandas frames, one chunk at a time): the tests' oracle.

Kept verbatim (minus its docstrings) so the fast writer in klaviyo_core/import_report.py can be checked byte
for byte against it on any file, including files this module never pinned. It reads the CSV through the
public `CsvReader`, so it also checks that the fast writer splits records and numbers lines like the reader
that prepared the import.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import TextIO

import numpy as np
import pandas as pd

from klaviyo_core.csvfile.reader import CsvReader
from klaviyo_core.csvfile.sniff import Chunk
from klaviyo_core.profiles.checkpoint import Checkpoint, Workspace

_DANGEROUS = r"^[=+\-@\t\r\n]"
_PLAIN_NUMBER = r"[+-]?[0-9]+(?:[.,][0-9]+)?"  # a plain number stays as it is (csvfile.write, issue 18)


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in out.columns:
        s = out[col] if out[col].dtype == object else out[col].astype(str)
        risky = (s.str.match(_DANGEROUS) & ~s.str.fullmatch(_PLAIN_NUMBER)).fillna(False).astype(bool)
        if risky.any():
            out[col] = s.where(~risky, "'" + s)
    return out


def load_overrides(ws: Workspace) -> dict[int, tuple[str, str]]:
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


def _sent_status(
    lines: np.ndarray, ws: Workspace, checkpoint: Checkpoint, dry_run: bool
) -> tuple[list[str], list[str]]:
    """The straightforward lookup: each sent row's job through send_lines.i64 (send order, job after job)."""
    if dry_run:
        return ["valid"] * len(lines), [""] * len(lines)
    job_of: dict[int, int] = {}
    order_lines = ws.sent_lines().tolist()
    at = 0
    for index, chunk in enumerate(checkpoint.chunks):
        for line in order_lines[at : at + chunk.rows]:
            job_of[line] = index
        at += chunk.rows
    statuses, reasons = [], []
    for line in lines.tolist():
        if line not in job_of:
            statuses.append("pending")
            reasons.append("the import stopped before this row was sent; run the import again with resume")
        elif checkpoint.chunks[job_of[line]].state == "complete":
            statuses.append("imported")
            reasons.append("")
        else:
            statuses.append("pending")
            reasons.append("its job had not finished; run the import again with resume")
    return statuses, reasons


def write_report(
    csv_path: Path, ws: Workspace, checkpoint: Checkpoint, out_path: Path, dry_run: bool = False
) -> Counter[str]:
    overrides = load_overrides(ws)
    path = ws.dir / "subscribed.tsv"
    pairs = [t.rstrip("\n").split("\t") for t in path.read_text().splitlines()] if path.exists() else []
    subscribed = {int(line): channels for line, channels in pairs}
    counts: Counter[str] = Counter()
    out_path.parent.mkdir(parents=True, exist_ok=True)
    first = True
    with CsvReader(csv_path) as reader, out_path.open("w", encoding="utf-8-sig", newline="") as out:
        columns = reader.header.columns
        for chunk in reader:
            frame = _chunk_frame(chunk, columns)
            lines = frame.index.to_numpy(dtype=np.int64)
            statuses, reasons = _sent_status(lines, ws, checkpoint, dry_run)
            for i, line in enumerate(lines.tolist()):
                if line in overrides and overrides[line][0] == "warned":  # a field left out: status kept
                    reasons[i] = "; ".join(r for r in (overrides[line][1], reasons[i]) if r)
                elif line in overrides:
                    statuses[i], reasons[i] = overrides[line]
            report = neutralise(frame.reset_index(drop=True))
            renamed = ("row", "status", "reason", "subscribed")
            report.columns = [f"input {c}" if c in renamed else c for c in report.columns]
            report.insert(0, "row", lines)
            report["status"] = statuses
            report["reason"] = neutralise(pd.DataFrame({"r": reasons}))["r"].to_numpy()
            report["subscribed"] = [subscribed.get(line, "") for line in lines.tolist()]
            _write(out, report, header=first)
            first = False
            counts.update(statuses)
        if first:
            _write(out, pd.DataFrame(columns=["row", *columns, "status", "reason", "subscribed"]), header=True)
    return counts


def _line(cells: list[str]) -> str:
    """RFC 4180 quoting, written here independently of the writer under test (csv.writer on Python 3.11 leaves a
    lone CR unquoted with lineterminator="\\n": the bug the one CSV writer fixed)."""
    return ",".join('"' + c.replace('"', '""') + '"' if re.search('[,"\r\n]', c) else c for c in cells) + "\n"


def _write(out: TextIO, frame: pd.DataFrame, header: bool) -> None:
    if header:
        out.write(_line(neutralise(pd.DataFrame([list(map(str, frame.columns))])).iloc[0].tolist()))
    for values in frame.astype(str).itertuples(index=False, name=None):
        out.write(_line(list(values)))
