"""Pass one of an import: read, validate, de-duplicate and cut jobs, streaming so sending starts at once.

The file is read twice, chunk by chunk, so memory stays flat whatever its size:
 0. Identities: only the identifier columns are normalised (as validation does) and hashed, 8 bytes a row.
    A person whose identity appears once in the file has no duplicate, so their row can go out as soon as
    it is validated; rows whose identity repeats are *held*, because "last wins" needs the end of the file.
 1. Validation (by worker processes for big files): rejected rows go to rejected.jsonl with their reasons;
    valid rows that are not held are cut into jobs as they come, greedily by profile count and bytes, the
    same cuts a pass over the finished list would make, and each job is handed to `on_job` at once (the
    importer sends it while the rest of the file is still being validated). Held rows are spooled to disk;
    at the end they are de-duplicated exactly (first or last wins) and their winners cut into the last jobs.
Every sent row is written to send.jsonl ("<line>\t<profile JSON>", job after job) and its line number to
send_lines.i64, which the report and the import-error join read back. The plan is deterministic for a
given file, mapping and options, whatever the number of workers: that is what makes resuming safe, since a
resumed run cuts the very same jobs again and skips those already sent.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import compress
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from klaviyo_core.csvfile.reader import CsvHeader, CsvReader
from klaviyo_core.profiles.checkpoint import SEND_LINES, ChunkState
from klaviyo_core.profiles.jobs import HeldRows, JobCutter, JobFn, Limits
from klaviyo_core.profiles.mapping import Mapping
from klaviyo_core.profiles.scan import Scan, ScannedChunk, load_frame, scan
from klaviyo_core.profiles.validate import ValidationOptions, profile_json, validate_chunk
from klaviyo_core.profiles.workers import map_in_order

POOL_MIN_BYTES = 16_000_000  # quoted files from ~200k rows up are read by a process pool (see _auto_workers)


@dataclass
class Prepared:
    counts: dict[str, int]  # rows, valid, rejected, skipped_duplicate, to_send, jobs
    chunks: list[ChunkState]
    columns: tuple[str, ...]
    warnings: tuple[str, ...]


ProgressFn = Callable[[int], None]  # rows read so far
RowsFn = Callable[[int, int], None]  # rows checked so far, and how many of them were refused


def _problem_reasons(problems: pd.DataFrame) -> pd.Series:
    """One reason text per rejected row, naming each bad column and value."""
    text = problems["reason"].where(
        problems["column"] == "",
        "column '" + problems["column"] + "' value '" + problems["value"] + "' " + problems["reason"],
    )
    return text.groupby(problems["row"], sort=True).agg("; ".join)


def _rejected_text(rows: pd.Series, status: str = "rejected") -> str:
    return "".join(
        json.dumps({"row": int(row), "status": status, "reason": reason}) + "\n" for row, reason in rows.items()
    )


@dataclass
class _Validated:
    """One chunk's valid rows (line, profile JSON and its size) and its rejected rows as report lines.

    Computed from the chunk's frame alone (in this process or a worker process) and written by the caller
    in chunk order, so the files are the same whichever process computed it.
    """

    rejected: str
    lines: np.ndarray
    sizes: np.ndarray
    profiles: list[str]
    valid: int


def _validate(frame: pd.DataFrame, mapping: Mapping, options: ValidationOptions, limits: Limits) -> _Validated:
    result = validate_chunk(frame, mapping, options)
    rejected = "" if result.problems.empty else _rejected_text(_problem_reasons(result.problems))
    profiles = profile_json(result.values, result.valid_index)
    sizes = profiles.str.len()
    too_big = sizes > limits.profile_bytes
    if too_big.any():
        reason = "the profile is larger than Klaviyo's 100 KB limit; shorten the longest cells"
        rejected += _rejected_text(pd.Series(reason, index=profiles.index[too_big]))
        profiles, sizes = profiles[~too_big], sizes[~too_big]
    return _Validated(
        rejected,
        profiles.index.to_numpy(dtype=np.int64),
        sizes.to_numpy(dtype=np.int64),
        profiles.tolist(),  # all ASCII (JSON escapes the rest), so chars == bytes
        len(frame) - len(result.rejected_rows) - int(too_big.sum()),
    )


def _validate_spooled(spool: Path, mapping: Mapping, options: ValidationOptions, limits: Limits) -> _Validated:
    """Validate one chunk spooled by read 0, then drop its spool (a module-level function for workers)."""
    frame = load_frame(spool)
    spool.unlink()
    return _validate(frame, mapping, options, limits)


def _validated(
    scanned: Scan, mapping: Mapping, options: ValidationOptions, limits: Limits, workers: int
) -> Iterator[tuple[ScannedChunk, _Validated]]:
    """(chunk, its validation) in file order; with workers > 1, computed by a process pool."""
    jobs = ((c.spool, mapping, options, limits) for c in scanned.chunks)
    yield from zip(scanned.chunks, map_in_order(_validate_spooled, jobs, workers), strict=True)


def _auto_workers(path: Path) -> int:
    """One process, unless the file is large and quoted; never more than 2.

    Measured on 2 cores (bench/import_profiles.py, 1M rows): a plain file is read and validated in ~4 s of
    CPU by the importing process alone, faster than its 100 jobs can be sent (10 a second), and a pool
    only adds start-up, pickling and ~225 MB a worker. Quoted cells take the exact `csv.reader` path,
    about twice the CPU; there two workers bring the first job out ~1 s sooner.
    """
    if path.stat().st_size < POOL_MIN_BYTES or (os.cpu_count() or 1) < 2:
        return 1
    with path.open("rb") as f:
        quoted = b'"' in f.read(64 * 1024)
    return 2 if quoted else 1


def _header(path: Path, mapping: Mapping) -> CsvHeader:
    with CsvReader(path, chunk_rows=1) as reader:
        missing = [c.column for c in mapping.active() if c.column not in reader.header.columns]
        if missing:
            raise ValueError(f"The mapping names columns this file does not have: {', '.join(missing)}.")
        return reader.header


def _write_rejected(out: IO[str], chunk: ScannedChunk, done: _Validated) -> None:
    """Ragged and empty rows first, as found by the reader, then the invalid ones."""
    for ragged in chunk.ragged:
        out.write(json.dumps({"row": ragged.line, "status": "rejected", "reason": ragged.reason}) + "\n")
    for line in chunk.empty_lines:
        out.write(json.dumps({"row": line, "status": "rejected", "reason": "the row is empty"}) + "\n")
    out.write(done.rejected)


def prepare(
    path: Path,
    mapping: Mapping,
    options: ValidationOptions,
    workdir: Path,
    limits: Limits | None = None,
    on_rows: RowsFn | None = None,
    workers: int | None = None,
    on_job: JobFn | None = None,
    on_scan: ProgressFn | None = None,
) -> Prepared:
    """Pass one; `on_job` gets each job as soon as it is cut; `workers` processes read and validate chunks
    (None: 2 for a large file on a multi-core machine, else 1). The output files, counts and plan are the
    same whatever the number of workers. `on_scan` reports read 0 (identities), `on_rows` read 1.
    """
    limits = limits or Limits()
    workdir.mkdir(parents=True, exist_ok=True)
    workers = _auto_workers(path) if workers is None else workers
    header = _header(path, mapping)
    spool_dir = workdir / "chunks"
    try:
        scanned = scan(path, mapping, options, spool_dir, workers, on_scan)
        return _read_and_cut(scanned, header, mapping, options, workdir, limits, workers, on_rows, on_job)
    finally:
        shutil.rmtree(spool_dir, ignore_errors=True)


def _read_and_cut(
    scanned: Scan,
    header: CsvHeader,
    mapping: Mapping,
    options: ValidationOptions,
    workdir: Path,
    limits: Limits,
    workers: int,
    on_rows: RowsFn | None,
    on_job: JobFn | None,
) -> Prepared:
    """Read 1: validate, send unrepeated people at once, then settle the repeated ones."""
    held = HeldRows(workdir / "held.jsonl")
    rows = valid = 0
    with (
        (workdir / "rejected.jsonl").open("w", encoding="utf-8") as rejected_f,
        (workdir / "send.jsonl").open("wb") as send_f,
        (workdir / SEND_LINES).open("wb") as lines_f,
        held.path.open("w", encoding="utf-8") as held_f,
    ):
        cutter = JobCutter(limits, send_f, lines_f, on_job)
        for chunk, done in _validated(scanned, mapping, options, limits, workers):
            _write_rejected(rejected_f, chunk, done)
            rows += chunk.counted
            valid += done.valid
            hold = np.isin(done.lines, chunk.repeated_lines(scanned.repeated))
            if hold.any():
                held_lines = done.lines[hold]
                held.add(held_f, held_lines, chunk.hashes_of(held_lines), list(compress(done.profiles, hold)))
                keep = ~hold
                cutter.add(done.lines[keep], list(compress(done.profiles, keep)), done.sizes[keep])
            else:
                cutter.add(done.lines, done.profiles, done.sizes)
            if on_rows:
                on_rows(rows, rows - valid)
        held_f.flush()
        dups = held.duplicates(options.keep)
        reasons = (
            "the same person as line " + dups.astype(str) + f", which is imported instead (the {options.keep} row wins)"
        )
        rejected_f.write(_rejected_text(reasons, status="skipped_duplicate"))
        rejected_f.flush()
        for lines, profiles, sizes in held.winners(dups.index):
            cutter.add(lines, profiles, sizes)
        cutter.finish()
    held.path.unlink()
    counts = {
        "rows": rows,
        "valid": valid,
        "rejected": rows - valid,
        "skipped_duplicate": len(dups),
        "to_send": valid - len(dups),
        "jobs": len(cutter.chunks),
    }
    return Prepared(counts, cutter.chunks, header.columns, header.warnings)
