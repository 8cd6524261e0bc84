"""The export's XLSX workbook, written by a separate writer process.

XlsxWriter's work is most of an export's time and it is pure Python: on one interpreter
it cannot run while the same process reads the next students (the GIL), so reading and
writing would add up. A spawned writer process receives the rows chunk by chunk through
a pipe and writes them while this process reads on: on two cores an export takes about as
long as the slower of the two. The pipe holds little, and a sender blocks while it is
full, so at most a couple of chunks are in flight and memory stays flat on both sides.

Nothing of Django is imported here, so the writer starts in a fraction of a second and
never touches the database.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

try:
    import fcntl
except ImportError:  # not on Unix
    fcntl = None

import xlsxwriter

TEXT, NUMBER, STAMP = "text", "number", "stamp"


@dataclass(frozen=True)
class Layout:
    """What the writer needs besides the rows (plain data: it crosses to the writer)."""

    about: list[tuple[str, str]]  # (label, text) lines at the top of the first sheet
    columns: list[tuple[str, str]]  # (heading, meaning) in row order
    kinds: list[str]  # TEXT, NUMBER or STAMP per column: each column holds one type
    per_sheet: int  # student rows per sheet, under the header row


def write_workbook(path: str, chunks: Iterable[list[list]], layout: Layout) -> int:
    """Write the workbook here, in this process; returns the number of student rows."""
    workbook = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False})
    try:
        bold = workbook.add_format({"bold": True})
        wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
        stamp = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        headings = [heading for heading, _meaning in layout.columns]

        about = workbook.add_worksheet("About this export")
        about.set_column(0, 0, 24)
        about.set_column(1, 1, 90)
        line = 0
        for label, text in layout.about:
            about.write_string(line, 0, label, bold)
            about.write_string(line, 1, text, wrap)
            line += 1
        line += 1
        about.write_string(line, 0, "Column", bold)
        about.write_string(line, 1, "Meaning", bold)
        for heading, meaning in layout.columns:
            line += 1
            about.write_string(line, 0, heading)
            about.write_string(line, 1, meaning, wrap)
        line += 2
        about.write_string(
            line,
            1,
            f"Students continue on further sheets after {layout.per_sheet:,} rows (Excel's limit).",
            wrap,
        )

        def new_sheet(number: int):
            sheet = workbook.add_worksheet("Students" if number == 1 else f"Students {number}")
            sheet.freeze_panes(1, 0)
            for col, heading in enumerate(headings):
                sheet.write_string(0, col, heading, bold)
            return sheet

        sheet = None
        sheet_rows = layout.per_sheet
        sheet_number = 0
        written = 0
        for rows in chunks:
            for values in rows:
                if sheet_rows >= layout.per_sheet:
                    sheet_number += 1
                    sheet = new_sheet(sheet_number)
                    writers = _column_writers(sheet, layout.kinds, stamp)
                    sheet_rows = 0
                sheet_rows += 1
                for col, write in writers:
                    value = values[col]
                    if value is not None:
                        write(sheet_rows, col, value)
            written += len(rows)
        if sheet is None:
            new_sheet(1)
    finally:
        workbook.close()
    return written


def _column_writers(sheet, kinds: list[str], stamp) -> list[tuple[int, Callable]]:
    """Each column has one type, so its writer is chosen once per sheet, not per cell."""

    def write_stamp(row: int, col: int, value) -> None:
        sheet.write_datetime(row, col, value, stamp)

    by_kind = {TEXT: sheet.write_string, NUMBER: sheet.write_number, STAMP: write_stamp}
    return [(col, by_kind[kind]) for col, kind in enumerate(kinds)]


class WriterFailed(RuntimeError):
    """The writer process could not write the workbook (its error is in the message)."""


def write_workbook_in_process(
    path: str,
    chunks: Iterable[list[list]],
    layout: Layout,
    *,
    progress: Callable[[int], None] | None = None,
    stats: dict | None = None,
) -> int:
    """Write the workbook in a writer process while ``chunks`` is read here.

    ``progress`` gets the number of rows handed to the writer so far. A failure on either
    side stops both: an error while reading stops the writer, a writer's error is raised
    here as ``WriterFailed``. ``stats`` (when given) receives the writer's peak memory.
    """
    # A fresh interpreter running this module, not multiprocessing: a forked child would
    # share this process's database connections, and a spawned one re-imports the
    # caller's main script. Pickles go down its stdin; one line comes back on stdout.
    root = str(Path(__file__).resolve().parents[2])
    search_path = [root, os.environ.get("PYTHONPATH", "")]
    # Errors go to a file, not a pipe: a full pipe nobody reads could block the writer.
    with tempfile.TemporaryFile() as errors:
        writer = subprocess.Popen(
            [sys.executable, "-m", "yearend.reports.workbook"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, search_path))},
        )
        _widen_pipe(writer.stdin)
        try:
            report = _feed(writer, str(Path(path).resolve()), chunks, layout, progress)
        except BaseException:
            writer.kill()
            raise
        finally:
            for stream in (writer.stdin, writer.stdout):
                with contextlib.suppress(OSError):  # a killed writer leaves a broken pipe
                    stream.close()
            writer.wait()
        if writer.returncode != 0 or len(report) != 2:
            errors.seek(0)
            detail = errors.read().decode(errors="replace").strip()[-2000:]
            raise WriterFailed(
                f"the XLSX writer process failed (exit code {writer.returncode}): {detail}"
            )
    if stats is not None:
        stats["writer_peak_rss_mb"] = float(report[1])
    return int(report[0])


def _widen_pipe(stream) -> None:
    """Let the pipe hold about two chunks (Linux: 64 KB by default, a chunk is ~0.5 MB),
    so this side reads on while the writer is busy instead of waiting for it to take the
    next chunk. Best effort: the pipe keeps its size where it cannot grow."""
    set_size = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl else None
    if set_size is not None:
        with contextlib.suppress(OSError):
            fcntl.fcntl(stream.fileno(), set_size, 1 << 20)


def _feed(writer, path, chunks, layout, progress) -> list[bytes]:
    """Hand the rows to the writer; returns its report (rows written, peak memory)."""
    try:
        pickle.dump((path, asdict(layout)), writer.stdin, _PROTOCOL)
        sent = 0
        for rows in chunks:
            pickle.dump(rows, writer.stdin, _PROTOCOL)
            sent += len(rows)
            if progress:
                progress(sent)
        pickle.dump(None, writer.stdin, _PROTOCOL)
        writer.stdin.close()
    except BrokenPipeError:
        # The writer stopped early (its exit code and errors say why): stop reading too.
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
    return writer.stdout.read().split()


_PROTOCOL = pickle.HIGHEST_PROTOCOL


def _serve() -> None:
    """The writer process: rows from stdin to the workbook, then one report on stdout."""
    source = sys.stdin.buffer
    path, layout = pickle.load(source)  # noqa: S301 - from our own parent, a private pipe
    written = write_workbook(path, _received(source), Layout(**layout))
    sys.stdout.write(f"{written} {_peak_rss_mb()}\n")


def _received(source) -> Iterator[list[list]]:
    while (rows := pickle.load(source)) is not None:  # noqa: S301 - as above
        yield rows


def _peak_rss_mb() -> float:
    """This process's peak resident memory. Linux's VmHWM, not getrusage's ru_maxrss,
    which keeps the peak of the parent's memory that the child was forked from."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


if __name__ == "__main__":
    _serve()
