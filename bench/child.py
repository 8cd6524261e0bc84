"""Entry point of one benchmark process: set Django up, run the module's ``run``."""

import importlib
import os
import sys

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yearend.settings")
    django.setup()
    module = importlib.import_module(f"bench.{sys.argv[1]}")
    module.run(os.environ.get("BENCH_SCALE", "small"))


if __name__ == "__main__":
    main()
