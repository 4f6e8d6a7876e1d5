"""Jobs cut while rows arrive are exactly the jobs of one greedy pass over all rows."""

from __future__ import annotations

import io
import random

import numpy as np
import pytest

from klaviyo_core.profiles.checkpoint import ChunkState
from klaviyo_core.profiles.jobs import JobCutter, Limits


def greedy(sizes: list[int], limits: Limits) -> list[tuple[int, int]]:
    """Reference: (first index, row count) of each job, filling every job as far as it goes."""
    jobs, start = [], 0
    while start < len(sizes):
        end, used = start, 0
        while end < len(sizes) and end - start < limits.profiles_per_job:
            if end > start and used + sizes[end] + 1 > limits.job_bytes:
                break
            used += sizes[end] + 1
            end += 1
        jobs.append((start, end - start))
        start = end
    return jobs


@pytest.mark.parametrize("seed", range(30))
def test_cuts_do_not_depend_on_how_rows_arrive(seed: int) -> None:
    rnd = random.Random(seed)
    limits = Limits(profiles_per_job=rnd.choice([1, 3, 7, 50]), job_bytes=rnd.choice([60, 200, 1_000, 10_000]))
    sizes = [rnd.randint(10, 55) for _ in range(rnd.randint(0, 300))]
    profiles = ["{" + "x" * (n - 2) + "}" for n in sizes]
    seen: list[tuple[ChunkState, list[str]]] = []
    send, lines_out = io.BytesIO(), io.BytesIO()
    cutter = JobCutter(limits, send, lines_out, lambda c, p: seen.append((c, p)))
    at = 0
    while at < len(sizes):  # arrive in random batches, empty ones included
        n = rnd.randint(0, 40)
        batch = range(at, min(at + n, len(sizes)))
        cutter.add(
            np.array([i + 2 for i in batch], dtype=np.int64), profiles[at : at + n], np.array(sizes[at : at + n])
        )
        at += n
    cutter.finish()
    expected = greedy(sizes, limits)
    assert [(c.first_line - 2, c.rows) for c, _ in seen] == expected
    assert [c.index for c, _ in seen] == list(range(len(expected)))
    assert all(c.size <= limits.job_bytes or c.rows == 1 for c, _ in seen)
    data = send.getvalue()
    for chunk, job_profiles in seen:  # each job's offset points at its own rows in send.jsonl
        first = data[chunk.offset :].split(b"\n", 1)[0].decode()
        assert first == f"{chunk.first_line}\t{job_profiles[0]}"
    assert np.frombuffer(lines_out.getvalue(), dtype=np.int64).tolist() == [i + 2 for i in range(len(sizes))]
