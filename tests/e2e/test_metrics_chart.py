"""The Metrics page in headless Chromium: the demo store's Placed Order chart really renders."""

from __future__ import annotations

from tests.e2e.conftest import wait_for_idle


def test_metrics_chart_renders(page, app_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{app_url}/metrics")
    wait_for_idle(page)
    chart = page.locator("[data-testid=stVegaLiteChart]").first
    chart.wait_for()
    chart.locator("canvas, svg").first.wait_for()  # vega-embed drew the chart
    box = chart.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 200
    page.locator("[data-testid=stMetric]").first.wait_for()  # KPI tiles may land a moment after the chart
    assert "Placed Order" in page.locator("[data-testid=stMetric]").first.inner_text()
    page.get_by_role("button", name="Download CSV").wait_for()
    page.screenshot(path=str(tmp_path / "metrics.png"), full_page=True)
