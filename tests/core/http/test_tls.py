"""A TLS certificate problem says so, is not retried, and is not "check your internet" (issue 14.10)."""

from __future__ import annotations

import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from klaviyo_core import ClientConfig, KlaviyoClient
from klaviyo_core.http.errors import TlsFailed
from klaviyo_core.http.explain import explain
from tests.core.http.test_origin import _Recorder

KEY = "pk_test_tls_0123456789abcdef"


@pytest.fixture
def self_signed_server(tmp_path: Path) -> Iterator[tuple[str, type[_Recorder]]]:
    if not shutil.which("openssl"):
        pytest.skip("openssl is needed to make a throwaway certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    handler = type("Handler", (_Recorder,), {"seen": [], "routes": {}})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"https://127.0.0.1:{httpd.server_port}", handler
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_bad_certificate_is_named_and_not_retried(self_signed_server: tuple[str, type[_Recorder]]) -> None:
    base, handler = self_signed_server
    client = KlaviyoClient(ClientConfig(api_key=KEY, base_url=base, pace=False, backoff_base_seconds=0.01))
    with pytest.raises(TlsFailed) as caught:
        client.get("/api/accounts")
    explanation = explain(caught.value)
    assert "certificate" in explanation.what and "internet" not in explanation.what.lower()
    assert "not your internet connection" in explanation.todo
    assert client.stats.retries == 0 and client.stats.requests == 1
    assert handler.seen == [] and KEY not in str(explanation)
