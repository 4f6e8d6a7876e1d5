"""Catalog sync from CSV: read a product file, check it, plan against the account, apply, report.

catalog_file = read_catalog_file(data, store_url=...)   # template or Shopify export; CatalogFileError
variants = read_variants_file(data)                     # optional plain variants file; CatalogFileError
plan = plan_catalog(client, catalog_file, target=t, variants=..., delete_missing=False)
                                                        # reads only: create / update / unchanged / skip / delete
result = apply_catalog(client, plan, target=t, confirmation=c)   # bulk jobs; the same plan again resumes
report_csv(plan, result)
"""

from klaviyo_core.catalog.apply import CatalogResult, apply_catalog, first_request, report_csv, report_rows
from klaviyo_core.catalog.files import TEMPLATE_COLUMNS, CatalogFile, CatalogFileError, Source, read_catalog_file
from klaviyo_core.catalog.plan import (
    CREATE,
    DELETE,
    FEED_WARNING,
    SKIP,
    UNCHANGED,
    UPDATE,
    CatalogPlan,
    PlannedItem,
)
from klaviyo_core.catalog.planner import plan_catalog
from klaviyo_core.catalog.validate import Problem
from klaviyo_core.catalog.variants_file import read_variants_file

__all__ = [
    "CREATE",
    "DELETE",
    "FEED_WARNING",
    "SKIP",
    "TEMPLATE_COLUMNS",
    "UNCHANGED",
    "UPDATE",
    "CatalogFile",
    "CatalogFileError",
    "CatalogPlan",
    "CatalogResult",
    "PlannedItem",
    "Problem",
    "Source",
    "apply_catalog",
    "first_request",
    "plan_catalog",
    "read_catalog_file",
    "read_variants_file",
    "report_csv",
    "report_rows",
]
