"""Real HTTP on loopback: a threaded stdlib server around `SandboxApp`.

Keep-alive HTTP/1.1, one thread per connection. The server can run in the foreground (the CLI) or on a
daemon thread (`SandboxServer.start()`: the Streamlit app and the tests).
"""

from __future__ import annotations

import logging
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

from klaviyo_sandbox.config import SandboxConfig
from klaviyo_sandbox.engine.dispatch import SandboxApp
from klaviyo_sandbox.engine.errors import ApiError
from klaviyo_sandbox.engine.faults import DROP
from klaviyo_sandbox.engine.http import JSONAPI, Request, Response

log = logging.getLogger(__name__)


def _human_size(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB" if n >= 1024 * 1024 else f"{n / 1024:g} KB"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # header and body go out in separate writes: avoid 40 ms delayed-ACK stalls
    server_version = "KlaviyoSandbox/1.0"
    sys_version = ""
    server: _HTTPServer

    def setup(self) -> None:
        # A socket timeout: an idle keep-alive connection (or a stalled
        # body) then ends handle_one_request, which closes the connection instead of holding a thread forever.
        super().setup()
        self.connection.settimeout(self.server.app.config.idle_timeout)

    def log_message(self, format: str, *args: object) -> None:
        log.debug("%s - %s", self.address_string(), format % args)

    def _serve(self) -> None:
        app = self.server.app
        headers = {k.lower(): v for k, v in self.headers.items()}
        if "transfer-encoding" in headers:
            self._refuse_transfer_encoding(headers["transfer-encoding"])
            return
        try:
            length = int(headers.get("content-length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > app.config.max_body_bytes:
            err = ApiError(
                413,
                "request_too_large",
                "Request entity too large.",
                f"The request body is larger than the limit of {_human_size(app.config.max_body_bytes)}; "
                "send fewer items per request.",
            )
            self.close_connection = True
            self._send(app.error_response(err))
            return
        body = self.rfile.read(length) if length else b""
        host = headers.get("host") or "{}:{}".format(*self.server.server_address[:2])
        result = app.handle(Request.from_raw(self.command, self.path, headers, body), f"http://{host}")
        if result is DROP:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        assert isinstance(result, Response)
        self._send(result)

    def _refuse_transfer_encoding(self, coding: str) -> None:
        """RFC 9112 §6.1/§6.3: a coding the server does not implement is a 501, and the connection closes, so the
        unread body can never be taken for a second request. Clients send a Content-Length instead."""
        err = ApiError(
            501,
            "not_implemented",
            "Not implemented.",
            f"Transfer-Encoding: {coding[:40]} is not supported by the sandbox; send the body with a Content-Length.",
        )
        self.close_connection = True
        self._send(self.server.app.error_response(err))

    def _send(self, resp: Response) -> None:
        payload = resp.encode()
        self.send_response(resp.status)
        if payload:
            self.send_header("Content-Type", JSONAPI)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in resp.headers.items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if payload and self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = _serve


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], app: SandboxApp) -> None:
        self.app = app
        super().__init__(address, _Handler)

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hung up (or went silent past idle_timeout) is routine, not a traceback on stderr."""
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            log.debug("connection from %s ended early", client_address)
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


class SandboxServer:
    """A sandbox on a free port: `with SandboxServer(config) as sb: requests.get(sb.url + ...)`."""

    def __init__(self, config: SandboxConfig | None = None) -> None:
        self.app = SandboxApp(config or SandboxConfig())
        self.config = self.app.config  # with the database's own account id filled in
        self._httpd = _HTTPServer((self.config.host, self.config.port), self.app)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def admin_token(self) -> str | None:
        """The token admin routes need (None when they are off); never logged, only shown masked."""
        return self.app.admin_token

    @property
    def admin_headers(self) -> dict[str, str]:
        """Headers that open the admin routes: `requests.post(sb.url + "/__sandbox/reset", headers=...)`."""
        return {"X-Sandbox-Admin-Token": self.app.admin_token or ""}

    @property
    def url(self) -> str:
        return f"http://{self.config.host}:{self.port}"

    def start(self) -> SandboxServer:
        self.app.start()
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="sandbox-http", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self.app.start()
        self._httpd.serve_forever()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self.app.close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.stop()
