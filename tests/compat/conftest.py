"""The official SDK (`klaviyo-api`, pinned in requirements-dev) pointed at one seeded sandbox per module.

The SDK runs unchanged: only its own `test_host` setting points it at the sandbox. Every answer is parsed by the
SDK's own pydantic models (a shape it cannot read raises), and the spec observer checks every answer too.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import klaviyo_api  # pinned in requirements-dev.txt
import pytest

from klaviyo_sandbox import SandboxConfig, SandboxServer
from klaviyo_sandbox.seed import seed_demo
from tests.conftest import ADMIN_TOKEN, FULL_KEY, KEYS, _spec_observer


@pytest.fixture(scope="module")
def compat_sandbox() -> Iterator[SandboxServer]:
    problems: list[str] = []
    config = SandboxConfig(keys=KEYS, admin=True, admin_token=ADMIN_TOKEN, rate_limits=False, job_step_seconds=0.02)
    server = SandboxServer(config)
    server.app.observers.append(_spec_observer(problems))
    server.start()
    seed_demo(server.app.store, profiles=60)
    yield server
    server.stop()
    assert not problems, "sandbox answers that do not match the OpenAPI spec:\n" + "\n".join(problems[:20])


@pytest.fixture(scope="module")
def sdk(compat_sandbox: SandboxServer) -> Any:
    return klaviyo_api.KlaviyoAPI(FULL_KEY, test_host=compat_sandbox.url, max_retries=0, max_delay=1)
