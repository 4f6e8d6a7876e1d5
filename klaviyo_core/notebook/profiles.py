"""`wb.profiles`: look profiles up as a DataFrame, and plan a DataFrame's import (see profile_import.py)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from klaviyo_core.notebook.connection import Connection
from klaviyo_core.notebook.errors import WorkbenchError, explained, frame
from klaviyo_core.notebook.profile_import import MappingArg, ProfileImportPlan, plan_import

PAGE_SIZE = 100


class Profiles:
    """`wb.profiles`: profile reads as DataFrames; `plan_import(df, ...)` for writes, plan then run."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def get(self, email: str | None = None, *, limit: int = 100) -> pd.DataFrame:
        """The profile with this email (0 or 1 row), or the first `limit` profiles of the account."""
        params: dict[str, Any] = {"page[size]": min(limit, PAGE_SIZE)}
        if email is not None:
            if '"' in email or "\\" in email:
                raise WorkbenchError(f"{email!r} is not an email address.\nWhat to do: check the address.")
            params["filter"] = f'equals(email,"{email}")'
        with explained():
            items = self._connection.client.iter_resources("/api/profiles", params)
            return frame(item for _, item in zip(range(limit), items, strict=False))

    def plan_import(
        self,
        data: pd.DataFrame,
        *,
        mapping: MappingArg = None,
        list_id: str | None = None,
        subscribe: tuple[str, ...] | str = (),
        default_country: str = "US",
        on_bad_field: str = "skip-field",
        keep: str = "last",
    ) -> ProfileImportPlan:
        """Check every row of `data` as the page and the CLI do, sending nothing; `plan.run()` sends it.

        `mapping`: {"column": "field"} overrides of the suggested mapping, in the CLI's `--map` words
        ("email", "phone_number", "properties.points:number", "consent.email", "ignore"). `subscribe`: record
        explicit consent for "email" and/or "sms" (per row when a column is mapped to consent.<channel>)."""
        return plan_import(
            self._connection,
            data,
            mapping=mapping,
            list_id=list_id,
            subscribe=subscribe,
            default_country=default_country,
            on_bad_field=on_bad_field,
            keep=keep,
        )
