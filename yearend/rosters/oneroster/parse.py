"""Reading one CSV file of a bundle as real SIS exports write it.

Accepts a UTF-8 byte-order mark, CRLF, quoted fields with commas or line breaks, blank
trailing columns and unknown extra columns (noted). Headers are matched without regard
to case, and a few misspellings that real exports carry are read as what they mean.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field

# Misspellings seen in real exports, read as the column they mean.
HEADER_ALIASES = {
    "datalastmodified": "dateLastModified",
    "prefferedgivenname": "preferredGivenName",
    "prefferedmiddlename": "preferredMiddleName",
    "prefferedfamilyname": "preferredFamilyName",
}


@dataclass
class Problems:
    errors: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    def error(self, where: str, message: str) -> None:
        self.errors.append(f"{where}: {message}")

    def notice(self, where: str, message: str) -> None:
        self.notices.append(f"{where}: {message}")


@dataclass
class Table:
    name: str
    columns: dict[str, int]  # canonical column name -> index

    rows: list[tuple[int, list[str]]]  # (line number, cells)
    # Every row holds exactly ``width`` cells plus a trailing "" that absent columns read.
    width: int = 0

    def index(self, column: str) -> int:
        return self.columns.get(column, self.width)

    def get(self, cells: list[str], column: str) -> str:
        return cells[self.columns.get(column, self.width)].strip()


def decode(name: str, data: bytes, problems: Problems) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        problems.error(f"{name}:{line}", f"not valid UTF-8 text (byte {error.start})")
        return None


def read_table(
    name: str, data: bytes, *, known: tuple[str, ...], required: tuple[str, ...], problems: Problems
) -> Table | None:
    """Parse a file; None (with errors recorded) when it cannot be read at all."""
    text = decode(name, data, problems)
    if text is None:
        return None
    records = _records(name, text, problems)
    if records is None:
        return None
    if not records:
        problems.error(f"{name}:1", "the file is empty (no header line)")
        return None
    header_line, header = records[0]
    canonical = {c.lower(): c for c in known}
    columns: dict[str, int] = {}
    for index, raw in enumerate(header):
        label = raw.strip().lstrip("\ufeff")
        if not label:
            continue  # blank trailing header cells
        key = label.lower()
        if key in HEADER_ALIASES and HEADER_ALIASES[key].lower() in canonical:
            problems.notice(
                f"{name}:{header_line}",
                f"{label}: read as {HEADER_ALIASES[key]} (misspelled header)",
            )
            key = HEADER_ALIASES[key].lower()
        if key not in canonical:
            problems.notice(f"{name}:{header_line}", f"{label}: unknown column, ignored")
            continue
        column = canonical[key]
        if column in columns:
            problems.error(f"{name}:{header_line}", f"{label}: column appears twice")
            continue
        columns[column] = index
    missing = [c for c in required if c not in columns]
    for column in missing:
        problems.error(f"{name}:{header_line}", f"{column}: required column is missing")
    if missing:
        return None
    width = len(header)
    padding = [""] * (width + 1)
    rows = []
    for line, cells in records[1:]:
        if not "".join(cells).strip():
            continue  # blank line
        if len(cells) != width:
            cells = (cells + padding)[:width]
        cells.append("")
        rows.append((line, cells))
    return Table(name=name, columns=columns, rows=rows, width=width)


def _records(name: str, text: str, problems: Problems) -> list[tuple[int, list[str]]] | None:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for cells in _iterate(reader):
            records.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as error:
        problems.error(f"{name}:{start}", f"not valid CSV ({error})")
        return None
    return records


def _iterate(reader) -> Iterator[list[str]]:
    yield from reader
