"""`/__sandbox/` routes: reset, seed demo data, faults, and a request log for tests.

Off unless the server was started with --admin. Even then every admin call needs the admin token in the
`X-Sandbox-Admin-Token` header (a custom header: a cross-site "simple" request cannot carry it) and must come
with a loopback Host and, when a browser sends one, a loopback Origin (no DNS rebinding, no foreign page).
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from klaviyo_sandbox import seed
from klaviyo_sandbox.config import SandboxConfig
from klaviyo_sandbox.engine.errors import ApiError, invalid, not_found
from klaviyo_sandbox.engine.faults import Faults
from klaviyo_sandbox.engine.http import Request, Response, loads_strict

if TYPE_CHECKING:
    from klaviyo_sandbox.engine.dispatch import SandboxApp


TOKEN_HEADER = "X-Sandbox-Admin-Token"


def make_token(config: SandboxConfig) -> str | None:
    """The token admin calls must carry: the configured one, or a fresh random one (None with admin off)."""
    if not config.admin:
        return None
    return config.admin_token or secrets.token_urlsafe(24)


def _is_loopback(host: str) -> bool:
    host = host.lower().strip("[]")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _host_name(value: str) -> str:
    """'127.0.0.1:8765' -> '127.0.0.1'; '[::1]:8765' -> '::1'."""
    return urlsplit(f"//{value}").hostname or ""


def _refused(detail: str) -> ApiError:
    return ApiError(403, "permission_denied", "You do not have permission to perform this action.", detail)


def authorize(req: Request, token: str | None) -> None:
    """Refuse an admin call without the token, or with a Host/Origin that is not this machine."""
    host = req.header("host") or ""
    if not host or not _is_loopback(_host_name(host)):
        raise _refused("Admin routes answer only to a loopback Host (127.0.0.1, localhost, ::1).")
    origin = req.header("origin")
    if origin is not None and not _is_loopback(urlsplit(origin).hostname or ""):
        raise _refused("Admin routes refuse requests sent by a web page from another site (Origin).")
    given = req.header(TOKEN_HEADER) or ""
    if not token or not hmac.compare_digest(given.encode(), token.encode()):
        raise _refused(f"Admin routes need the admin token in the {TOKEN_HEADER} header.")


def _body(req: Request) -> dict[str, Any]:
    if not req.body:
        return {}
    doc = loads_strict(req.body)
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
