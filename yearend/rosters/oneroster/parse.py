"""Reading one CSV file of a bundle as real SIS exports write it.

Accepts a UTF-8 byte-order mark, CRLF, quoted fields with commas or line breaks, blank
trailing columns and unknown extra columns (noted). Headers are matched without regard
to case, and a few misspellings that real exports carry are read as what they mean.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

PIECE = 1 << 20
Opener = Callable[[], BinaryIO]

# Misspellings seen in real exports, read as the column they mean.
HEADER_ALIASES = {
    "datalastmodified": "dateLastModified",
    "prefferedgivenname": "preferredGivenName",
    "prefferedmiddlename": "preferredMiddleName",
    "prefferedfamilyname": "preferredFamilyName",
}


@dataclass
class Problems:
    """Errors and notices as ``file:line: column: message``. A file with a fault on every
    row would otherwise make as many strings as it has rows: past ``KEPT`` of each kind
    only the count grows, and ``listed`` ends with one line that says how many more."""

    KEPT = 999  # with the closing line, the 1,000 lines a run records

    errors: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    error_count: int = 0
    notice_count: int = 0

    def error(self, where: str, message: str, *, count: int = 1) -> None:
        """Record an error; ``count`` > 1 when the line stands for that many."""
        self.error_count += count
        if len(self.errors) < self.KEPT:
            self.errors.append(f"{where}: {message}")

    def notice(self, where: str, message: str) -> None:
        self.notice_count += 1
        if len(self.notices) < self.KEPT:
            self.notices.append(f"{where}: {message}")

    def listed_errors(self) -> list[str]:
        more = self.error_count - len(self.errors)
        return self.errors + ([f"... and {more:,} more errors, not listed"] if more > 0 else [])

    def listed_notices(self) -> list[str]:
        more = self.notice_count - len(self.notices)
        return self.notices + ([f"... and {more:,} more notices, not listed"] if more > 0 else [])


class Table:
    """One file's header, and its rows read from the file each time they are iterated.

    Rows are never all held in memory: ``rows`` streams ``(line number, cells)`` where
    every row holds exactly ``width`` cells plus a trailing "" that absent columns read.
    ``read_table`` has already checked the whole file is valid UTF-8 and valid CSV.
    """

    def __init__(self, name: str, columns: dict[str, int], opener: Opener, width: int) -> None:
        self.name = name
        self.columns = columns  # canonical column name -> index
        self.opener = opener
        self.width = width

    def index(self, column: str) -> int:
        return self.columns.get(column, self.width)

    def get(self, cells: list[str], column: str) -> str:
        return cells[self.columns.get(column, self.width)].strip()

    @property
    def rows(self) -> Iterator[tuple[int, list[str]]]:
        width = self.width
        padding = [""] * (width + 1)
        with self.opener() as stream:
            records = _stream(stream)
            next(records, None)  # the header
            for line, cells in records:
                if (not cells or not cells[0].strip()) and not "".join(cells).strip():
                    continue  # blank line
                if len(cells) != width:
                    cells = (cells + padding)[:width]
                cells.append("")
                yield line, cells


def _stream(stream: BinaryIO, at: list[int] | None = None) -> Iterator[tuple[int, list[str]]]:
    """(first line number, cells) of each CSV record; raises csv.Error on bad CSV, with
    ``at[0]`` the line the bad record starts on."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    reader = csv.reader(text, strict=True)
    at = at if at is not None else [1]
    at[0] = 1
    try:
        for cells in reader:
            yield at[0], cells
            at[0] = reader.line_num + 1
    finally:
        text.detach()  # the caller closes the stream


@dataclass
class _Scan:
    """What one pass over a file's bytes found."""

    bad_utf8: tuple[int, int] | None = None  # (line, byte) of the first bad byte
    nul: tuple[int, int] | None = None  # (line, byte) of the first NUL character
    has_quote: bool = False
    longest_line: int = 0


def _scan(opener: Opener) -> _Scan:
    """Check a file is valid UTF-8, and whether it has quotes and how long its longest
    line is, reading it in pieces (a large file is never held whole)."""
    found = _Scan()
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = lines = 0
    current = 0  # length of the line the last piece ended in
    with opener() as stream:
        while True:
            piece = stream.read(PIECE)
            final = not piece
            try:
                decoder.decode(piece, final=final)
            except UnicodeDecodeError as error:
                # error.object is the piece after up to three bytes the decoder held back.
                start = offset - (len(error.object) - len(piece)) + error.start
                lines += piece[: max(start - offset, 0)].count(b"\n")
                found.bad_utf8 = (lines + 1, start)
                return found
            if final:
                break
            found.has_quote = found.has_quote or b'"' in piece
            if found.nul is None and (at := piece.find(b"\0")) >= 0:
                found.nul = (lines + piece[:at].count(b"\n") + 1, offset + at)
            parts = piece.split(b"\n")
            if len(parts) == 1:
                current += len(piece)
            else:
                found.longest_line = max(
                    found.longest_line, current + len(parts[0]), *map(len, parts[1:-1])
                )
                current = len(parts[-1])
            lines += len(parts) - 1
            offset += len(piece)
    found.longest_line = max(found.longest_line, current)
    return found


def read_table(
    name: str,
    opener: Opener,
    *,
    known: tuple[str, ...],
    required: tuple[str, ...],
    problems: Problems,
) -> Table | None:
    """Check a file and read its header; None (with errors recorded) when it cannot be
    read at all."""
    scan = _scan(opener)
    if scan.bad_utf8 is not None:
        line, byte = scan.bad_utf8
        problems.error(f"{name}:{line}", f"not valid UTF-8 text (byte {byte})")
        return None
    if scan.nul is not None:
        # Valid UTF-8, but no database column (nor PostgreSQL's JSON) can hold it.
        line, byte = scan.nul
        problems.error(f"{name}:{line}", f"a NUL character (byte {byte}) is not text")
        return None
    # Without a quote character, the reader's only error left is a field longer than its
    # limit, which no line shorter than the limit can hold: the checking pass is skipped.
    check_all = scan.has_quote or scan.longest_line >= csv.field_size_limit()
    header_line, header = 1, None
    at = [1]
    try:
        with opener() as stream:
            for line, cells in _stream(stream, at):
                if header is None:
                    header_line, header = line, cells
                    if not check_all:
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
    return Table(name=name, columns=columns, opener=opener, width=len(header))
