"""Handler registry: resource modules register one function per spec operationId.

The method and path come from the spec table (klaviyo_spec), so a handler can never drift from the route
Klaviyo serves. Modules listed in `HANDLER_MODULES` are imported once by `load_handlers()`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from klaviyo_sandbox.engine.http import Ctx, Response

Handler = Callable[[Ctx], Response]
HANDLERS: dict[str, Handler] = {}

# One line per feature module that registers routes or seeders; add yours here.
HANDLER_MODULES: tuple[str, ...] = (
    "klaviyo_sandbox.accounts.routes",
    "klaviyo_sandbox.lists.routes",
    "klaviyo_sandbox.profiles.import_jobs",
    "klaviyo_sandbox.profiles.seed",
    "klaviyo_sandbox.profiles.routes",
    "klaviyo_sandbox.profiles.subscriptions",
    "klaviyo_sandbox.metrics.routes",
    "klaviyo_sandbox.events.routes",
    "klaviyo_sandbox.events.bulk",
    "klaviyo_sandbox.events.demo",
    "klaviyo_sandbox.metrics.aggregates",
    "klaviyo_sandbox.tags.routes",
    "klaviyo_sandbox.tags.links",
    "klaviyo_sandbox.taggables.segments",
    "klaviyo_sandbox.taggables.campaigns",
    "klaviyo_sandbox.taggables.flows",
    "klaviyo_sandbox.campaigns.routes",
    "klaviyo_sandbox.segments.routes",
    "klaviyo_sandbox.events.related",
    "klaviyo_sandbox.flows.routes",
    "klaviyo_sandbox.consent.routes",
    "klaviyo_sandbox.templates.routes",
    "klaviyo_sandbox.catalog.routes",
    "klaviyo_sandbox.catalog.variants",
    "klaviyo_sandbox.catalog.categories",
    "klaviyo_sandbox.catalog.bulk_jobs",
    "klaviyo_sandbox.reports.routes",
    "klaviyo_sandbox.reports.demo",
    "klaviyo_sandbox.reports.flow_routes",
    "klaviyo_sandbox.reports.segment_routes",
    "klaviyo_sandbox.reports.flow_demo",
)


def route(operation_id: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[operation_id] = fn
        return fn

    return register


def load_handlers() -> dict[str, Handler]:
    for name in HANDLER_MODULES:
        importlib.import_module(name)
    return HANDLERS
