"""Pass one of an import: read, validate, de-duplicate and plan the jobs, all before anything is sent.

Streams the CSV chunk by chunk, so memory stays flat: valid rows are spooled to disk as ready JSON, rejected
rows to rejected.jsonl, and only a 64-bit hash of each row's identity key is kept in memory (8 bytes a row)
to find in-file duplicates once the whole file has been seen ("last wins" needs the end of the file).
Then the spool is filtered into send.jsonl and cut into jobs by profile count and bytes. The plan is
deterministic for a given file, mapping and options, which is what makes resuming safe.
"""

from __future__ import annotations

import json
import os
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from klaviyo_core.checkpoint import ChunkState
from klaviyo_core.csv_reader import Chunk, CsvError, CsvReader
from klaviyo_core.mapping import Mapping
from klaviyo_core.prep_workers import map_in_order
from klaviyo_core.validation import ValidationOptions, profile_json, validate_chunk

MAX_PROFILES_PER_JOB = 10_000
POOL_MIN_BYTES = 16_000_000  # files from ~200k rows up are validated by a process pool (see _auto_workers)
PREPARE_CHUNK_ROWS = 20_000  # rows validated at a time: bounds peak memory whatever the file size
MAX_JOB_BYTES = 4_000_000  # compact JSON; the wire adds separators and the envelope, the cap is 5 MB
MAX_PROFILE_BYTES = 90_000  # Klaviyo's cap is 100 KB per profile; leave room for the wire format


@dataclass(frozen=True)
class Limits:
    profiles_per_job: int = MAX_PROFILES_PER_JOB
    job_bytes: int = MAX_JOB_BYTES
    profile_bytes: int = MAX_PROFILE_BYTES


@dataclass
class Prepared:
    counts: dict[str, int]  # rows, valid, rejected, skipped_duplicate, to_send
    chunks: list[ChunkState]
    columns: tuple[str, ...]
    warnings: tuple[str, ...]


ProgressFn = Callable[[int], None]  # rows read so far


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
    """One chunk's valid rows as spool text plus per-row arrays, and its rejected rows as JSON lines.

    Computed from the chunk's frame alone (in this process or a worker process), written by the caller in
    chunk order, so the files are the same whichever process computed it.
    """

    rejected: str
    spool: str
    lines: np.ndarray
    hashes: np.ndarray
    sizes: np.ndarray
    line_bytes: np.ndarray
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
    keys = result.keys[~too_big.to_numpy()] if too_big.any() else result.keys
    spooled = (profiles.index.astype(str) + "\t" + profiles + "\n").tolist()
    hashes = pd.util.hash_pandas_object(keys, index=False).to_numpy() if len(keys) else np.array([], np.uint64)
    return _Validated(
        rejected,
        "".join(spooled),  # all ASCII (JSON escapes the rest), so chars == bytes
        profiles.index.to_numpy(dtype=np.int64),
        hashes,
        sizes.to_numpy(dtype=np.int64),
        np.fromiter(map(len, spooled), dtype=np.int64, count=len(spooled)),
        len(frame) - len(result.rejected_rows) - int(too_big.sum()),
    )


def _validated_chunks(
    reader: CsvReader, mapping: Mapping, options: ValidationOptions, limits: Limits, workers: int
) -> Iterator[tuple[Chunk, _Validated]]:
    """(chunk, its validation) in file order; with workers > 1, chunks are validated by a process pool.

    At most `workers` chunks are in flight (plus the one being read), so memory stays bounded; see
    prep_workers.py for why these are plain subprocesses.
    """
    if workers <= 1:
        for chunk in reader:
            yield chunk, _validate(chunk.frame, mapping, options, limits)
        return
    pending: deque[Chunk] = deque()

    def jobs() -> Iterator[tuple[Any, ...]]:
        for chunk in reader:
            pending.append(chunk)
            yield chunk.frame, mapping, options, limits

    for done in map_in_order(_validate, jobs(), workers):
        yield pending.popleft(), done


def _auto_workers(path: Path) -> int:
    """A process pool pays off only for large files (starting a worker costs ~1 s); never more than 2."""
    if path.stat().st_size < POOL_MIN_BYTES:
        return 1
    return max(1, min(2, os.cpu_count() or 1))


def _spool_chunk(chunk: Chunk, done: _Validated, files: dict) -> int:  # type: ignore[type-arg]
    """Write one validated chunk (ragged and empty rows first, as found by the reader); returns rows counted."""
    rejected = files["rejected"]
    for ragged in chunk.ragged:
        rejected.write(json.dumps({"row": ragged.line, "status": "rejected", "reason": ragged.reason}) + "\n")
    for line in chunk.empty_lines:
        rejected.write(json.dumps({"row": line, "status": "rejected", "reason": "the row is empty"}) + "\n")
    rejected.write(done.rejected)
    files["spool"].write(done.spool)
    files["sizes"].append(done.sizes)
    files["line_bytes"].append(done.line_bytes)
    return len(chunk.frame) + len(chunk.ragged) + len(chunk.empty_lines)


def _duplicates(lines: np.ndarray, hashes: np.ndarray, keep: str) -> pd.Series:
    """Losing line -> winning line, for rows whose identity repeats an earlier (or later) row."""
    frame = pd.DataFrame({"line": lines, "hash": hashes})
    lose = frame["hash"].duplicated(keep=keep)
    if not lose.any():
        return pd.Series([], dtype="int64")
    winners = frame[~frame["hash"].duplicated(keep=keep)].set_index("hash")["line"]
    losers = frame[lose]
    return pd.Series(winners.loc[losers["hash"]].to_numpy(), index=losers["line"].to_numpy())


def _cut(lines: np.ndarray, sizes: np.ndarray, line_bytes: np.ndarray, limits: Limits) -> list[ChunkState]:
    """Consecutive jobs of at most `profiles_per_job` profiles and `job_bytes` bytes (sizes + commas)."""
    chunks: list[ChunkState] = []
    offsets = np.concatenate(([0], np.cumsum(line_bytes)))
    weights = np.concatenate(([0], np.cumsum(sizes + 1)))
    start, n = 0, len(lines)
    while start < n:
        by_bytes = int(np.searchsorted(weights, weights[start] + limits.job_bytes, side="right")) - 1
        end = min(start + limits.profiles_per_job, max(by_bytes, start + 1), n)
        size = int(weights[end] - weights[start])
        chunks.append(
            ChunkState(len(chunks), int(offsets[start]), end - start, size, int(lines[start]), int(lines[end - 1]))
        )
        start = end
    return chunks


def _plan(spool: Path, send: Path, losers: set[int], arrays: dict[str, np.ndarray], limits: Limits) -> list[ChunkState]:
    lines, sizes, line_bytes = arrays["lines"], arrays["sizes"], arrays["line_bytes"]
    if not losers:
        spool.replace(send)  # nothing to drop: the spool is the send file
        return _cut(lines, sizes, line_bytes, limits)
    keep = ~np.isin(lines, np.fromiter(losers, dtype=np.int64))
    with spool.open("rb") as src, send.open("wb") as out:
        for raw, kept in zip(src, keep.tolist(), strict=True):
            if kept:
                out.write(raw)
    spool.unlink()
    return _cut(lines[keep], sizes[keep], line_bytes[keep], limits)


@dataclass
class _Seen:
    """Per valid row, 8-24 bytes kept in memory: line, identity hash, profile size, spool line size."""

    lines: list[np.ndarray] = field(default_factory=list)
    hashes: list[np.ndarray] = field(default_factory=list)
    sizes: list[np.ndarray] = field(default_factory=list)
    line_bytes: list[np.ndarray] = field(default_factory=list)
    rows: int = 0
    valid: int = 0

    def joined(self, name: str, dtype: type) -> np.ndarray:
        parts = getattr(self, name)
        return np.concatenate(parts) if parts else np.array([], dtype)


def _read_all(
    path: Path, mapping: Mapping, options: ValidationOptions, limits: Limits, workdir: Path, on_rows, workers: int
) -> tuple:  # type: ignore[no-untyped-def,type-arg]
    seen = _Seen()
    with (
        CsvReader(path, chunk_rows=PREPARE_CHUNK_ROWS) as reader,
        (workdir / "spool.jsonl").open("w", encoding="utf-8") as spool_f,
        (workdir / "rejected.jsonl").open("w", encoding="utf-8") as rejected_f,
    ):
        missing = [c.column for c in mapping.active() if c.column not in reader.header.columns]
        if missing:
            raise ValueError(f"The mapping names columns this file does not have: {', '.join(missing)}.")
        files = {"spool": spool_f, "rejected": rejected_f, "sizes": seen.sizes, "line_bytes": seen.line_bytes}
        for chunk, done in _validated_chunks(reader, mapping, options, limits, workers):
            seen.rows += _spool_chunk(chunk, done, files)
            seen.lines.append(done.lines)
            seen.hashes.append(done.hashes)
            seen.valid += done.valid
            if on_rows:
                on_rows(seen.rows)
        if seen.rows == 0:
            raise CsvError("The file has a header row but no data rows: there is nothing to import.")
        dups = _duplicates(seen.joined("lines", np.int64), seen.joined("hashes", np.uint64), options.keep)
        reasons = (
            "the same person as line " + dups.astype(str) + f", which is imported instead (the {options.keep} row wins)"
        )
        rejected_f.write(_rejected_text(reasons, status="skipped_duplicate"))
    return seen, dups, reader.header


def prepare(
    path: Path,
    mapping: Mapping,
    options: ValidationOptions,
    workdir: Path,
    limits: Limits | None = None,
    on_rows: ProgressFn | None = None,
    workers: int | None = None,
) -> Prepared:
    """Pass one; `workers` processes validate chunks (None: 2 for a large file on a multi-core machine, else 1).

    The output files, counts and plan are the same whatever the number of workers.
    """
    limits = limits or Limits()
    workdir.mkdir(parents=True, exist_ok=True)
    workers = _auto_workers(path) if workers is None else workers
    seen, dups, header = _read_all(path, mapping, options, limits, workdir, on_rows, workers)
    arrays = {
        "lines": seen.joined("lines", np.int64),
        "sizes": seen.joined("sizes", np.int64),
        "line_bytes": seen.joined("line_bytes", np.int64),
    }
    chunks = _plan(workdir / "spool.jsonl", workdir / "send.jsonl", set(dups.index.tolist()), arrays, limits)
    counts = {
        "rows": seen.rows,
        "valid": seen.valid,
        "rejected": seen.rows - seen.valid,
        "skipped_duplicate": len(dups),
        "to_send": seen.valid - len(dups),
        "jobs": len(chunks),
    }
    return Prepared(counts, chunks, header.columns, header.warnings)


def read_chunk_lines(send_path: Path, chunk: ChunkState) -> tuple[list[int], list[str]]:
    """(file lines, profile JSON strings) of one planned chunk."""
    lines: list[int] = []
    profiles: list[str] = []
    with send_path.open("rb") as f:
        f.seek(chunk.offset)
        for _ in range(chunk.rows):
            line, _, profile = f.readline().decode("utf-8").rstrip("\n").partition("\t")
            lines.append(int(line))
            profiles.append(profile)
    return lines, profiles


def job_bytes(profiles: list[str], list_id: str | None) -> bytes:
    """The same body as `job_body`, as compact JSON bytes joined from the spooled profiles (nothing parsed).

    The spooled profiles are JSON objects written by `profile_json` (ASCII, escapes included), so joining
    them is exact; sending these bytes saves parsing 10,000 profiles and `requests` re-encoding them.
    """
    head = '{"data":{"type":"profile-bulk-import-job","attributes":{"profiles":{"data":['
    tail = "]}}"
    if list_id:
        tail += ',"relationships":{"lists":{"data":[' + json.dumps({"type": "list", "id": list_id}) + "]}}"
    return (head + ",".join(profiles) + tail + "}}").encode("utf-8")


def job_body(profiles: list[str], list_id: str | None) -> dict:  # type: ignore[type-arg]
    """The exact JSON:API body of one bulk import job (parsed once, in C, from the spooled profiles)."""
    data: dict = {  # type: ignore[type-arg]
        "type": "profile-bulk-import-job",
        "attributes": {"profiles": {"data": json.loads("[" + ",".join(profiles) + "]")}},
    }
    if list_id:
        data["relationships"] = {"lists": {"data": [{"type": "list", "id": list_id}]}}
    return {"data": data}
