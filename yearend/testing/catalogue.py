"""Reference data that data migrations load (products, pathways, the 2024 cycle).

A transactional test ends by emptying every table, migration-loaded rows included, so
tests after it would find no products. The test suite calls ``ensure_catalogue`` before
each database test; it loads the rows again through the migrations' own functions.
"""

import importlib

from django.apps import apps

DATA_MIGRATIONS = (
    "yearend.organizations.migrations.0002_products",
    "yearend.learning.migrations.0003_pathways",
    "yearend.resetdates.migrations.0002_cycle_2024",
)


def ensure_catalogue() -> None:
    product = apps.get_model("organizations", "Product")
    pathway = apps.get_model("learning", "Pathway")
    cycle = apps.get_model("resetdates", "ResetCycle")
    if product.objects.exists() and pathway.objects.exists() and cycle.objects.exists():
        return
    for name in DATA_MIGRATIONS:
        importlib.import_module(name).load(apps, None)
