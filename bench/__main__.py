"""Run every benchmark on SQLite and PostgreSQL and print one table."""

from __future__ import annotations

import sys
from pathlib import Path

from bench.harness import SCALE, fresh_database, postgres_problem, run_module

# Every module of this package but the machinery is a benchmark; seed runs first.
_MACHINERY = {"__init__", "__main__", "harness", "child"}
MODULES = sorted(
    (p.stem for p in Path(__file__).parent.glob("*.py") if p.stem not in _MACHINERY),
    key=lambda name: (name != "seed", name),
)


def main(argv: list[str]) -> int:
    wanted = argv or MODULES
    backends = ["sqlite"]
    problem = postgres_problem()
    if problem:
        print(f"PostgreSQL benchmarks skipped: {problem}")
    else:
        backends.append("postgresql")
    print(f"Benchmarks at scale '{SCALE}' (BENCH_SCALE=full for the full figures)\n")
    rows: list[tuple[str, str, dict]] = []
    failed = False
    for module in wanted:
        for backend in backends:
            print(f"... {module} on {backend}", flush=True)
            try:
                with fresh_database(backend) as url:
                    for result in run_module(module, url):
                        rows.append((module, backend, result))
            except RuntimeError as error:
                failed = True
                print(error)
    _print_table(rows)
    return 1 if failed else 0


def _fmt(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and value < 100:
        return f"{value:,.3f}"
    return f"{value:,.0f}"


def _print_table(rows) -> None:
    header = ("benchmark", "db", "figure", "value", "unit", "baseline", "ratio", "goal")
    lines = []
    for module, backend, r in rows:
        ratio = "-"
        if r.get("baseline"):
            ratio = f"{r['value'] / r['baseline']:.2f}x"
        lines.append(
            (
                module,
                backend,
                r["name"],
                _fmt(r["value"]),
                r["unit"],
                _fmt(r.get("baseline")),
                ratio,
                r.get("goal", ""),
            )
        )
    widths = [max(len(str(x)) for x in col) for col in zip(header, *lines, strict=False)]
    print()
    for line in (header, *lines):
        print("  ".join(str(x).ljust(w) for x, w in zip(line, widths, strict=False)))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
