"""Demo data: a believable store so every page has something real to show on first run.

Resource modules register a seeder with `@seeder`; `seed_demo` runs them in registration order (profiles and
lists before events, events before charts). Seeders must be idempotent: seeding twice adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from klaviyo_sandbox.engine.store import Store

Seeder = Callable[..., dict[str, int]]
SEEDERS: list[tuple[str, Seeder]] = []


def seeder(name: str) -> Callable[[Seeder], Seeder]:
    def register(fn: Seeder) -> Seeder:
        SEEDERS.append((name, fn))
        return fn

    return register


def seed_demo(store: Store, **options: Any) -> dict[str, dict[str, int]]:
    """Run every seeder; options (e.g. days=90, profiles=3000, seed=7) are passed to those that take them."""
    from klaviyo_sandbox.engine.routes import load_handlers

    load_handlers()  # seeders live beside their handlers
    if store.kv_get("seeded_demo"):
        return {}
    results = {name: fn(store, **options) for name, fn in SEEDERS}
    store.kv_set("seeded_demo", True)
    return results
