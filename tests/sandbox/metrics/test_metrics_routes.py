from __future__ import annotations

from klaviyo_sandbox import SandboxServer
from tests.sandbox.engine.helpers import call, error_code
from tests.sandbox.events.test_events import event_body


def test_metrics_list_get_and_filters(sandbox: SandboxServer) -> None:
    assert call(sandbox.url, "GET", "/api/metrics").json()["data"] == []
    for name in ("Viewed Product", "Added to Cart"):
        assert call(sandbox.url, "POST", "/api/events", event_body(metric=name)).status_code == 202
    doc = call(sandbox.url, "GET", "/api/metrics", params={"filter": 'equals(integration.name,"API")'}).json()
    assert [m["attributes"]["name"] for m in doc["data"]] == ["Viewed Product", "Added to Cart"]
    assert doc["links"]["next"] is None and doc["links"]["prev"] is None
    metric = doc["data"][0]
    assert len(metric["id"]) == 6 and metric["attributes"]["integration"]["category"] == "API"
    none = call(sandbox.url, "GET", "/api/metrics", params={"filter": 'equals(integration.category,"Shopify")'})
    assert none.json()["data"] == []
    one = call(sandbox.url, "GET", f"/api/metrics/{metric['id']}", params={"include": "flow-triggers"})
    assert one.status_code == 200 and one.json()["data"]["relationships"]["flow-triggers"]["data"] == []
    sparse = call(sandbox.url, "GET", f"/api/metrics/{metric['id']}", params={"fields[metric]": "name"})
    assert sparse.json()["data"]["attributes"] == {"name": "Viewed Product"}


def test_metric_errors(sandbox: SandboxServer) -> None:
    missing = call(sandbox.url, "GET", "/api/metrics/ZZZZZZ")
    assert missing.status_code == 404 and error_code(missing) == "not_found"
    bad = call(sandbox.url, "GET", "/api/metrics", params={"filter": 'equals(name,"x")'})
    assert bad.status_code == 400 and error_code(bad) == "invalid"
    size = call(sandbox.url, "GET", "/api/metrics", params={"include": "profiles"})
    assert size.status_code == 400 and error_code(size) == "invalid"
