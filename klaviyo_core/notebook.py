"""`Workbench`: the DataFrame-first way in for a technical helper who lives in Jupyter (issue 21).

Reads only, for now: `wb.metrics.aggregate(...)`, `wb.metrics.list()`, `wb.profiles.get(...)`, `wb.lists()`,
`wb.segments()` each return a pandas DataFrame (one row per resource: `id` then its attributes, nested ones as
`a.b` columns). The sandbox is imported only inside `Workbench.sandbox()`, so `import klaviyo_core` stays a client
library (tests/test_layering.py names this module as the second allowed lazy import, beside the CLI's).

Errors come out as `WorkbenchError` carrying `explain()`'s "what happened / what to do", not a traceback wall.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import pandas as pd
import requests

from klaviyo_core.accounts import AccountNotFound, CredentialsError, resolve_account
from klaviyo_core.http import ClientConfig, KlaviyoClient, KlaviyoError, UnsafeTarget, check_target, explain
from klaviyo_core.metrics import AggregateQuery, fetch_frame, list_metrics

SANDBOX_KEY = "pk_sandbox_notebook_throwaway_key"
SEED_TIMEOUT_SECONDS = 120.0
PAGE_SIZE = 100


class WorkbenchError(Exception):
    """A failure in plain words: what happened, then what to do (shown instead of a traceback wall)."""

    def _render_traceback_(self) -> list[str]:
        """IPython shows only this message for this exception, without the stack."""
        return [f"{type(self).__name__}: {self}"]


@contextmanager
def explained() -> Iterator[None]:
    """Turn the core's errors into `WorkbenchError(explain(exc))`; the chain is dropped so no request leaks."""
    try:
        yield
    except (KlaviyoError, AccountNotFound, CredentialsError, UnsafeTarget) as exc:
        raise WorkbenchError(str(explain(exc))) from None


def frame(resources: Iterable[dict[str, Any]]) -> pd.DataFrame:
    """One row per JSON:API resource: `id`, then its attributes flattened (`location.city`)."""
    rows = [{"id": item.get("id"), **(item.get("attributes") or {})} for item in resources]
    return pd.json_normalize(rows) if rows else pd.DataFrame({"id": pd.Series(dtype="string")})


class Metrics:
    """`wb.metrics`: the account's metrics and their aggregates as DataFrames."""

    def __init__(self, client: KlaviyoClient) -> None:
        self._client = client

    def list(self) -> pd.DataFrame:
        """Every metric: id, name, integration, created."""
        with explained():
            metrics = list_metrics(self._client)
        return pd.DataFrame([vars(m) for m in metrics], columns=["id", "name", "integration", "created"])

    def aggregate(
        self,
        metric: str,
        start: datetime,
        end: datetime,
        *,
        interval: str = "day",
        measurements: tuple[str, ...] = ("count",),
        by: tuple[str, ...] = (),
        timezone: str = "UTC",
    ) -> pd.DataFrame:
        """One row per bucket (and dimension value) for `metric` (its name or id) over [start, end)."""
        with explained():
            metrics = list_metrics(self._client)
            ids = [m.id for m in metrics if metric in (m.id, m.name)]
            if not ids:
                names = ", ".join(sorted({m.name for m in metrics})) or "none yet"
                raise WorkbenchError(f"No metric is named {metric!r}.\nWhat to do: use one of: {names}.")
            try:
                query = AggregateQuery(
                    ids[0], start, end, interval=interval, measurements=measurements, timezone=timezone, by=by
                )
            except (ValueError, LookupError) as exc:
                raise WorkbenchError(f"The query cannot run: {exc}.\nWhat to do: fix that argument.") from None
            return fetch_frame(self._client, query)


class Profiles:
    """`wb.profiles`: profile reads as DataFrames."""

    def __init__(self, client: KlaviyoClient) -> None:
        self._client = client

    def get(self, email: str | None = None, *, limit: int = 100) -> pd.DataFrame:
        """The profile with this email (0 or 1 row), or the first `limit` profiles of the account."""
        params: dict[str, Any] = {"page[size]": min(limit, PAGE_SIZE)}
        if email is not None:
            if '"' in email or "\\" in email:
                raise WorkbenchError(f"{email!r} is not an email address.\nWhat to do: check the address.")
            params["filter"] = f'equals(email,"{email}")'
        with explained():
            items = self._client.iter_resources("/api/profiles", params)
            return frame(item for _, item in zip(range(limit), items, strict=False))


class Workbench:
    """One connection, DataFrames out: `Workbench.sandbox()` to try things, `Workbench.connect()` for an account."""

    def __init__(self, client: KlaviyoClient, *, on_close: Callable[[], None] | None = None) -> None:
        self.client = client
        self.metrics = Metrics(client)
        self.profiles = Profiles(client)
        self._closer = weakref.finalize(self, on_close) if on_close else None  # also runs when the kernel ends

    @classmethod
    def sandbox(cls, **seed_options: Any) -> Workbench:
        """A local sandbox filled with the demo store (options go to the seeders, e.g. `profiles=300`)."""
        from klaviyo_sandbox import KeySpec, SandboxConfig, SandboxServer  # lazy: only notebooks need the server

        server = SandboxServer(SandboxConfig(keys=(KeySpec(SANDBOX_KEY),), rate_limits=False, admin=True)).start()
        try:
            seeded = requests.post(
                f"{server.url}/__sandbox/seed",
                json=seed_options,
                headers=server.admin_headers,
                timeout=SEED_TIMEOUT_SECONDS,
            )
            seeded.raise_for_status()
        except BaseException:
            server.stop()
            raise
        return cls(KlaviyoClient(ClientConfig(api_key=SANDBOX_KEY, base_url=server.url)), on_close=server.stop)

    @classmethod
    def connect(cls, account: str | None = None, *, allow_host: bool = False) -> Workbench:
        """A saved account by name (key from the OS keyring), else `KLAVIYO_API_KEY`, else the active account."""
        with explained():
            resolved = resolve_account(account)
            check_target(resolved.base_url, allow_host=allow_host or resolved.allow_host)
            config = ClientConfig(api_key=resolved.api_key, base_url=resolved.base_url, revision=resolved.revision)
        return cls(KlaviyoClient(config))

    def lists(self) -> pd.DataFrame:
        """Every list of the account: id, name, created, ..."""
        with explained():
            return frame(self.client.iter_resources("/api/lists"))

    def segments(self) -> pd.DataFrame:
        """Every segment of the account: id, name, definition flattened, ..."""
        with explained():
            return frame(self.client.iter_resources("/api/segments"))

    def close(self) -> None:
        """Stop the sandbox this workbench started (a no-op for an account)."""
        if self._closer is not None:
            self._closer()

    def __enter__(self) -> Workbench:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Workbench({self.client.config.base_url}, key {self.client.config.key_fingerprint})"
