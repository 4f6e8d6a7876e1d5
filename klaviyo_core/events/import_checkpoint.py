"""What one account already accepted of one events file, so a re-run after a kill sends only the rest.

Why it is keyed by job bodies and not by the file: a job is exactly what was sent, so a job recorded as accepted
is skipped only when the re-run would send the very same bytes (same rows, metric, unique ids and backfill flag);
anything else goes again, which is harmless because Klaviyo deduplicates by unique_id. Why it is bound to the
account (DESIGN §1b): what account A accepted says nothing about account B, so B's run starts from nothing.

A checkpoint is a private file (0600) of one accepted job digest per line, appended after each accepted job (a
kill between the POST and the line only costs that job being sent again); a run that ends with every job accepted
removes it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from klaviyo_core.accounts.target import Target
from klaviyo_core.paths import data_dir, open_private

FOLDER = "event-imports"


@dataclass(frozen=True)
class ImportCheckpoint:
    path: Path

    @staticmethod
    def digest(body: dict[str, Any]) -> str:
        return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()

    @classmethod
    def for_jobs(cls, bodies: Iterable[dict[str, Any]], target: Target, home: Path | None = None) -> ImportCheckpoint:
        """The checkpoint of these jobs on this account (the same file planned again finds the same one)."""
        whole = hashlib.sha256(target.account_id.encode())
        for body in bodies:
            whole.update(cls.digest(body).encode())
        return cls((home or data_dir()) / FOLDER / f"{whole.hexdigest()[:32]}.txt")

    def accepted(self) -> set[str]:
        try:
            return {line.strip() for line in self.path.read_text(encoding="utf-8").splitlines() if line.strip()}
        except FileNotFoundError:
            return set()

    def mark(self, digest: str) -> None:
        with open_private(self.path, "a") as f:
            f.write(digest + "\n")

    def finish(self) -> None:
        self.path.unlink(missing_ok=True)
