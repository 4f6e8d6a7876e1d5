"""The desktop package (issue 21): a wheel that installs anywhere and starts from its two entry points.

The install test builds the wheel from a copy of the sources (so no build/ or egg-info lands in the checkout),
installs it --no-deps --no-index into a fresh venv that borrows the project venv's packages through a .pth file,
and runs both commands from a directory that is not the checkout.
"""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
import tomllib
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SOURCES = ["pyproject.toml", "README.md", "klaviyo_core", "klaviyo_sandbox", "klaviyo_spec", "klaviyo_app"]


def pins() -> dict[NormalizedName, Version]:
    """name -> pinned version from requirements.txt."""
    found: dict[NormalizedName, Version] = {}
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        text = line.split("#", 1)[0].strip()
        if text:
            req = Requirement(text)
            found[canonicalize_name(req.name)] = Version(next(iter(req.specifier)).version)
    return found


def test_every_pin_is_a_dependency_and_satisfies_its_range() -> None:
    ranges = {canonicalize_name(r.name): r.specifier for r in map(Requirement, PYPROJECT["project"]["dependencies"])}
    assert set(ranges) == set(pins())
    outside = {name: str(v) for name, v in pins().items() if v not in ranges[name]}
    assert not outside, f"pins outside pyproject's ranges: {outside}"


def test_the_shipped_streamlit_config_is_the_checkouts() -> None:
    shipped = (ROOT / "klaviyo_app" / "streamlit_config.toml").read_text(encoding="utf-8")
    assert shipped == (ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8")


def wait_until(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)  # poll interval, not a wait for an outcome: the deadline decides
    raise AssertionError(f"timed out waiting for {what}")


def build_wheel(tmp: Path) -> Path:
    """Build from a copy of the sources; offline with the venv's setuptools when it builds wheels itself."""
    src = tmp / "src"
    src.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(ROOT / name, src / name)
    if Version(importlib.metadata.version("setuptools")) < Version("70.1"):  # tests never reach the network
        pytest.skip("the venv's setuptools cannot build a wheel offline; `make test` installs the pinned one")
    cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-index", "--no-build-isolation", "-q"]
    cmd += ["-w", str(tmp / "dist"), str(src)]
    subprocess.run(cmd, check=True, cwd=tmp, timeout=240)
    (wheel,) = (tmp / "dist").glob("klaviyo_workbench-*.whl")
    return wheel


def venv_borrowing_project_packages(where: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True, timeout=120)
    python = where / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], check=True, capture_output=True
    )
    site = Path(purelib.stdout.decode().strip())
    (site / "borrow_project_venv.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    return python


@pytest.mark.slow
def test_wheel_installs_offline_and_both_entry_points_run_from_elsewhere(tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path)
    venv = tmp_path / "venv"
    python = venv_borrowing_project_packages(venv)
    install = [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "-q"]
    subprocess.run([*install, str(wheel)], check=True, timeout=240)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["KLAVIYO_WORKBENCH_HOME"] = str(tmp_path / "home")

    where = subprocess.run(
        [python, "-c", "import klaviyo_app, pathlib; print(pathlib.Path(klaviyo_app.__file__).parent)"],
        check=True, capture_output=True, text=True, cwd=elsewhere, env=env,
    )  # fmt: skip
    installed = Path(where.stdout.strip())
    assert installed.is_relative_to(venv), installed
    assert (installed / "streamlit_config.toml").is_file()
    assert {p.name for p in (installed / "app_pages").glob("*.py")} == {
        p.name for p in (ROOT / "klaviyo_app" / "app_pages").glob("*.py")
    }

    cli = subprocess.run([venv / "bin" / "klaviyo", "--help"], capture_output=True, text=True, cwd=elsewhere, env=env)
    assert cli.returncode == 0, cli.stderr
    assert "profiles" in cli.stdout

    port = int(subprocess.run([python, "-c", "from klaviyo_app.launcher import free_port; print(free_port())"],
                              check=True, capture_output=True, text=True, env=env).stdout)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    log = (tmp_path / "workbench.log").open("w+")
    app = subprocess.Popen(
        [venv / "bin" / "klaviyo-workbench", "--no-browser", "--port", str(port)],
        cwd=elsewhere, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        wait_until(lambda: f"running at {url}" in (tmp_path / "workbench.log").read_text(), 90, "the URL")
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=5) as health:
            assert health.status == 200
        app.send_signal(signal.SIGINT)  # Ctrl-C
        assert app.wait(timeout=30) == 0
    finally:
        if app.poll() is None:
            app.kill()
            app.wait()
        log.close()
    output = (tmp_path / "workbench.log").read_text()
    assert "Stopped." in output, output


def test_a_busy_port_is_refused_with_a_clear_message(capsys: pytest.CaptureFixture[str]) -> None:
    from klaviyo_app.launcher import HOST, main

    with socket.socket() as busy:
        busy.bind((HOST, 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["--port", str(port), "--no-browser"]) == 2
    out = capsys.readouterr().out
    assert f"Port {port} is already in use" in out
    assert "--port" in out
