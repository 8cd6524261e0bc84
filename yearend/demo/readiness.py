"""Idempotent steps `make run` takes on every start so the demo works end to end.

An app that needs something for the demo (a reset cycle, a date assignment, ...)
writes a module ``demo_setup.py`` with a function ``prepare() -> None``; it must be safe
to run again on a database that already has what it makes.
"""

import importlib

from django.apps import apps


def prepare_demo() -> list[str]:
    done = []
    for config in apps.get_app_configs():
        if not config.name.startswith("yearend."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.demo_setup")
        except ModuleNotFoundError as error:
            if error.name != f"{config.name}.demo_setup":
                raise
            continue
        module.prepare()
        done.append(config.label)
    return done
