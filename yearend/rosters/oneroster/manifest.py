"""Which files a bundle holds and how each is read: manifest.csv says whether a file is
bulk, delta or absent, and each file listed is opened by its header."""

from __future__ import annotations

from yearend.rosters.oneroster.bundle import Bundle
from yearend.rosters.oneroster.columns import FILE_TITLES, FILES
from yearend.rosters.oneroster.parse import Problems, Table, read_table
from yearend.rosters.oneroster.roster import Roster


def bundle_tables(bundle: Bundle, roster: Roster, problems: Problems) -> dict[str, Table]:
    """Read the manifest into ``roster`` and open each file it lists (by kind, e.g.
    'users'); what cannot be read is recorded in ``problems``, and nothing is opened
    after a faulty manifest."""
    manifest_read(bundle, roster, problems)
    tables: dict[str, Table] = {}
    if problems.errors:
        return tables
    for kind, (columns, required) in FILES.items():
        if roster.modes.get(kind) is None:
            continue
        name = bundle.names.get(f"{kind}.csv", f"{FILE_TITLES.get(kind, kind)}.csv")
        table = read_table(
            name, bundle.files[f"{kind}.csv"], known=columns, required=required, problems=problems
        )
        if table is not None:
            tables[kind] = table
    return tables


def manifest_read(bundle: Bundle, roster: Roster, problems: Problems) -> None:
    if "manifest.csv" not in bundle.files:
        problems.error("manifest.csv", "missing: a OneRoster bundle starts with its manifest")
        return
    table = read_table(
        bundle.names["manifest.csv"],
        bundle.files["manifest.csv"],
        known=("propertyName", "value"),
        required=("propertyName", "value"),
        problems=problems,
    )
    if table is None:
        return
    properties: dict[str, str] = {}
    for _line, cells in table.rows:
        key = table.get(cells, "propertyName")
        properties[key.lower()] = table.get(cells, "value")
    roster.version = properties.get("oneroster.version", "1.1") or "1.1"
    if roster.version not in ("1.0", "1.1", "1.2"):
        problems.notice(
            "manifest.csv", f"oneroster.version: {roster.version} is not 1.1 or 1.2; read as 1.1"
        )
    handled = set(FILES)
    for key, value in properties.items():
        if not key.startswith("file."):
            continue
        kind = key[len("file.") :]
        mode = value.strip().lower()
        if mode in ("", "absent"):
            continue
        if mode not in ("bulk", "delta"):
            problems.error("manifest.csv", f"{key}: '{value}' is not bulk, delta or absent")
            continue
        if f"{kind}.csv" not in bundle.files:
            problems.error(f"{kind}.csv", f"missing, but manifest.csv lists it as {mode}")
            continue
        if kind in handled:
            roster.modes[kind] = mode
    for name in sorted(bundle.files):
        kind = name[: -len(".csv")]
        if name == "manifest.csv":
            continue
        if kind not in handled:
            problems.notice(bundle.names[name], "not used by this importer, ignored")
        elif roster.modes.get(kind) is None:
            problems.notice(bundle.names[name], "manifest.csv lists it as absent, ignored")
