"""How long "Test" takes on the Keys page: one key check (GET /api/accounts + every capability probe)
against a local sandbox, and the settings-file operations. Prints figures; asserts nothing.

Run: python bench/key_check.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import keyring

from klaviyo_core.accounts.probe import CAPABILITIES, check_key
from klaviyo_core.accounts.store import AccountStore
from klaviyo_core.http.client import KlaviyoClient
from klaviyo_core.http.config import ClientConfig
from klaviyo_sandbox import KeySpec, SandboxConfig, SandboxServer
from tests.memory_keyring import MemoryKeyring

KEY = "pk_test_bench_key_check_00000000000001"
ROUNDS = 5


def _one_check(server: SandboxServer, pace: bool) -> tuple[float, int]:
    client = KlaviyoClient(ClientConfig(api_key=KEY, base_url=server.url, pace=pace))
    started = time.perf_counter()
    report = check_key(client)
    elapsed = (time.perf_counter() - started) * 1000
    client.close()
    assert report.ok
    return elapsed, client.stats.requests


def bench_check() -> None:
    server = SandboxServer(SandboxConfig(keys=(KeySpec(KEY),), rate_limits=False)).start()
    try:
        runs = [_one_check(server, pace=False) for _ in range(ROUNDS)]
    finally:
        server.stop()
    timings = [t for t, _ in runs]
    print(f"key check: {len(CAPABILITIES)} capabilities, {runs[0][1]} requests per check")
    print(
        f"key check, sandbox without rate limits: median {statistics.median(timings):.1f} ms, max {max(timings):.1f} ms"
    )
    server = SandboxServer(SandboxConfig(keys=(KeySpec(KEY),), rate_limits=True)).start()
    try:
        first, _ = _one_check(server, pace=True)
        second, requests = _one_check(server, pace=True)
    finally:
        server.stop()
    print(
        f"key check, sandbox with Klaviyo's rate limits and client pacing: first {first:.1f} ms, "
        f"an immediate second Test {second:.1f} ms ({requests} requests; GET /api/accounts allows 1/s)"
    )


def bench_store() -> None:
    with tempfile.TemporaryDirectory() as home:
        os.environ["KLAVIYO_WORKBENCH_HOME"] = home
        keyring.set_keyring(MemoryKeyring())
        store = AccountStore()
        started = time.perf_counter()
        for i in range(50):
            store.add(f"Shop {i:02d}", f"pk_test_bench_store_{i:02d}_000000000000000")
        add_ms = (time.perf_counter() - started) * 1000 / 50
        started = time.perf_counter()
        for _ in range(50):
            store.saved()
        list_ms = (time.perf_counter() - started) * 1000 / 50
        size = (Path(home) / "accounts.json").stat().st_size
    print(f"settings store with 50 accounts: add {add_ms:.2f} ms each, list {list_ms:.2f} ms, file {size} bytes")


def main() -> None:
    bench_check()
    bench_store()


if __name__ == "__main__":
    main()
