"""Handler registry: resource modules register one function per spec operationId.

The method and path come from the spec table (klaviyo_spec), so a handler can never drift from the route
Klaviyo serves. Modules listed in `HANDLER_MODULES` are imported once by `load_handlers()`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from klaviyo_sandbox.http import Ctx, Response

Handler = Callable[[Ctx], Response]
HANDLERS: dict[str, Handler] = {}

# One line per resource module; add yours here.
HANDLER_MODULES: tuple[str, ...] = (
    "accounts",
    "lists",
    "profile_jobs",
    "profile_seed",
    "profiles",
    "subscriptions",
    "metrics",
    "events",
    "event_bulk",
    "metric_aggregates",
    "tags",
    "tag_links",
    "segments",
    "campaigns",
    "flows",
)


def route(operation_id: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[operation_id] = fn
        return fn

    return register


def load_handlers() -> dict[str, Handler]:
    for name in HANDLER_MODULES:
        importlib.import_module(f"klaviyo_sandbox.handlers.{name}")
    return HANDLERS
