"""Read 0 of an import: parse the CSV once, find the people who appear more than once, keep the rows.

Why: jobs can only go out while the file is still being validated if we already know which rows have a
duplicate further down ("last wins" needs the end of the file). So the file is parsed once up front, chunk
by chunk; each chunk's identities (identity.py) are hashed (8 bytes a row) and its parsed cells are spooled
to disk as an Arrow file, which read 1 (validation) loads back without parsing again, already in pandas'
Arrow-backed string dtype that the vectorised checks run on. Spooling costs a copy of the file on disk for
the duration of the import; each chunk file is deleted once validated.

Chunks are parsed where they are scanned: in a worker process for large files (workers.py), so the
importing process itself does little but hand out work.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.feather as feather

from klaviyo_core.csvfile.blocks import RawBlock, blocks_supported, iter_raw_blocks, parse_block
from klaviyo_core.csvfile.fast import parse_plain_block
from klaviyo_core.csvfile.reader import CsvReader
from klaviyo_core.csvfile.sniff import Chunk, CsvError, CsvFormat, RaggedRow
from klaviyo_core.paths import private_dir, private_file
from klaviyo_core.profiles.identity import identity_hashes
from klaviyo_core.profiles.mapping import Mapping
from klaviyo_core.profiles.validate import ValidationOptions
from klaviyo_core.profiles.workers import map_in_order

SCAN_CHUNK_ROWS = 20_000  # rows parsed, hashed and validated at a time: bounds memory whatever the file size


@dataclass
class ScannedChunk:
    """One chunk after read 0: where its rows wait for validation, and what the reader refused in it."""

    index: int
    spool: Path
    rows: int  # well-formed rows (in the spool)
    ragged: list[RaggedRow] = field(default_factory=list)
    empty_lines: list[int] = field(default_factory=list)
    id_lines: np.ndarray = field(default_factory=lambda: np.array([], dtype=np.int64))  # rows with an identity
    id_hashes: np.ndarray = field(default_factory=lambda: np.array([], dtype=np.uint64))  # ... and its hash

    def repeated_lines(self, repeated: np.ndarray) -> np.ndarray:
        """Lines of this chunk whose identity occurs more than once in the file (sorted)."""
        return self.id_lines[np.isin(self.id_hashes, repeated)] if len(repeated) else self.id_lines[:0]

    def hashes_of(self, lines: np.ndarray) -> np.ndarray:
        """The identity hashes of some of this chunk's identified lines (read 1 does not hash again)."""
        return self.id_hashes[np.searchsorted(self.id_lines, lines)]

    @property
    def counted(self) -> int:
        return self.rows + len(self.ragged) + len(self.empty_lines)


@dataclass
class Scan:
    repeated: np.ndarray  # sorted identity hashes that occur more than once
    chunks: list[ScannedChunk]
    rows: int  # data rows of the file, refused ones included


def spool_frame(frame: pd.DataFrame, path: Path) -> None:
    """Write a chunk's cells (strings, indexed by file line) as an uncompressed Arrow file."""
    table = pa.Table.from_pandas(frame, preserve_index=True, nthreads=1)  # threads only cost here
    feather.write_feather(table, str(path), compression="uncompressed")
    private_file(path)  # customer data; its folder is already 0700


def load_frame(path: Path) -> pd.DataFrame:
    """The chunk's cells as written by `spool_frame`, index named "row" as the reader makes it."""
    frame = feather.read_table(str(path)).to_pandas()
    frame.index.name = "row"
    return frame


def _parsed(item: Chunk | RawBlock, fmt: CsvFormat, columns: list[str]) -> Chunk:
    if isinstance(item, Chunk):
        return item
    fast = parse_plain_block(item.data, item.first_line, fmt.encoding, fmt.delimiter, columns)
    return fast if fast is not None else parse_block(item, fmt, columns)


def scan_chunk(
    item: Chunk | RawBlock,
    index: int,
    spool_dir: Path,
    mapping: Mapping,
    options: ValidationOptions,
    fmt: CsvFormat,
    columns: list[str],
) -> ScannedChunk:
    """Parse one block (if it is not parsed yet), hash its identities and spool its rows; a module-level
    function, so a worker process can run it."""
    chunk = _parsed(item, fmt, columns)
    frame = chunk.frame
    path = spool_dir / f"chunk-{index:06d}.arrow"
    spool_frame(frame, path)
    scanned = ScannedChunk(index, path, len(frame), chunk.ragged, chunk.empty_lines)
    if len(frame):
        scanned.id_lines, scanned.id_hashes = identity_hashes(frame, mapping, options)
    return scanned


def _items(path: Path) -> Iterator[tuple[Chunk | RawBlock, CsvFormat, list[str]]]:
    """Raw blocks cut at record boundaries (parsed where they are scanned), or parsed chunks for the
    encodings and line endings that cannot be cut as bytes (UTF-16, CR-only)."""
    with CsvReader(path, chunk_rows=SCAN_CHUNK_ROWS) as reader:
        fmt, columns = reader.format, list(reader.header.columns)
        if blocks_supported(fmt, path):
            for block in iter_raw_blocks(path, fmt, reader.body_line, target_rows=SCAN_CHUNK_ROWS):
                yield block, fmt, columns
            return
        for chunk in reader:
            yield chunk, fmt, columns


def scan(
    path: Path,
    mapping: Mapping,
    options: ValidationOptions,
    spool_dir: Path,
    workers: int,
    on_rows: Callable[[int], None] | None = None,
) -> Scan:
    """Read 0 over the whole file. A file that cannot be read (a quote never closed, an oversized cell, no
    data rows) is refused here, before anything is sent."""
    private_dir(spool_dir)
    chunks: list[ScannedChunk] = []
    rows = 0
    args = (spool_dir, mapping, options)
    jobs = ((item, i, *args, fmt, columns) for i, (item, fmt, columns) in enumerate(_items(path)))
    for scanned in map_in_order(scan_chunk, jobs, workers):
        chunks.append(scanned)
        rows += scanned.counted
        if on_rows:
            on_rows(rows)
    if rows == 0:
        raise CsvError("The file has a header row but no data rows: there is nothing to import.")
    every = np.sort(np.concatenate([c.id_hashes for c in chunks]))
    repeated = np.unique(every[1:][every[1:] == every[:-1]])
    return Scan(repeated, chunks, rows)
