"""The one rule for where the workbench keeps its files.

`KLAVIYO_WORKBENCH_HOME`, when set, holds everything (tests point it at tmp_path; a portable install points it
at a folder of its own). Otherwise settings go to the per-user config dir and data to the per-user data dir,
as platformdirs names them for "klaviyo-workbench". These are the locations earlier versions used, so nothing a
user already has moves:

- `config_dir()`: saved accounts (`accounts.json`; the keys themselves live in the OS keyring);
- `data_dir("profiles")`: column mappings, import checkpoints, reports and uploaded copies;
- `data_dir("event-history")`: sent test events;
- `data_dir("sandbox.sqlite3")`: the embedded sandbox's database (`klaviyo_sandbox`, which imports nothing
  from the core, applies the same rule in its own `config.default_db_path`).
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

ENV_HOME = "KLAVIYO_WORKBENCH_HOME"
APP_NAME = "klaviyo-workbench"


def _override() -> Path | None:
    value = os.environ.get(ENV_HOME)
    return Path(value) if value else None


def config_dir() -> Path:
    """Where settings live (saved accounts)."""
    return _override() or Path(platformdirs.user_config_dir(APP_NAME))


def data_dir(*parts: str) -> Path:
    """Where data lives, or a path inside it."""
    return (_override() or Path(platformdirs.user_data_dir(APP_NAME))).joinpath(*parts)
