"""The one rule for where the workbench keeps its files.

`KLAVIYO_WORKBENCH_HOME`, when set, holds everything (tests point it at tmp_path; a portable install points it
at a folder of its own). Otherwise settings go to the per-user config dir and data to the per-user data dir,
as platformdirs names them for "klaviyo-workbench". These are the locations earlier versions used, so nothing a
user already has moves:

- `config_dir()`: saved accounts (`accounts.json`; the keys themselves live in the OS keyring);
- `data_dir("profiles")`: column mappings, import checkpoints, reports and uploaded copies;
- `data_dir("event-history")`: sent test events;
- `data_dir("sandbox.sqlite3")`: the embedded sandbox's database (`klaviyo_sandbox`, which imports nothing
  from the core, applies the same rule in its own `config.default_db_path`);
- `data_dir(SANDBOX_KEY_FILE)`: the embedded sandbox's stable key, which the CLI's `--sandbox-url` reads too.

Everything there is customer data or settings: files are 0600 in 0700 folders (`private_dir`, `open_private`,
`private_file`), and what earlier versions wrote is tightened once at start (`tighten_existing`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Any

import platformdirs

ENV_HOME = "KLAVIYO_WORKBENCH_HOME"
APP_NAME = "klaviyo-workbench"
SANDBOX_KEY_FILE = "sandbox.key"


def _override() -> Path | None:
    value = os.environ.get(ENV_HOME)
    return Path(value) if value else None


def config_dir() -> Path:
    """Where settings live (saved accounts)."""
    return _override() or Path(platformdirs.user_config_dir(APP_NAME))


def data_dir(*parts: str) -> Path:
    """Where data lives, or a path inside it."""
    return (_override() or Path(platformdirs.user_data_dir(APP_NAME))).joinpath(*parts)


# Customer data on disk (DESIGN §1b "Nothing leaks"): every file the workbench writes is 0600 in a 0700
# folder, whatever the umask. Files written by pyarrow or pandas are tightened right after they are written
# (`private_file`); their folder is already 0700, so nobody else could open them in between.
PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
_TIGHTENED = ".private-v1"  # in the data dir: files of earlier versions were tightened once


def private_dir(path: Path) -> Path:
    """Create `path` and its missing parents as 0700 folders. Folders that already exist are left alone: a
    user's own folder (an `--out` file's) is not ours to change; the data dir's were tightened at start."""
    path = Path(path)
    created = [p for p in (path, *path.parents) if not p.exists()]
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    for folder in created:
        _chmod(folder, PRIVATE_DIR)  # mkdir's mode applies to the last folder only, and through the umask
    return path


def private_file(path: Path) -> Path:
    """Tighten a file some other library wrote (pyarrow, sqlite) to 0600."""
    _chmod(Path(path), PRIVATE_FILE)
    return Path(path)


def _opener(path: str, flags: int) -> int:
    fd = os.open(path, flags, PRIVATE_FILE)
    os.fchmod(fd, PRIVATE_FILE)  # an existing file keeps its old mode on open: tighten it too
    return fd


def open_private(path: Path, mode: str = "w", **kwargs: Any) -> IO[Any]:
    """`open()` for customer data: the folder 0700, the file 0600 (created or not)."""
    private_dir(Path(path).parent)
    return open(path, mode, opener=_opener, **kwargs)


def _chmod(path: Path, mode: int) -> None:
    try:
        if not path.is_symlink():
            os.chmod(path, mode)
    except OSError:  # not ours (a shared parent folder): leave it
        pass


def tighten_existing() -> int:
    """Tighten the files earlier versions wrote (0644 in 0755 folders) once: called when the app or the CLI
    starts; a marker in the data dir makes later starts free. Returns how many paths were tightened."""
    data = data_dir()
    roots = [root for root in dict.fromkeys((config_dir(), data)) if root.is_dir()]
    if (data / _TIGHTENED).exists() or not roots:
        return 0  # done before, or a first start: nothing written yet, and no marker written for nothing
    changed = sum(_tighten_tree(root) for root in roots)
    private_dir(data)
    with open_private(data / _TIGHTENED, "w", encoding="utf-8") as f:
        f.write("files written before this marker were tightened to 0600 in 0700 folders\n")
    return changed


def _tighten_tree(root: Path) -> int:
    changed = 0
    for folder, dirs, files in os.walk(root):
        for path, mode in [(Path(folder), PRIVATE_DIR), *((Path(folder) / name, PRIVATE_FILE) for name in files)]:
            if not path.is_symlink() and path.stat().st_mode & 0o777 != mode:
                _chmod(path, mode)
                changed += 1
        dirs[:] = [d for d in dirs if not (Path(folder) / d).is_symlink()]
    return changed


def write_private_text(path: Path, text: str, encoding: str = "utf-8") -> Path:
    """Write a whole text file as customer data (0600; an export, a report, a preview), bytes as given."""
    with open_private(path, "w", encoding=encoding, newline="") as f:
        f.write(text)
    return Path(path)
