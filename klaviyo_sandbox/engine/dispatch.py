"""The request pipeline, in Klaviyo's order: route, authenticate, revision, scopes, rate limit, media type,
then the handler. Every failure becomes a JSON:API error here and nowhere else."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

from klaviyo_sandbox import admin
from klaviyo_sandbox.config import KeySpec, SandboxConfig
from klaviyo_sandbox.engine import timeutil
from klaviyo_sandbox.engine.errors import (
    ApiError,
    authentication_failed,
    error_body,
    invalid,
    not_authenticated,
    not_found,
    permission_denied,
    throttled,
)
from klaviyo_sandbox.engine.faults import DROP, FaultInjector
from klaviyo_sandbox.engine.http import JSONAPI, Ctx, Request, Response
from klaviyo_sandbox.engine.jobs import JobRunner
from klaviyo_sandbox.engine.ratelimit import FixedWindowLimiter
from klaviyo_sandbox.engine.routes import load_handlers
from klaviyo_sandbox.engine.store import Store
from klaviyo_spec import SPEC_REVISION, Operation, limited_operation, match_operation, path_exists

log = logging.getLogger(__name__)
_REVISION = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(\.[a-z0-9]+)?$")
_BODY_METHODS = {"POST", "PATCH", "PUT"}
ACCEPTED_MEDIA = {JSONAPI, "application/json"}  # EMULATOR CHOICE (facts §3): accept both
MODELLED_REVISION = date.fromisoformat(SPEC_REVISION)  # the newest revision whose shapes the sandbox answers


class SandboxApp:
    def __init__(self, config: SandboxConfig) -> None:
        self.admin_token = admin.make_token(config)
        self.handlers = load_handlers()
        self.store = Store(config.db_path)
        if config.public_key is None:  # each database is its own account, with an id of its own
            config = replace(config, public_key=self.store.account_id())
        self.config = config
        self.limiter = FixedWindowLimiter(config.window_scale)
        self.faults = FaultInjector()
        self.jobs = JobRunner(self.store, config.job_step_seconds)
        self.log: deque[dict[str, Any]] = deque(maxlen=10_000)
        self.counts: Counter[tuple[str, int]] = Counter()
        self._log_lock = threading.Lock()
        #: Called with (request, operationId or "-", response) after every /api and /client answer; the
        #: test suite hooks a spec validator here so every response a test sees is checked.
        self.observers: list[Callable[[Request, str, Response], None]] = []

    # -- entry point -------------------------------------------------------------------------------
    def handle(self, req: Request, base_url: str) -> Response | object:
        started = time.monotonic()
        op_id = "-"
        try:
            if req.path.startswith("/__sandbox"):
                if not self.config.admin:
                    raise not_found("Admin routes are off; start the sandbox with --admin.")
                admin.authorize(req, self.admin_token)
                return admin.handle(self, req, base_url)
            latency, fault = self.faults.pick(req.path)
            if latency:
                time.sleep(latency)
            if fault is DROP:
                self._record(req, "-", 0, started)
                return DROP
            operation, params = self._route(req)
            op_id = operation.operation_id
            resp = self._run(req, operation, params, base_url, fault)
        except ApiError as err:
            resp = self.error_response(err)
        except Exception:
            log.exception("sandbox internal error on %s %s", req.method, req.path)
            resp = self.error_response(
                ApiError(500, "error", "A server error occurred.", "The sandbox hit an internal error.")
            )
        self._record(req, op_id, resp.status, started, resp.headers.get("Retry-After"))
        for observer in self.observers:
            observer(req, op_id, resp)
        return resp

    @staticmethod
    def error_response(err: ApiError) -> Response:
        return Response(err.status, error_body(err), dict(err.headers))

    # -- pipeline steps ----------------------------------------------------------------------------
    def _route(self, req: Request) -> tuple[Operation, dict[str, str]]:
        found = match_operation(req.method, req.path)
        if found:
            return found
        if path_exists(req.path):
            raise ApiError(405, "method_not_allowed", "Method not allowed.", f'Method "{req.method}" not allowed.')
        raise not_found(f"No route for {req.path}.")

    def _run(
        self, req: Request, operation: Operation, params: dict[str, str], base_url: str, fault: object
    ) -> Response:
        key = self._authenticate(req, operation)
        self._check_revision(req)
        if key is not None and not key.allows(operation.scopes):
            granted = key.scopes or frozenset()
            raise permission_denied([s for s in operation.scopes if s not in granted])
        decision = None
        if self.config.rate_limits:
            limited = limited_operation(operation, req.arg)  # e.g. profile_count: 1/s, 15/m
            decision = self.limiter.hit(
                limited.operation_id, limited.burst_per_second, limited.steady_per_minute, limited.daily
            )
            if not decision.allowed:
                raise throttled(decision.retry_after)
        if isinstance(fault, ApiError):
            raise fault
        self._check_media_type(req)
        handler = self.handlers.get(operation.operation_id)
        if handler is None:
            raise ApiError(
                501,
                "not_implemented",
                "Not implemented by the sandbox.",
                f"The sandbox does not model {operation.method} {operation.path} yet; try it on a live account.",
            )
        if key is None and req.path.startswith("/client/") and req.arg("company_id") != self.config.account_id:
            return Response(operation.success_status)  # EMULATOR CHOICE: unknown company_id -> accepted, no effect
        ctx = Ctx(req, params, operation, self.store, self.config, self.jobs, base_url, key)
        resp = handler(ctx)
        resp.body = timeutil.wire(resp.body)
        if decision is not None:
            resp.headers.update(decision.headers())
        return resp

    def _authenticate(self, req: Request, operation: Operation) -> KeySpec | None:
        if req.path.startswith("/client/"):
            if not req.arg("company_id"):
                raise invalid(
                    "The company_id query parameter (your public API key) is required.", parameter="company_id"
                )
            return None
        auth = req.header("authorization") or ""
        scheme, _, token = auth.partition(" ")
        if (scheme == "Klaviyo-API-Key" and token.strip()) or (scheme == "Bearer" and token.strip()):
            spec = self.config.key_spec(token.strip())
        else:
            raise not_authenticated()
        if spec is None:
            raise authentication_failed()
        return spec

    @staticmethod
    def _check_revision(req: Request) -> None:
        value = req.header("revision")
        if not value:
            raise invalid("The revision header is required (format YYYY-MM-DD, e.g. 2026-07-15).", parameter="revision")
        m = _REVISION.match(value.strip())
        try:
            day = date(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None
        except ValueError:
            day = None
        if day is None:
            raise invalid(f"Invalid revision '{value}': expected YYYY-MM-DD[.suffix].", parameter="revision")
        if day > date.today():
            raise invalid(f"Revision {value} is in the future; no such API revision exists.", parameter="revision")
        if day > MODELLED_REVISION:
            # Never answer a newer revision silently in an older shape (2026-10-15 reshapes campaigns).
            raise invalid(
                f"Revision {value} is not modelled by the sandbox, which answers revision {SPEC_REVISION} "
                f"(earlier revisions fall forward to it, as Klaviyo's do). Send revision: {SPEC_REVISION}, "
                "or rehearse this revision on a live test account.",
                parameter="revision",
            )

    @staticmethod
    def _check_media_type(req: Request) -> None:
        if req.method not in _BODY_METHODS and not req.body:
            return
        media = (req.header("content-type") or "").split(";")[0].strip().lower()
        if media not in ACCEPTED_MEDIA:
            raise ApiError(
                415,
                "unsupported_media_type",
                "Unsupported media type.",
                f'Unsupported media type "{media}" in request. Use application/vnd.api+json.',
            )

    # -- observation for tests and admin -------------------------------------------------------------
    def _record(self, req: Request, op_id: str, status: int, started: float, retry_after: str | None = None) -> None:
        with self._log_lock:
            self.counts[(op_id, status)] += 1
            self.log.append(
                {
                    "time": time.time(),
                    "method": req.method,
                    "path": req.path,
                    "operation": op_id,
                    "status": status,
                    "retry_after": int(retry_after) if retry_after else None,
                    "ms": round((time.monotonic() - started) * 1000, 2),
                }
            )

    def start(self) -> None:
        self.jobs.start()

    def close(self) -> None:
        self.jobs.stop()
        self.store.close()
