"""Cutting the rows to send into bulk import jobs, while they are still arriving.

Why incremental: the importer sends each job as soon as it is full, while the rest of the file is still
being validated. The cuts must still be exactly those of one greedy pass over the finished list (by profile
count and bytes), so a resumed import, which reads the file again, cuts the very same jobs.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from klaviyo_core.profiles.checkpoint import ChunkState

ROWS_AT_A_TIME = 20_000

JobFn = Callable[[ChunkState, list[str]], None]  # a job as soon as it is cut: its plan and its profiles


@dataclass(frozen=True)
class Limits:
    profiles_per_job: int = 10_000
    job_bytes: int = 4_000_000  # compact JSON; the wire adds separators and the envelope, the cap is 5 MB
    profile_bytes: int = 90_000  # Klaviyo's cap is 100 KB per profile; leave room for the wire format


def spool_text(lines: list[int], profiles: list[str]) -> str:
    """Rows as send.jsonl (and held.jsonl) hold them: "<file line>\t<profile JSON>" a line."""
    return "".join([f"{line}\t{profile}\n" for line, profile in zip(lines, profiles, strict=True)])


class JobCutter:
    """Cuts the rows to send into jobs as they arrive, exactly as one greedy pass over all of them would.

    A job is closed only once it is provably full (its profile count is reached, or the next row would
    not fit its bytes), or at the end; so the cuts do not depend on how the rows arrived in chunks.
    """

    def __init__(self, limits: Limits, send: IO[bytes], send_lines: IO[bytes], on_job: JobFn | None) -> None:
        self.limits, self.send, self.send_lines, self.on_job = limits, send, send_lines, on_job
        self.lines: list[int] = []
        self.profiles: list[str] = []
        self.sizes: list[int] = []
        self.chunks: list[ChunkState] = []
        self.offset = 0

    def add(self, lines: np.ndarray, profiles: list[str], sizes: np.ndarray) -> None:
        self.lines += lines.tolist()
        self.profiles += profiles
        self.sizes += sizes.tolist()
        self._cut(final=False)

    def finish(self) -> None:
        self._cut(final=True)

    def _cut(self, final: bool) -> None:
        n = len(self.lines)
        if not n:
            return
        weights = np.concatenate(([0], np.cumsum(np.asarray(self.sizes, dtype=np.int64) + 1)))  # + commas
        start = 0
        while start < n:
            by_bytes = int(np.searchsorted(weights, weights[start] + self.limits.job_bytes, side="right")) - 1
            end = min(start + self.limits.profiles_per_job, max(by_bytes, start + 1), n)
            if not final and end == n and by_bytes >= n and end - start < self.limits.profiles_per_job:
                break  # the next rows may still fit in this job
            self._emit(start, end, int(weights[end] - weights[start]))
            start = end
        del self.lines[:start], self.profiles[:start], self.sizes[:start]

    def _emit(self, start: int, end: int, size: int) -> None:
        lines, profiles = self.lines[start:end], self.profiles[start:end]
        text = spool_text(lines, profiles).encode()
        self.send.write(text)
        self.send_lines.write(np.asarray(lines, dtype=np.int64).tobytes())
        chunk = ChunkState(len(self.chunks), self.offset, end - start, size, lines[0], lines[-1])
        self.offset += len(text)
        self.chunks.append(chunk)
        if self.on_job:
            self.send.flush()
            self.send_lines.flush()
            self.on_job(chunk, profiles)


@dataclass
class HeldRows:
    """Valid rows whose identity repeats in the file, spooled until the end decides which of them wins."""

    path: Path
    lines: list[np.ndarray] = field(default_factory=list)
    hashes: list[np.ndarray] = field(default_factory=list)
    count: int = 0

    def add(self, spool: IO[str], lines: np.ndarray, hashes: np.ndarray, profiles: list[str]) -> None:
        spool.write(spool_text(lines.tolist(), profiles))
        self.lines.append(lines)
        self.hashes.append(hashes)
        self.count += len(lines)

    def duplicates(self, keep: str) -> pd.Series:
        """Losing line -> winning line, among the held rows (every duplicate of the file is held)."""
        if not self.count:
            return pd.Series([], dtype="int64")
        frame = pd.DataFrame({"line": np.concatenate(self.lines), "hash": np.concatenate(self.hashes)})
        lose = frame["hash"].duplicated(keep=keep)
        winners = frame[~lose].set_index("hash")["line"]
        losers = frame[lose]
        return pd.Series(winners.loc[losers["hash"]].to_numpy(), index=losers["line"].to_numpy())

    def winners(self, losers: pd.Index) -> Iterator[tuple[np.ndarray, list[str], np.ndarray]]:
        """The winning held rows in file order, a chunk at a time: (lines, profiles, sizes)."""
        lost = set(losers.tolist())
        lines: list[int] = []
        profiles: list[str] = []
        with self.path.open(encoding="utf-8") as spool:
            for text in spool:
                line, _, profile = text.rstrip("\n").partition("\t")
                if int(line) in lost:
                    continue
                lines.append(int(line))
                profiles.append(profile)
                if len(lines) >= ROWS_AT_A_TIME:
                    yield _batch(lines, profiles)
                    lines, profiles = [], []
        if lines:
            yield _batch(lines, profiles)


def _batch(lines: list[int], profiles: list[str]) -> tuple[np.ndarray, list[str], np.ndarray]:
    sizes = np.fromiter(map(len, profiles), dtype=np.int64, count=len(profiles))
    return np.asarray(lines, dtype=np.int64), profiles, sizes


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
