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
import secrets
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import compress
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from klaviyo_core.csvfile.reader import CsvReader
from klaviyo_core.csvfile.sniff import CsvHeader
from klaviyo_core.paths import open_private, private_dir
from klaviyo_core.profiles.checkpoint import SEND_LINES, ChunkState
from klaviyo_core.profiles.jobs import HeldRows, JobCutter, JobFn, Limits
from klaviyo_core.profiles.mapping import Mapping
from klaviyo_core.profiles.scan import Scan, ScannedChunk, load_frame, scan
from klaviyo_core.profiles.validate import ValidationOptions, profile_json, validate_chunk
from klaviyo_core.profiles.workers import map_in_order

WARNED = "warned"  # a report line that keeps its row's status and gives the reason (a field left out)
POOL_MIN_BYTES = 16_000_000  # quoted files from ~200k rows up are read by a process pool (see _auto_workers)


@dataclass
class Prepared:
    counts: dict[str, int]  # rows, valid, rejected, skipped_duplicate, to_send, jobs
    chunks: list[ChunkState]
    columns: tuple[str, ...]
    warnings: tuple[str, ...]


# Rows read so far by pass one; not `progress.ProgressFn`, which reports the send.
OnRows = Callable[[int], None]
# Rows checked so far by pass one, and how many of them the checks refused (the bar's "problems so far").
OnChecked = Callable[[int, int], None]


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
    warned: str = ""  # report lines (status "warned") of valid rows that had a field left out
    warned_rows: int = 0
    consent: dict[str, np.ndarray] = field(default_factory=dict)  # channel -> lines of valid rows saying yes
    reachable: dict[str, np.ndarray] = field(default_factory=dict)  # channel -> lines with its email / phone


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
    warned = _warned(result.warnings, profiles.index)
    sent = ~too_big.to_numpy(dtype=bool)
    return _Validated(
        rejected,
        profiles.index.to_numpy(dtype=np.int64),
        sizes.to_numpy(dtype=np.int64),
        profiles.tolist(),  # all ASCII (JSON escapes the rest), so chars == bytes
        len(frame) - len(result.rejected_rows) - int(too_big.sum()),
        _rejected_text(warned, status=WARNED) if len(warned) else "",
        len(warned),
        {ch: result.valid_index.to_numpy(dtype=np.int64)[yes & sent] for ch, yes in result.consent.items()},
        {ch: result.valid_index.to_numpy(dtype=np.int64)[has & sent] for ch, has in result.reachable.items()},
    )


def _warned(warnings: pd.DataFrame | None, kept: pd.Index) -> pd.Series:
    """One reason per valid row that had fields left out (rows that are sent anyway)."""
    if warnings is None or warnings.empty:
        return pd.Series([], dtype=object)
    warnings = warnings[warnings["row"].isin(kept)]
    if warnings.empty:
        return pd.Series([], dtype=object)
    return _problem_reasons(warnings) + "; left out of the profile, the rest of the row is imported"


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
        missing = [c.column for c in mapping.columns if c.target != "ignore" and c.column not in reader.header.columns]
        if missing:
            raise ValueError(f"The mapping names columns this file does not have: {', '.join(missing)}.")
        return reader.header


def consent_path(workdir: Path, channel: str) -> Path:
    return workdir / f"consent_{channel}.i64"


def write_consent_lines(workdir: Path, channel: str, parts: list[np.ndarray], losers: np.ndarray) -> int:
    """The lines of sent rows whose consent column says yes for `channel` (a duplicate's loser is not sent)."""
    lines = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    lines = np.setdiff1d(lines, losers)
    consent_path(workdir, channel).write_bytes(lines.astype(np.int64).tobytes())
    return len(lines)


def read_consent_lines(workdir: Path, channel: str) -> np.ndarray | None:
    """The sorted lines written by `write_consent_lines`, or None when the channel has no consent column."""
    path = consent_path(workdir, channel)
    return np.frombuffer(path.read_bytes(), dtype=np.int64) if path.exists() else None


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
    on_rows: OnChecked | None = None,
    workers: int | None = None,
    on_job: JobFn | None = None,
    on_scan: OnRows | None = None,
) -> Prepared:
    """Pass one; `on_job` gets each job as soon as it is cut; `workers` processes read and validate chunks
    (None: 2 for a large file on a multi-core machine, else 1). The output files, counts and plan are the
    same whatever the number of workers. `on_scan` reports read 0 (identities), `on_rows` read 1.
    """
    limits = limits or Limits()
    private_dir(workdir)
    (workdir / "subscribed.tsv").unlink(missing_ok=True)  # written by the sender of this plan only
    workers = _auto_workers(path) if workers is None else workers
    header = _header(path, mapping)
    for stale in workdir.glob("chunks*"):  # left by a run that was killed (the caller holds the import's lock)
        shutil.rmtree(stale, ignore_errors=True)
    spool_dir = workdir / f"chunks-{os.getpid()}-{secrets.token_hex(4)}"  # this run's own: never shared
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
    on_rows: OnChecked | None,
    on_job: JobFn | None,
) -> Prepared:
    """Read 1: validate, send unrepeated people at once, then settle the repeated ones."""
    held = HeldRows(workdir / "held.jsonl")
    rows = valid = warned = 0
    consent: dict[str, list[np.ndarray]] = {ch: [] for ch in mapping.consent_columns()}
    reachable: dict[str, list[np.ndarray]] = {"email": [], "sms": []}
    with (
        open_private(workdir / "rejected.jsonl", "w", encoding="utf-8") as rejected_f,
        open_private(workdir / "send.jsonl", "wb") as send_f,
        open_private(workdir / SEND_LINES, "wb") as lines_f,
        open_private(held.path, "w", encoding="utf-8") as held_f,
    ):
        cutter = JobCutter(limits, send_f, lines_f, on_job)
        for chunk, done in _validated(scanned, mapping, options, limits, workers):
            _write_rejected(rejected_f, chunk, done)
            rejected_f.write(done.warned)
            rows += chunk.counted
            valid += done.valid
            warned += done.warned_rows
            for ch, lines in done.consent.items():
                consent[ch].append(lines)
            for ch, lines in done.reachable.items():
                reachable[ch].append(lines)
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
        "warned": warned,
    }
    losers = dups.index.to_numpy(dtype=np.int64)
    for ch, parts in consent.items():
        counts[f"consent_{ch}"] = write_consent_lines(workdir, ch, parts, losers)
    for ch, parts in reachable.items():  # sent rows a file-wide consent tick would cover
        found = sum(len(p) for p in parts)
        counts[f"reachable_{ch}"] = found - (
            int(np.isin(losers, np.concatenate(parts)).sum()) if found and len(losers) else 0
        )
    return Prepared(counts, cutter.chunks, header.columns, header.warnings)
