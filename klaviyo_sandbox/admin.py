"""`/__sandbox/` routes: reset, seed demo data, faults, and a request log for tests.

Off unless the server was started with --admin. No auth: the server binds to loopback.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from klaviyo_sandbox import seed
from klaviyo_sandbox.engine.errors import ApiError, invalid, not_found
from klaviyo_sandbox.engine.faults import Faults
from klaviyo_sandbox.engine.http import Request, Response

if TYPE_CHECKING:
    from klaviyo_sandbox.engine.dispatch import SandboxApp


def _body(req: Request) -> dict[str, Any]:
    if not req.body:
        return {}
    try:
        doc = json.loads(req.body)
    except ValueError as exc:
        raise invalid(f"Malformed JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise invalid("Expected a JSON object.")
    return doc


def handle(app: SandboxApp, req: Request, base_url: str) -> Response:
    route = (req.method, req.path.rstrip("/"))
    if route == ("POST", "/__sandbox/reset"):
        app.store.reset()
        app.limiter.reset()
        app.faults.clear()
        return Response(200, {"reset": True})
    if route == ("POST", "/__sandbox/seed"):
        options = _body(req)
        return Response(200, {"seeded": seed.seed_demo(app.store, **options)})
    if route == ("GET", "/__sandbox/faults"):
        return Response(200, app.faults.faults.to_json())
    if route == ("PUT", "/__sandbox/faults"):
        faults = Faults.from_json(_body(req))
        app.faults.set(faults)
        return Response(200, faults.to_json())
    if route == ("DELETE", "/__sandbox/faults"):
        app.faults.clear()
        return Response(200, app.faults.faults.to_json())
    if route == ("GET", "/__sandbox/requests"):
        with app._log_lock:
            entries = list(app.log)
        return Response(200, {"requests": entries})
    if route == ("DELETE", "/__sandbox/requests"):
        with app._log_lock:
            app.log.clear()
            app.counts.clear()
        return Response(200, {"cleared": True})
    if route == ("POST", "/__sandbox/jobs/wait"):
        timeout = float(_body(req).get("timeout", 30))
        return Response(200, {"idle": app.jobs.wait_idle(timeout)})
    if req.path.startswith("/__sandbox"):
        raise not_found(f"Unknown admin route {req.method} {req.path}.")
    raise ApiError(500, "error", "A server error occurred.", "admin.handle called for a non-admin path")
