"""The result report: every input row once, with its line, its status and the reason.

Statuses: `imported`, `rejected` (refused before sending), `rejected_by_klaviyo` (an import error joined
back to its row), `skipped_duplicate` (the same person again in the file), `valid` (dry run) and `pending`
(its job had not finished when the import stopped; resuming finishes it). A row kept with a bad optional
field left out keeps its status and says so in `reason`; `subscribed` names the channels consent was sent
for (email, sms). The report is re-read from the CSV a block at a time (report_rows.py), so it costs no
memory beyond one block plus ~25 bytes per row that was not simply sent (its line, status and where its
reason is in rejected.jsonl or klaviyo.jsonl).

Cells starting with = + - @ (or a tab, CR or LF) are prefixed with an apostrophe so a spreadsheet shows them
as text and never runs them as formulas, and cells holding CR or LF are quoted (`csvfile.write`, the one CSV
writer's rule); so are reasons and header cells. The report is customer data: a 0600 file.
"""

from __future__ import annotations

import json
import re
from array import array
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

from klaviyo_core.csvfile.reader import CsvReader
from klaviyo_core.csvfile.write import PLAIN_NUMBER, neutralise_cells
from klaviyo_core.paths import open_private
from klaviyo_core.profiles.checkpoint import Checkpoint, ChunkStatus, Workspace
from klaviyo_core.profiles.prepare import WARNED
from klaviyo_core.profiles.report_rows import RISKY_FIRST, CellFormatter, report_rows

STATUSES = ("imported", "rejected", "rejected_by_klaviyo", "skipped_duplicate", "valid", "pending")
PENDING_REASON = "its job had not finished; run the import again with resume"
UNSENT_REASON = "the import stopped before this row was sent; run the import again with resume"
SUBSCRIBED_FILE = "subscribed.tsv"  # sender.py: "<line>\t<channels>" per row consent was sent for
_DANGEROUS = "^[" + re.escape(RISKY_FIRST) + "]"


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """The same rule as the report's, for a frame shown or downloaded elsewhere."""
    out = frame.copy()
    for col in out.columns:
        s = out[col] if out[col].dtype == object else out[col].astype(str)
        risky = (s.str.match(_DANGEROUS) & ~s.str.fullmatch(PLAIN_NUMBER)).fillna(False).astype(bool)
        if risky.any():
            out[col] = s.where(~risky, "'" + s)
    return out


class _Overrides:
    """Rows that were not simply sent, by line: their status, and where their reason is (read when written).

    Reasons stay on disk: a file of rejected rows would otherwise cost its reasons' size in memory. A line
    listed twice keeps its last entry (klaviyo.jsonl after rejected.jsonl, later lines win), as before.
    """

    def __init__(self, ws: Workspace) -> None:
        self.names: list[str] = []
        lines, codes, files, offsets = array("q"), array("b"), array("b"), array("q")
        self._paths = [ws.rejected_path, ws.klaviyo_path]
        for index, (path, default) in enumerate(zip(self._paths, ("rejected", "rejected_by_klaviyo"), strict=True)):
            if not path.exists():
                continue
            offset = 0
            with path.open("rb") as f:
                for text in f:
                    item = json.loads(text.decode("utf-8"))  # str: json.loads(bytes) sniffs the encoding each time
                    lines.append(int(item["row"]))
                    codes.append(self._code(item.get("status", default)))
                    files.append(index)
                    offsets.append(offset)
                    offset += len(text)
        order = np.argsort(np.frombuffer(lines, dtype=np.int64), kind="stable")
        sorted_lines = np.frombuffer(lines, dtype=np.int64)[order]
        last = np.append(sorted_lines[1:] != sorted_lines[:-1], True) if len(order) else np.ones(0, dtype=bool)
        order = order[last]
        self.lines = sorted_lines[last]
        self.codes = np.frombuffer(codes, dtype=np.int8)[order]
        self.files = np.frombuffer(files, dtype=np.int8)[order]
        self.offsets = np.frombuffer(offsets, dtype=np.int64)[order]
        self._open: list[BinaryIO | None] = [None, None]

    def _code(self, status: str) -> int:
        if status not in self.names:
            self.names.append(status)
        return self.names.index(status)

    def find(self, lines: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(positions in `lines` that have an override, their indexes here)."""
        if not len(self.lines):
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        at = np.minimum(np.searchsorted(self.lines, lines), len(self.lines) - 1)
        hit = np.flatnonzero(self.lines[at] == lines)
        return hit, at[hit]

    def reason(self, index: int, files: ExitStack) -> str:
        which = int(self.files[index])
        f = self._open[which]
        if f is None:
            f = self._open[which] = files.enter_context(self._paths[which].open("rb"))
        f.seek(int(self.offsets[index]))
        return str(json.loads(f.readline().decode("utf-8"))["reason"])


Kinds = list[tuple[str, str]]  # (status, reason) of rows without an override
KindOf = Callable[[np.ndarray], np.ndarray]  # lines -> a new int8 array of indexes into Kinds


def _job_kinds(ws: Workspace, checkpoint: Checkpoint, dry_run: bool) -> tuple[Kinds, KindOf]:
    """What became of rows that were sent (or would be, in a dry run): by the state of their job.

    A row's job is found through send_lines.i64 (the line of every row in send order, job after job), not
    by line ranges: repeated people are settled at the end and their winners go out in the last jobs.
    """
    if dry_run:
        return [("valid", "")], lambda lines: np.zeros(len(lines), dtype=np.int8)
    order_lines = ws.sent_lines()
    rows = [c.rows for c in checkpoint.chunks]
    known = min(len(order_lines), sum(rows))  # a job cut but not yet recorded in the checkpoint is not sent
    complete = np.array([c.state == ChunkStatus.COMPLETE for c in checkpoint.chunks], dtype=np.int8)
    done = np.repeat(complete, rows)[:known] if rows else np.zeros(0, dtype=np.int8)
    order = np.argsort(order_lines[:known], kind="stable")
    sorted_lines, sorted_done = order_lines[:known][order], done[order]

    def kind_of(lines: np.ndarray) -> np.ndarray:
        kinds = np.full(len(lines), 2, dtype=np.int8)  # not sent at all
        if len(sorted_lines):
            at = np.minimum(np.searchsorted(sorted_lines, lines), len(sorted_lines) - 1)
            hit = sorted_lines[at] == lines
            kinds[hit] = sorted_done[at[hit]]
        return kinds

    return [("pending", PENDING_REASON), ("imported", ""), ("pending", UNSENT_REASON)], kind_of


class _Statuses:
    """Status and reason of each report row, as the text that follows its cells: its override if it has
    one, else its job's outcome. Rows of one kind share one suffix string; only overrides are built per row."""

    def __init__(self, kinds: Kinds, kind_of: KindOf, overrides: _Overrides, files: ExitStack, ws: Workspace) -> None:
        self._kinds, self._kind_of = kinds, kind_of
        self._overrides, self._files, self._fmt = overrides, files, CellFormatter()
        self._suffixes = np.array([self._suffix(s, r) for s, r in kinds] + [""], dtype=object)
        self._subscribed = _subscribed(ws)

    def _suffix(self, status: str, reason: str) -> str:
        """`,status,reason,` and a newline: the `subscribed` cell (channels) is filled in per row."""
        return "," + self._fmt([status, *neutralise_cells([reason]), ""]) + "\n"

    def suffixes(self, lines: np.ndarray, counts: Counter[str]) -> list[str]:
        """Per line: a comma, its status, a comma, its reason, a comma, its subscribed channels and a newline;
        each counted into `counts`."""
        kinds = self._kind_of(lines)
        hit, index = self._overrides.find(lines)
        base = kinds[hit]
        kinds[hit] = len(self._kinds)  # the last suffix, "", replaced below
        for kind, n in enumerate(np.bincount(kinds, minlength=len(self._kinds) + 1)[:-1].tolist()):
            if n:
                counts[self._kinds[kind][0]] += n
        out = self._suffixes[kinds]
        names = self._overrides.names
        for at, i, kind in zip(hit.tolist(), index.tolist(), base.tolist(), strict=True):
            status, reason = names[self._overrides.codes[i]], self._overrides.reason(i, self._files)
            if status == WARNED:  # a field left out: the row keeps its own status
                status, why = self._kinds[kind]
                reason = f"{reason}; {why}" if why else reason
            out[at] = self._suffix(status, reason)
            counts[status] += 1
        if self._subscribed is not None:
            at = np.minimum(np.searchsorted(self._subscribed[0], lines), max(len(self._subscribed[0]) - 1, 0))
            for row in np.flatnonzero(self._subscribed[0][at] == lines).tolist() if len(self._subscribed[0]) else []:
                out[row] = out[row][:-1] + self._subscribed[1][at[row]] + "\n"
        return list(out.tolist())


def _subscribed(ws: Workspace) -> tuple[np.ndarray, list[str]] | None:
    """(sorted lines, channels) of the rows consent was sent for (sender.py writes them)."""
    path = ws.dir / SUBSCRIBED_FILE
    if not path.exists():
        return None
    found: dict[int, str] = {}
    with path.open(encoding="utf-8") as f:
        for text in f:
            line, _, channels = text.rstrip("\n").partition("\t")
            found[int(line)] = channels
    lines = np.array(sorted(found), dtype=np.int64)
    return lines, [found[int(n)] for n in lines]


def _header(columns: tuple[str, ...], rows: bool) -> str:
    """The first report writer renamed input columns called row/status/reason only when it wrote rows."""
    if rows:
        columns = tuple(f"input {c}" if c in ("row", "status", "reason", "subscribed") else c for c in columns)
    return CellFormatter()(neutralise_cells(["row", *columns, "status", "reason", "subscribed"])) + "\n"


def write_report(
    csv_path: Path, ws: Workspace, checkpoint: Checkpoint, out_path: Path, dry_run: bool = False
) -> Counter[str]:
    """Write the report CSV (UTF-8 with BOM, so Excel reads accents) and return the count per status."""
    counts: Counter[str] = Counter()
    with CsvReader(csv_path) as reader:  # the format and header the import was prepared with
        fmt, header = reader.format, reader.header
    with ExitStack() as files:
        statuses = _Statuses(*_job_kinds(ws, checkpoint, dry_run), _Overrides(ws), files, ws)
        source = files.enter_context(csv_path.open("r", encoding=fmt.encoding, newline=""))
        out = files.enter_context(open_private(out_path, "w", encoding="utf-8-sig", newline=""))
        wrote = False
        for numbers, bodies in report_rows(source, fmt.delimiter, len(header.columns), header.line):
            if not wrote:
                out.write(_header(header.columns, rows=True))
                wrote = True
            suffixes = statuses.suffixes(np.array(numbers, dtype=np.int64), counts)
            parts = [""] * (3 * len(numbers))
            parts[0::3] = [f"{n}," for n in numbers]
            parts[1::3] = bodies
            parts[2::3] = suffixes
            out.write("".join(parts))
        if not wrote:
            out.write(_header(header.columns, rows=False))
    return counts


PROBLEM_STATUSES = ("rejected", "rejected_by_klaviyo", "skipped_duplicate", "pending")


def problem_rows(report_path: Path, limit: int | None = None, columns: list[str] | None = None) -> pd.DataFrame:
    """Report rows that were not imported (for the page's problem download), read chunk by chunk.

    `columns`: only these (the summary needs row, status and reason: reading every cell of a wide 200k-row
    report as text cost the page about a second after each import).
    """
    found = []
    kept = 0
    read = pd.read_csv(
        report_path, dtype=str, keep_default_na=False, encoding="utf-8-sig", chunksize=50_000, usecols=columns
    )
    for chunk in read:
        bad = chunk[chunk["status"].isin(PROBLEM_STATUSES)]
        found.append(bad)
        kept += len(bad)
        if limit is not None and kept >= limit:
            break
    frame = pd.concat(found) if found else pd.DataFrame(columns=["row", "status", "reason"])
    return frame.head(limit) if limit is not None else frame


PROBLEM_LABELS = {
    "rejected": "refused by the checks",
    "rejected_by_klaviyo": "refused by Klaviyo",
    "skipped_duplicate": "same person twice",
    "pending": "not finished",
}
_COLUMN_NAME = r"(column '[^']*')"  # kept: a bad email and a bad phone are different problems
_VALUE = r"'[^']*'|\"[^\"]*\""  # a row's own value: dropped, so one kind of problem is one entry


def problem_kind(reason: str) -> str:
    """A reason without what is particular to its row (values, line numbers): the kind of problem.

    Why: "Invalid email address 'ann@…'" and "Invalid email address 'bob@…'" are one problem, not two.
    """
    text = re.sub(r"^'", "", reason)
    text = re.sub(r"value '[^']*' ", "", text)
    parts = re.split(_COLUMN_NAME, text)
    text = "".join(p if i % 2 else re.sub(_VALUE, "…", p) for i, p in enumerate(parts))
    text = re.sub(r"\d[\d,.]*", "N", text)
    return re.sub(r"\s+", " ", text).strip(" :")


def top_problems(report_path: Path, n: int = 10) -> pd.DataFrame:
    """The most frequent kinds of problem (by status and reason without its row's values), with a count."""
    rows = problem_rows(report_path, columns=["row", "status", "reason"])
    if rows.empty:
        return pd.DataFrame({"outcome": [], "problem": [], "rows": [], "example row": []})
    kinds = rows.assign(
        outcome=rows["status"].map(PROBLEM_LABELS).fillna(rows["status"]),
        problem=rows["reason"].map(problem_kind),
    )
    summary = kinds.groupby(["outcome", "problem"]).agg(rows=("row", "size"), example=("row", "first"))
    summary = summary.sort_values("rows", ascending=False, kind="stable").head(n).reset_index()
    return summary.rename(columns={"example": "example row"})
