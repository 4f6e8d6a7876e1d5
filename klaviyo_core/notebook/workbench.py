"""`Workbench`: the DataFrame-first way in for a technical helper who lives in Jupyter (issue 21).

Reads return pandas DataFrames (one row per resource: `id` then its attributes, nested ones as `a.b` columns):
`wb.lists()`, `wb.segments()`, `wb.profiles.get(...)`, `wb.metrics.list()/aggregate(...)`,
`wb.reports.campaigns(...)`, `wb.audiences.export(list=...)`, `wb.catalog.items()`. Writes are plan then run
(`wb.profiles.plan_import(df)`, `wb.tags.plan_apply(df)`), under every rule of DESIGN §1b. The sandbox is imported
only inside `Workbench.sandbox()`, so `import klaviyo_core` stays a client library (tests/test_layering.py names
this module as the second allowed lazy import, beside the CLI's).

Errors come out as `WorkbenchError` carrying `explain()`'s "what happened / what to do", not a traceback wall.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

import pandas as pd
import requests

from klaviyo_core.accounts import SANDBOX, resolve_account
from klaviyo_core.http import ClientConfig, KlaviyoClient, check_target
from klaviyo_core.notebook.connection import Connection
from klaviyo_core.notebook.errors import explained, frame
from klaviyo_core.notebook.profiles import Profiles
from klaviyo_core.notebook.reads import Audiences, Catalog, Metrics, Reports
from klaviyo_core.notebook.tag_apply import TagPlan, plan_apply

SANDBOX_KEY = "pk_sandbox_notebook_throwaway_key"
SEED_TIMEOUT_SECONDS = 120.0


class Tags:
    """`wb.tags`: tag groups, tags and tag assignments from a DataFrame, plan then run."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def plan_apply(self, data: pd.DataFrame) -> TagPlan:
        """Plan a tag table (`tag_group,tag[,exclusive]` or `resource_type,resource,tag[,tag_group][,action]`)
        against the account, writing nothing; `plan.run()` applies it."""
        return plan_apply(self._connection, data)


class Workbench:
    """One connection, DataFrames out: `Workbench.sandbox()` to try things, `Workbench.connect()` for an account."""

    def __init__(
        self,
        client: KlaviyoClient,
        *,
        account: str | None = None,
        marked_live: bool = False,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        self.client = client
        self.connection = Connection(client, account or client.config.base_url, marked_live)
        self.metrics = Metrics(self.connection)
        self.profiles = Profiles(self.connection)
        self.tags = Tags(self.connection)
        self.reports = Reports(self.connection)
        self.audiences = Audiences(self.connection)
        self.catalog = Catalog(self.connection)
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
        client = KlaviyoClient(ClientConfig(api_key=SANDBOX_KEY, base_url=server.url))
        return cls(client, account=SANDBOX, on_close=server.stop)

    @classmethod
    def connect(cls, account: str | None = None, *, allow_host: bool = False) -> Workbench:
        """A saved account by name (key from the OS keyring), else `KLAVIYO_API_KEY`, else the active account."""
        with explained():
            resolved = resolve_account(account)
            check_target(resolved.base_url, allow_host=allow_host or resolved.allow_host)
            config = ClientConfig(api_key=resolved.api_key, base_url=resolved.base_url, revision=resolved.revision)
        return cls(KlaviyoClient(config), account=resolved.name, marked_live=resolved.marked_live)

    @property
    def live(self) -> bool:
        """Whether writes go to a LIVE account (and so need `confirm_account=`): the one rule, DESIGN §1b."""
        return self.connection.live

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
        live = "LIVE " if self.live else ""
        return (
            f"Workbench({live}'{self.connection.name}' at {self.client.config.base_url}, "
            f"key {self.client.config.key_fingerprint})"
        )
