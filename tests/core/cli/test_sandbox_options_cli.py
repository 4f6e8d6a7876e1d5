"""The CLI reaches the same data as the app (issue 18 item 4): `--sandbox` seeds the app's demo data unless
`--empty`, and `--sandbox-url URL` talks to the app's own running sandbox with the key it keeps on disk."""

from __future__ import annotations

from collections.abc import Callable

from typer.testing import CliRunner

from klaviyo_core.cli import app
from klaviyo_core.paths import SANDBOX_KEY_FILE, data_dir, write_private_text
from klaviyo_sandbox import KeySpec, SandboxServer
from klaviyo_sandbox.seed import seed_demo

runner = CliRunner()
APP_KEY = "pk_sandbox_0123456789abcdef01234567"


def test_sandbox_has_the_demo_data_unless_empty() -> None:
    seeded = runner.invoke(app, ["--sandbox", "lists"])
    assert seeded.exit_code == 0, seeded.output
    assert len([line for line in seeded.output.splitlines() if "\t" in line]) >= 3
    empty = runner.invoke(app, ["--sandbox", "--empty", "lists"])
    assert empty.exit_code == 0 and "no lists yet" in empty.output


def test_sandbox_url_uses_the_apps_key_file(sandbox_factory: Callable[..., SandboxServer]) -> None:
    server = sandbox_factory(keys=(KeySpec(APP_KEY),))
    seed_demo(server.app.store, profiles=30)
    missing = runner.invoke(app, ["--sandbox-url", server.url, "lists"])
    assert missing.exit_code == 2 and "start the app once" in missing.output
    write_private_text(data_dir() / SANDBOX_KEY_FILE, APP_KEY + "\n")
    listed = runner.invoke(app, ["--sandbox-url", server.url, "lists", "--segments"])
    assert listed.exit_code == 0 and "VIP customers" in listed.output, listed.output
    made = runner.invoke(app, ["--sandbox-url", server.url, "lists", "create", "From the terminal"])
    assert made.exit_code == 0, made.output  # the app's sandbox is not LIVE: no --confirm-account
    off = runner.invoke(app, ["--sandbox-url", "https://a.klaviyo.com", "lists"])
    assert off.exit_code == 2 and "local sandbox" in off.output
