"""Reading one CSV file of a bundle as real SIS exports write it.

Accepts a UTF-8 byte-order mark, CRLF, quoted fields with commas or line breaks, blank
trailing columns and unknown extra columns (noted). Headers are matched without regard
to case, and a few misspellings that real exports carry are read as what they mean.
"""

from __future__ import annotations

import codecs
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


class Table:
    """One file's header, and its rows read from the bytes each time they are iterated.

    Rows are never all held in memory: ``rows`` streams ``(line number, cells)`` where
    every row holds exactly ``width`` cells plus a trailing "" that absent columns read.
    ``read_table`` has already checked the whole file is valid UTF-8 and valid CSV.
    """

    def __init__(self, name: str, columns: dict[str, int], data: bytes, width: int) -> None:
        self.name = name
        self.columns = columns  # canonical column name -> index
        self.data = data
        self.width = width

    def index(self, column: str) -> int:
        return self.columns.get(column, self.width)

    def get(self, cells: list[str], column: str) -> str:
        return cells[self.columns.get(column, self.width)].strip()

    @property
    def rows(self) -> Iterator[tuple[int, list[str]]]:
        width = self.width
        padding = [""] * (width + 1)
        records = _stream(self.data)
        next(records, None)  # the header
        for line, cells in records:
            if (not cells or not cells[0].strip()) and not "".join(cells).strip():
                continue  # blank line
            if len(cells) != width:
                cells = (cells + padding)[:width]
            cells.append("")
            yield line, cells


def _stream(data: bytes, at: list[int] | None = None) -> Iterator[tuple[int, list[str]]]:
    """(first line number, cells) of each CSV record; raises csv.Error on bad CSV, with
    ``at[0]`` the line the bad record starts on."""
    text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
    reader = csv.reader(text, strict=True)
    at = at if at is not None else [1]
    at[0] = 1
    for cells in reader:
        yield at[0], cells
        at[0] = reader.line_num + 1


def decode_error(name: str, data: bytes, problems: Problems) -> bool:
    """Record an error and return True unless ``data`` is all valid UTF-8 (checked in
    pieces, so a large file is never held twice)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    piece = 1 << 20
    for start in range(0, max(len(data), 1), piece):
        try:
            decoder.decode(data[start : start + piece], final=start + piece >= len(data))
        except UnicodeDecodeError:
            break
    else:
        return False
    try:  # a bad file: decode it whole, for the exact place of the first bad byte
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        problems.error(f"{name}:{line}", f"not valid UTF-8 text (byte {error.start})")
    return True


def _cannot_be_bad_csv(data: bytes) -> bool:
    """True when reading ``data`` as CSV cannot fail, so the checking pass over a large
    file can be skipped: without a quote character, the reader's only error left is a
    field longer than its limit, which no line shorter than the limit can hold."""
    if b'"' in data:
        return False
    limit = csv.field_size_limit()
    return len(data) < limit or max(map(len, data.split(b"\n"))) < limit


def read_table(
    name: str, data: bytes, *, known: tuple[str, ...], required: tuple[str, ...], problems: Problems
) -> Table | None:
    """Check a file and read its header; None (with errors recorded) when it cannot be
    read at all."""
    if decode_error(name, data, problems):
        return None
    header_line, header = 1, None
    at = [1]
    try:
        for line, cells in _stream(data, at):
            if header is None:
                header_line, header = line, cells
                if _cannot_be_bad_csv(data):
                    break
    except csv.Error as error:
        problems.error(f"{name}:{at[0]}", f"not valid CSV ({error})")
        return None
    if header is None:
        problems.error(f"{name}:1", "the file is empty (no header line)")
        return None
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
    return Table(name=name, columns=columns, data=data, width=len(header))
