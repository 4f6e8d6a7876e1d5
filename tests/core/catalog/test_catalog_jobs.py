"""Catalog apply through bulk jobs against a real sandbox: jobs of <= 100, errors joined back to rows, resume
after a stop or a kill without sending any item twice (issue 19)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from klaviyo_core.accounts.target import target_or_own
from klaviyo_core.catalog import apply_catalog, plan_catalog, read_catalog_file
from klaviyo_core.catalog.apply import plan_batches
from klaviyo_core.catalog.checkpoint import SUBMITTED, SUBMITTING, CatalogWorkspace, JobState, run_id_for
from klaviyo_core.http.client import KlaviyoClient
from klaviyo_core.http.config import ClientConfig
from klaviyo_sandbox import SandboxServer
from tests.conftest import FULL_KEY

CREATE_OP = "bulk_create_catalog_items"


def _file(n: int, price: str = "5") -> bytes:
    rows = [f"SKU-{i:04},Item {i},Desc,https://shop.example.com/p/{i},{price},,true" for i in range(n)]
    return ("external_id,title,description,url,price,image_url,published\n" + "\n".join(rows) + "\n").encode()


@pytest.fixture
def client(sandbox: SandboxServer) -> KlaviyoClient:
    return KlaviyoClient(ClientConfig(api_key=FULL_KEY, base_url=sandbox.url))


def _posts(sandbox: SandboxServer) -> int:
    return sum(n for (op, status), n in sandbox.app.counts.items() if op == CREATE_OP and status == 202)


def test_250_items_go_as_three_jobs_and_a_job_error_fails_its_row_only(
    client: KlaviyoClient, sandbox: SandboxServer
) -> None:
    plan = plan_catalog(client, read_catalog_file(_file(250)))
    assert [len(b.entries) for b in plan_batches(plan)] == [100, 100, 50]
    item = {"external_id": "SKU-0150", "title": "x", "description": "y", "url": "https://s.example/z"}
    client.post("/api/catalog-items", {"data": {"type": "catalog-item", "attributes": item}})  # made meanwhile
    seen: list[tuple[int, int]] = []
    result = apply_catalog(client, plan, on_progress=lambda done, total, _: seen.append((done, total)))
    assert _posts(sandbox) == 3 and seen[-1] == (3, 3)
    assert result.counts() == {"done": 249, "failed": 1}
    assert result.status["item:SKU-0150"] == "failed" and "already exists" in result.message["item:SKU-0150"]
    again = plan_catalog(client, read_catalog_file(_file(250)))
    assert again.writes == 1  # the row made meanwhile differs from the file: an update, nothing else


def test_a_stopped_run_resumes_without_sending_an_item_twice(client: KlaviyoClient, sandbox: SandboxServer) -> None:
    plan = plan_catalog(client, read_catalog_file(_file(1_000)))
    stop = threading.Event()

    def stop_after_first(done: int, total: int, _: str) -> None:
        stop.set()

    with pytest.raises(InterruptedError):
        apply_catalog(client, plan, on_progress=stop_after_first, stop=stop)
    sent_before = _posts(sandbox)
    assert 1 <= sent_before <= 10
    result = apply_catalog(client, plan)
    assert result.resumed and result.counts() == {"done": 1_000, "failed": 0}
    assert _posts(sandbox) == 10  # the jobs sent before the stop were polled, never sent again
    assert len(list(client.iter_resources("/api/catalog-items"))) == 1_000


def test_a_job_posted_before_a_kill_is_adopted_not_sent_again(client: KlaviyoClient, sandbox: SandboxServer) -> None:
    """The kill came after the POST went out and before its job id was written down."""
    plan = plan_catalog(client, read_catalog_file(_file(150)))
    batches = plan_batches(plan)
    target = target_or_own(client, None)
    run_id = run_id_for(target, batches)
    workspace = CatalogWorkspace(run_id)
    workspace.open(run_id, target, batches)
    workspace.record(JobState(0, SUBMITTING, None, time.time()))
    workspace.close()
    client.post(batches[0].path, batches[0].body())  # its 202 was "lost"
    result = apply_catalog(client, plan)
    assert result.resumed and result.counts() == {"done": 150, "failed": 0}
    assert _posts(sandbox) == 2


def test_a_new_plan_waits_for_the_jobs_an_interrupted_run_sent(sandbox_factory: Callable[..., SandboxServer]) -> None:
    """The run was killed with a job in flight: the next plan reads the account only after that job is done."""
    slow = sandbox_factory(job_step_seconds=2)  # a lone job spends 2 s in 'processing'
    client = KlaviyoClient(ClientConfig(api_key=FULL_KEY, base_url=slow.url))
    plan = plan_catalog(client, read_catalog_file(_file(80)))
    batches = plan_batches(plan)
    target = target_or_own(client, None)
    run_id = run_id_for(target, batches)
    workspace = CatalogWorkspace(run_id)
    workspace.open(run_id, target, batches)
    job_id = client.post(batches[0].path, batches[0].body())["data"]["id"]
    workspace.record(JobState(0, SUBMITTED, job_id, time.time()))
    workspace.close()  # killed here
    again = plan_catalog(client, read_catalog_file(_file(80)))
    assert again.counts()["unchanged"] == 80 and again.writes == 0
    assert _posts(slow) == 1
