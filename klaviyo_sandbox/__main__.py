"""`python -m klaviyo_sandbox serve --port 8765 --db PATH --key pk_test_ro:accounts:read ...`"""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import sys
from pathlib import Path

from klaviyo_sandbox.config import KeySpec, SandboxConfig, default_db_path
from klaviyo_sandbox.seed import seed_demo
from klaviyo_sandbox.server import SandboxServer


def mask(key: str) -> str:
    return f"{key[:3]}...{key[-4:]}" if len(key) > 10 else "pk_..."


ADMIN_TOKEN_ENV = "KLAVIYO_SANDBOX_ADMIN_TOKEN"


def _announce_admin(token: str, db_path: Path | None, *, chosen: bool) -> None:
    """Say the admin routes are on, with the token masked; a generated one goes to a 0600 file to read."""
    where = ""
    if not chosen and db_path is not None:
        token_file = db_path.with_name(db_path.name + ".admin-token")
        token_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(token_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(token + "\n")
        where = f" (saved in {token_file})"
    print(f"Admin routes on: send header X-Sandbox-Admin-Token: {mask(token)}{where}", flush=True)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m klaviyo_sandbox", description="Local Klaviyo-compatible API.")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the sandbox HTTP server")
    serve.add_argument("--host", default="127.0.0.1", help="bind address (default: loopback only)")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument(
        "--db", type=Path, default=None, help="database file (default: sandbox.sqlite3 in the workbench data dir)"
    )
    serve.add_argument(
        "--key", action="append", default=[], metavar="KEY[:scope,...]", help="a private key to accept (repeatable)"
    )
    serve.add_argument(
        "--public-key", default=None, metavar="SITE_ID", help="the account id (default: the database's own)"
    )
    serve.add_argument(
        "--admin", action="store_true", help="enable /__sandbox/ routes (reset, seed, faults); they need a token"
    )
    serve.add_argument(
        "--admin-token",
        default=os.environ.get(ADMIN_TOKEN_ENV) or None,
        metavar="TOKEN",
        help=f"the admin token (default: ${ADMIN_TOKEN_ENV}, else generated and saved next to the database)",
    )
    serve.add_argument("--seed-demo", action="store_true", help="fill an empty database with a demo store")
    serve.add_argument("--window-scale", type=float, default=1.0, help="shrink rate-limit windows (0.1: 6 s minute)")
    serve.add_argument("--no-rate-limits", action="store_true", help="answer every request (throughput tests)")
    serve.add_argument("--job-step", type=float, default=0.05, help="seconds a bulk job spends in each state")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    try:
        keys = tuple(KeySpec.parse(k) for k in args.key)
    except ValueError as exc:
        print(f"error: bad --key: {exc}", file=sys.stderr)
        return 2
    if not keys:
        generated = "pk_sandbox_" + secrets.token_hex(13)
        keys = (KeySpec(generated),)
        print(f"No --key given; created full-access key {mask(generated)} (pass --key to choose your own).")
    config = SandboxConfig(
        host=args.host,
        port=args.port,
        db_path=args.db or default_db_path(),
        keys=keys,
        public_key=args.public_key,
        admin=args.admin,
        admin_token=args.admin_token,
        rate_limits=not args.no_rate_limits,
        window_scale=args.window_scale,
        job_step_seconds=args.job_step,
    )
    try:
        server = SandboxServer(config)
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
        return 2
    if args.seed_demo:
        seed_demo(server.app.store)
    if server.admin_token:
        _announce_admin(server.admin_token, config.db_path, chosen=bool(args.admin_token))
    print(f"Sandbox ready on {server.url}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
