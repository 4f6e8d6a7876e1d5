"""Catalog sync from CSV: read a product file, check it, plan against the account, apply, report.

catalog_file = read_catalog_file(data, store_url=...)   # template, Shopify, WooCommerce, Merchant Center feed
catalog_file = read_catalog_file(data, mapping=m)       # any other header, through a CatalogMapping
variants = read_variants_file(data)                     # optional plain variants file; CatalogFileError
plan = plan_catalog(client, catalog_file, target=t, variants=..., delete_missing=False)
                                                        # reads only: create / update / unchanged / skip / delete
result = apply_catalog(client, plan, target=t, confirmation=c)   # bulk jobs; the same plan again resumes
report_csv(plan, result)
"""

from klaviyo_core.catalog.apply import CatalogResult, apply_catalog, first_request, report_csv, report_rows
from klaviyo_core.catalog.files import (
    TEMPLATE_COLUMNS,
    VARIANT_COLUMNS,
    CatalogFile,
    CatalogFileError,
    Source,
    SourceRow,
    detect_source,
    file_columns,
    read_catalog_file,
    read_variants_file,
)
from klaviyo_core.catalog.mapping import (
    IGNORE,
    METADATA_PREFIX,
    TARGETS,
    CatalogMapping,
    CatalogMappingStore,
    MappingError,
    header_signature,
    suggest_mapping,
)
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
from klaviyo_core.catalog.validate import Problem, check_row, check_variant_row

__all__ = [
    "CREATE",
    "DELETE",
    "FEED_WARNING",
    "IGNORE",
    "METADATA_PREFIX",
    "SKIP",
    "TARGETS",
    "TEMPLATE_COLUMNS",
    "UNCHANGED",
    "UPDATE",
    "VARIANT_COLUMNS",
    "CatalogFile",
    "CatalogFileError",
    "CatalogMapping",
    "CatalogMappingStore",
    "CatalogPlan",
    "CatalogResult",
    "MappingError",
    "PlannedItem",
    "Problem",
    "Source",
    "SourceRow",
    "apply_catalog",
    "check_row",
    "check_variant_row",
    "detect_source",
    "file_columns",
    "first_request",
    "header_signature",
    "plan_catalog",
    "read_catalog_file",
    "read_variants_file",
    "report_csv",
    "report_rows",
    "suggest_mapping",
]
