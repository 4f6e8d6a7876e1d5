"""HTTP below the client: one session, pacing, and the ONE retry layer (tenacity).

A body is either `json=` (encoded by `requests`) or `content=` (bytes the caller already holds as JSON, e.g. a
2.4 MB bulk job spooled as JSON text: re-encoding it through a dict costs ~0.1 s a request); both get the same
headers, pacing and retries.

Retry policy (DESIGN.md §2): 429 always; 502/503/504 and connection errors only for GET/HEAD and for POSTs
the caller marks idempotent (events with a unique_id, upserts, queries). Each wait is
`max(Retry-After, jittered exponential backoff)`, capped per wait and in total. A Retry-After longer than the
per-wait cap is not slept through: the call fails with the 429 so the user hears "try again in N s".
"""

from __future__ import annotations

import logging
import random
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn
from urllib.parse import parse_qsl, urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from tenacity import RetryCallState, Retrying, retry_if_exception
from tenacity.stop import stop_base

from klaviyo_core.http.config import ClientConfig
from klaviyo_core.http.errors import (
    ConnectionFailed,
    ForeignOrigin,
    KlaviyoError,
    RedirectNotFollowed,
    RequestInfo,
    RequestTimeout,
    TlsFailed,
    TransportError,
    error_from_response,
    parse_retry_after,
    request_info,
)
from klaviyo_core.http.origin import origin_of, same_origin
from klaviyo_core.http.ratelimit import OperationLimiter, RateLimitInfo, limiter_for, parse_rate_limit_headers
from klaviyo_core.http.redaction import key_digest
from klaviyo_spec import Operation, limited_operation, match_operation

log = logging.getLogger(__name__)
RETRYABLE_STATUSES = {502, 503, 504}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
MAX_REDIRECTS = 5


@dataclass
class TransportStats:
    """Counters a progress UI or a bench can read (all waits in seconds)."""

    requests: int = 0
    retries: int = 0
    throttled: int = 0  # 429 answers seen
    pacing_wait: float = 0.0  # time spent waiting for our own limiter
    retry_wait: float = 0.0  # time spent waiting between attempts


@dataclass(frozen=True)
class _Body:
    """A request body: a JSON-able value for `requests` to encode, or bytes already encoded as JSON."""

    json: Any = None
    content: bytes | None = None


class _Retryable(Exception):
    """Internal: an attempt that may be retried; carries the error to raise if retries run out."""

    def __init__(self, error: KlaviyoError, retry_after: float | None) -> None:
        super().__init__(str(error))
        self.error = error
        self.retry_after = retry_after


def _query_arg(url: str, params: dict[str, Any] | None) -> Callable[[str], str | None]:
    """One query parameter of a request, from `params` or the URL (a `links.next` carries its own query)."""
    query = dict(parse_qsl(urlsplit(url).query))
    query.update({k: str(v) for k, v in (params or {}).items()})
    return query.get


WaitListener = Callable[[str, float, str], None]  # (kind: "pacing"|"retry", seconds, operation id)


class Transport:
    def __init__(self, config: ClientConfig, session: requests.Session | None = None) -> None:
        self.config = config
        self.session = session or requests.Session()
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=16, max_retries=0)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.stats = TransportStats()
        self.rate_limits: dict[str, RateLimitInfo] = {}
        self.listeners: list[WaitListener] = []
        self._lock = threading.Lock()
        self._digest = key_digest(config.credential or "anonymous")
        self.deadline: tuple[float, float] | None = None  # (monotonic end, budget in s) set by set_deadline

    def set_deadline(self, seconds: float | None) -> None:
        """Bound everything from now on (attempts, retries, pacing) to `seconds` in total, or lift the bound."""
        self.deadline = (time.monotonic() + seconds, seconds) if seconds else None

    def _remaining(self, info: RequestInfo) -> float | None:
        """Seconds left before the deadline (None: no deadline); past it, the call gives up with a timeout."""
        if self.deadline is None:
            return None
        left = self.deadline[0] - time.monotonic()
        if left <= 0:
            raise RequestTimeout(
                f"No answer from {self.config.base_url} within {self.deadline[1]:g} s ({info.method} {info.url}); "
                "the workbench stops waiting then.",
                info,
            )
        return left

    # -- public ----------------------------------------------------------------------------------
    def send(
        self,
        method: str,
        path_or_url: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        content: bytes | None = None,
        idempotent: bool | None = None,
    ) -> requests.Response:
        if json is not None and content is not None:
            raise ValueError("Pass a body as json= or as content=, not both.")
        method = method.upper()
        url = path_or_url if path_or_url.startswith("http") else f"{self.config.base_url}{path_or_url}"
        self._require_own_origin(url, method, url)
        path = "/" + url.split("://", 1)[-1].split("/", 1)[-1] if "://" in url else url
        found = match_operation(method, path)
        operation = limited_operation(found[0], _query_arg(url, params)) if found else None
        may_retry_errors = method in SAFE_METHODS if idempotent is None else idempotent
        headers = self._headers(json is not None or content is not None)
        body = _Body(json, content)
        info = request_info(method, url, headers, operation.operation_id if operation else None)

        def attempt() -> requests.Response:
            self._pace(operation, self._remaining(info))
            return self._attempt(method, url, params, body, headers, info, operation, may_retry_errors)

        retrying = Retrying(
            retry=retry_if_exception(lambda e: isinstance(e, _Retryable)),
            wait=self._wait,
            stop=_Stop(self.config, self),
            before_sleep=self._before_sleep(operation),
            reraise=True,
        )
        try:
            return retrying(attempt)
        except _Retryable as final:
            raise final.error from None

    # -- one attempt -------------------------------------------------------------------------------
    def _attempt(
        self,
        method: str,
        url: str,
        params: dict[str, Any] | None,
        body: _Body,
        headers: dict[str, str],
        info: RequestInfo,
        operation: Operation | None,
        may_retry_errors: bool,
    ) -> requests.Response:
        started = time.monotonic()
        with self._lock:
            self.stats.requests += 1
        try:
            resp = self._send_once(method, url, params, body, headers, info)
            if resp.is_redirect:
                resp = self._follow(resp, method, body, headers, info)
        except TransportError as err:
            if may_retry_errors and not isinstance(err, TlsFailed):  # a bad certificate stays bad
                raise _Retryable(err, None) from None
            raise
        log.debug("%s %s -> %s in %.0f ms", method, info.url, resp.status_code, (time.monotonic() - started) * 1000)
        self._observe(operation, resp)
        if resp.status_code < 400:
            return resp
        self._raise_for(resp, info, operation, may_retry_errors)

    def _send_once(
        self,
        method: str,
        url: str,
        params: dict[str, Any] | None,
        body: _Body,
        headers: dict[str, str],
        info: RequestInfo,
    ) -> requests.Response:
        """One HTTP exchange; requests' own exceptions become the workbench's (httpx's map_exceptions idea)."""
        try:
            return self.session.request(
                method,
                url,
                params=params,
                json=body.json,
                data=body.content,
                headers=headers,
                timeout=self._timeouts(info),
                allow_redirects=False,  # followed by _follow, on this origin only
            )
        except requests.exceptions.InvalidJSONError:
            raise ValueError(
                f"Nothing was sent: a value for {method} {info.url} is not a finite number (NaN or Infinity), "
                "which JSON cannot carry. Fix or remove that value."
            ) from None
        except requests.exceptions.SSLError as exc:
            raise TlsFailed(f"{self.config.base_url}: {_tls_reason(exc)}", info) from None
        except requests.Timeout as exc:
            self._remaining(info)  # past the caller's deadline: say so, with the budget
            raise RequestTimeout(f"{method} {info.url} timed out ({type(exc).__name__}).", info) from None
        except requests.ConnectionError:
            raise ConnectionFailed(
                f"Could not connect to {self.config.base_url} ({method} {info.url}).", info
            ) from None

    def _timeouts(self, info: RequestInfo) -> tuple[float, float]:
        left = self._remaining(info)
        if left is None:
            return self.config.connect_timeout, self.config.read_timeout
        return min(self.config.connect_timeout, left), min(self.config.read_timeout, left)

    def _follow(
        self, resp: requests.Response, method: str, body: _Body, headers: dict[str, str], info: RequestInfo
    ) -> requests.Response:
        """Follow a read's redirects on the configured origin only; a write's redirect is never followed."""
        if method not in ("GET", "HEAD") or body.json is not None or body.content is not None:
            resp.close()
            raise RedirectNotFollowed(
                f"The server answered {method} {info.url} with a redirect (HTTP {resp.status_code}). "
                "The workbench does not follow redirects on writes, so nothing was sent again; "
                "check the base URL.",
                info,
            )
        for _ in range(MAX_REDIRECTS):
            location = urljoin(resp.url, resp.headers.get("Location", ""))
            resp.close()
            self._require_own_origin(location, method, info.url)
            resp = self._send_once(method, location, None, _Body(), headers, info)
            if not resp.is_redirect:
                return resp
        raise RedirectNotFollowed(f"{method} {info.url} redirected more than {MAX_REDIRECTS} times.", info)

    def _require_own_origin(self, url: str, method: str, asked: str) -> None:
        """The key goes to the configured origin (scheme, host, port) only: pagination links and redirects too."""
        if not same_origin(url, self.config.base_url):
            scheme, host, port = origin_of(url)
            raise ForeignOrigin(
                f"{method} {asked} pointed to {scheme}://{host}:{port}, which is not the configured "
                f"{self.config.base_url}; nothing was sent there (the API key only goes to the configured address).",
                None,
            )

    def _raise_for(
        self, resp: requests.Response, info: RequestInfo, operation: Operation | None, may_retry_errors: bool
    ) -> NoReturn:
        """An error answer: 429 blocks the limiter and retries; 502/503/504 retry when the call may be repeated."""
        error = error_from_response(resp, info, (self.config.credential,))
        if resp.status_code == 429:
            with self._lock:
                self.stats.throttled += 1
            retry_after = parse_retry_after(resp.headers.get("Retry-After"))
            limiter = self._limiter(operation) if retry_after and operation else None
            if limiter and retry_after:
                limiter.block_for(retry_after)
            if retry_after is not None and retry_after > self.config.max_wait_seconds:
                raise error
            raise _Retryable(error, retry_after)
        if resp.status_code in RETRYABLE_STATUSES and may_retry_errors:
            raise _Retryable(error, parse_retry_after(resp.headers.get("Retry-After")))
        raise error

    # -- pacing, waits, observation ------------------------------------------------------------------
    def _limiter(self, operation: Operation) -> OperationLimiter | None:
        return limiter_for(self.config.base_url, self._digest, operation, self.config.rate_limit_scale)

    def _pace(self, operation: Operation | None, left: float | None = None) -> None:
        if not (self.config.pace and operation):
            return
        limiter = self._limiter(operation)
        if limiter is None:
            return
        wait = limiter.reserve()
        if left is not None and wait > left:
            wait = left  # sleep to the deadline, then the next check gives up with the deadline's message
        if wait > 0:
            with self._lock:
                self.stats.pacing_wait += wait
            for listener in self.listeners:
                listener("pacing", wait, operation.operation_id)
            time.sleep(wait)

    def _observe(self, operation: Operation | None, resp: requests.Response) -> None:
        info = parse_rate_limit_headers(resp.headers)
        if info is None or operation is None:
            return
        with self._lock:
            self.rate_limits[operation.operation_id] = info
        if info.remaining == 0 and info.reset_seconds and self.config.pace:
            limiter = self._limiter(operation)
            if limiter:
                limiter.block_for(min(info.reset_seconds * self.config.rate_limit_scale, self.config.max_wait_seconds))

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        retry_after = exc.retry_after if isinstance(exc, _Retryable) else None
        backoff: float = self.config.backoff_base_seconds * (2 ** (state.attempt_number - 1)) * random.uniform(0.5, 1.5)
        wait = min(backoff, self.config.max_wait_seconds)
        if retry_after is not None:
            wait = max(wait, retry_after)  # never earlier than the server asked
        return wait

    def _before_sleep(self, operation: Operation | None) -> Callable[[RetryCallState], None]:
        def note(state: RetryCallState) -> None:
            seconds = state.next_action.sleep if state.next_action else 0.0
            with self._lock:
                self.stats.retries += 1
                self.stats.retry_wait += seconds
            op_id = operation.operation_id if operation else "-"
            exc = state.outcome.exception() if state.outcome else None
            log.info("retrying %s in %.2f s after: %s", op_id, seconds, exc)
            for listener in self.listeners:
                listener("retry", seconds, op_id)

        return note

    def _headers(self, has_body: bool) -> dict[str, str]:
        headers = {
            "Accept": "application/vnd.api+json",
            "revision": self.config.revision,
            "User-Agent": self.config.user_agent,
            **self.config.auth_header(),
        }
        if has_body:
            headers["Content-Type"] = "application/vnd.api+json"
        return headers


def _tls_reason(exc: requests.exceptions.SSLError) -> str:
    """The certificate problem in a few words ('certificate verify failed: self-signed certificate')."""
    found = re.search(r"certificate verify failed: ([^()]+)", str(exc))
    if found:
        return f"certificate verify failed: {found.group(1).strip()}"
    return "the TLS handshake failed (the certificate or the protocol was not accepted)"


class _Stop(stop_base):
    """Stop after max_retries, or when the next wait would pass the total-wait cap or the deadline."""

    def __init__(self, config: ClientConfig, transport: Transport) -> None:
        self.config = config
        self.transport = transport

    def __call__(self, state: RetryCallState) -> bool:
        if state.attempt_number > self.config.max_retries:
            return True
        upcoming = state.upcoming_sleep or 0.0
        deadline = self.transport.deadline
        if deadline and time.monotonic() + upcoming >= deadline[0]:
            return True  # the wait would end past the caller's deadline: report the last error now
        return (state.idle_for + upcoming) > self.config.max_total_wait_seconds
