"""`klaviyo-workbench`: start the app like a desktop tool, from wherever it is installed.

Streamlit reads its config from the working directory, which for an installed tool is anywhere; so the config
shipped beside this module (`streamlit_config.toml`, the twin of the checkout's `.streamlit/config.toml`) is passed
as command-line flags, which win over any file. Streamlit runs in a child process so Ctrl-C stops it cleanly and the
URL is printed only once the server answers its health check.
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
import webbrowser
from pathlib import Path

HERE = Path(__file__).resolve().parent
MAIN_SCRIPT = HERE / "main.py"
CONFIG_FILE = HERE / "streamlit_config.toml"
HOST = "127.0.0.1"
START_DEADLINE_SECONDS = 60.0
STOP_GRACE_SECONDS = 10.0
POLL_SECONDS = 0.2


def config_options(config_file: Path = CONFIG_FILE) -> dict[str, str]:
    """The shipped config as `section.key -> value` (given as flags, which beat any .streamlit/ in the cwd)."""
    options: dict[str, str] = {}
    for section, values in tomllib.loads(config_file.read_text(encoding="utf-8")).items():
        for key, value in values.items():
            options[f"{section}.{key}"] = str(value).lower() if isinstance(value, bool) else str(value)
    return options


def free_port() -> int:
    """A port nobody listens on right now (the OS picks it)."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def port_is_free(port: int) -> bool:
    """True when the port can be bound on loopback (so Streamlit will not fail on it)."""
    with socket.socket() as s:
        try:
            s.bind((HOST, port))
        except OSError:
            return False
        return True


def streamlit_command(port: int) -> list[str]:
    """The child command: this interpreter's Streamlit, the packaged main script, the packaged config."""
    options = config_options()
    # The browser is opened here, once the server answers, and only without --no-browser.
    options.update({"server.port": str(port), "server.address": HOST, "server.headless": "true"})
    flags = [part for key, value in options.items() for part in (f"--{key}", value)]
    return [sys.executable, "-m", "streamlit", "run", str(MAIN_SCRIPT), *flags]


def healthy(url: str) -> bool:
    """True once Streamlit answers its health endpoint."""
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
            return int(response.status) == 200
    except (urllib.error.URLError, OSError):
        return False


def wait_until_healthy(proc: subprocess.Popen[bytes], url: str) -> bool:
    """Poll the health check until it answers, the child dies, or the deadline passes."""
    deadline = time.monotonic() + START_DEADLINE_SECONDS
    while time.monotonic() < deadline:
        if healthy(url):
            return True
        try:
            proc.wait(timeout=POLL_SECONDS)  # the pause between polls; returns early when the child died
        except subprocess.TimeoutExpired:
            continue
        return False
    return False


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Ask the child to stop, then insist (Ctrl-C already reached it when run from a terminal)."""
    if proc.poll() is None:
        proc.terminate()
    try:
        proc.wait(timeout=STOP_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="klaviyo-workbench", description="Start Klaviyo Workbench in your browser.")
    parser.add_argument("--port", type=int, default=None, help="Local port (default: a free one).")
    parser.add_argument("--no-browser", action="store_true", help="Print the URL but do not open a browser.")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Start the app, print its URL, open the browser, wait; exit 0 on Ctrl-C, 2 on a busy port, 3 if it failed."""
    args = parse_args(argv)
    if args.port is not None and not port_is_free(args.port):
        print(f"Port {args.port} is already in use. Pick another with --port, or leave --port out for a free one.")
        return 2
    port = args.port if args.port is not None else free_port()
    url = f"http://{HOST}:{port}"
    print(f"Starting Klaviyo Workbench at {url} ...", flush=True)
    proc = subprocess.Popen(streamlit_command(port))
    try:
        if not wait_until_healthy(proc, url):
            stop(proc)
            print("Klaviyo Workbench did not start (see the messages above). Try again, or another --port.")
            return 3
        print(f"Klaviyo Workbench is running at {url} (press Ctrl-C to stop).", flush=True)
        if not args.no_browser:
            webbrowser.open(url)
        proc.wait()
    except KeyboardInterrupt:
        stop(proc)
        print("Stopped.")
        return 0
    return 0 if proc.returncode == 0 else 3
