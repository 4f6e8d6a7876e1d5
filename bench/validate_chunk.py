"""CPU seconds per 100,000 rows of the import's validation steps; prints figures, asserts nothing.

    python bench/validate_chunk.py              # 100,000 rows of bench/import_profiles.py's file
    python bench/validate_chunk.py --rows 20000 --repeat 5

Frames are made the way the importer makes them: chunks of 20,000 rows from the CSV reader (object dtype, what
read 0 hashes) spooled and loaded back (Arrow-backed `str`, what read 1 validates). Each step runs `--repeat`
times over all chunks; the best run is printed (process CPU time, so other load on the machine counts less).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import pandas as pd
from import_profiles import generate

from klaviyo_core.csvfile.reader import CsvReader, preview
from klaviyo_core.profiles.identity import identity_hashes
from klaviyo_core.profiles.jobs import Limits
from klaviyo_core.profiles.mapping import suggest_mapping
from klaviyo_core.profiles.prepare import _validate
from klaviyo_core.profiles.scan import SCAN_CHUNK_ROWS, load_frame, spool_frame
from klaviyo_core.profiles.validate import ValidationOptions, profile_json, validate_chunk


def best_cpu(step: Callable[[pd.DataFrame], object], frames: list[pd.DataFrame], repeat: int) -> float:
    """Fewest CPU seconds one pass of `step` over all frames took."""
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        for frame in frames:
            step(frame)
        best = min(best, time.process_time() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-validate-") as tmp:
        csv = Path(tmp) / "profiles.csv"
        generate(csv, args.rows)
        _format, header, sample = preview(csv, rows=200)
        mapping = suggest_mapping(header.columns, sample)
        with CsvReader(csv, chunk_rows=SCAN_CHUNK_ROWS) as reader:
            read = [chunk.frame for chunk in reader]
        loaded = []
        for i, frame in enumerate(read):
            spool_frame(frame, Path(tmp) / f"chunk-{i}.arrow")
            loaded.append(load_frame(Path(tmp) / f"chunk-{i}.arrow"))
    options, limits = ValidationOptions(), Limits()

    def chunk_and_profiles(frame: pd.DataFrame) -> None:
        result = validate_chunk(frame, mapping, options)
        profile_json(result.values, result.valid_index)

    steps: dict[str, tuple[Callable[[pd.DataFrame], object], list[pd.DataFrame]]] = {
        "identity_hashes (read 0, object frames)": (lambda f: identity_hashes(f, mapping, options), read),
        "identity_hashes (Arrow frames)": (lambda f: identity_hashes(f, mapping, options), loaded),
        "validate_chunk": (lambda f: validate_chunk(f, mapping, options), loaded),
        "validate_chunk + profile_json": (chunk_and_profiles, loaded),
        "_validate (read 1, all of it)": (lambda f: _validate(f, mapping, options, limits), loaded),
    }
    scale = 100_000 / args.rows
    print(f"{args.rows:,} rows in {len(loaded)} chunks; CPU seconds per 100,000 rows (best of {args.repeat}):")
    for name, (step, frames) in steps.items():
        print(f"  {name:42s} {best_cpu(step, frames, args.repeat) * scale:6.3f}")


if __name__ == "__main__":
    main()
