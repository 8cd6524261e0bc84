"""The XLSX workbook is written by a writer process: its errors reach the caller, an error
while reading stops it, and nothing is left running."""

import os
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from yearend.reports.workbook import (
    NUMBER,
    STAMP,
    TEXT,
    Layout,
    WriterFailed,
    write_workbook_in_process,
)

LAYOUT = Layout(
    about=[("Organization", "Test district")],
    columns=[("Name", "A name."), ("Score", "A number."), ("When", "A time.")],
    kinds=[TEXT, NUMBER, STAMP],
    per_sheet=3,
)


def _writers_of_this_process() -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == os.getpid() and b"yearend.reports.workbook" in command:
            found.append(int(entry.name))
    return found


def test_it_writes_the_rows_across_sheets_and_reports_its_memory(tmp_path):
    rows = [[f"=student {n}", n, datetime(2024, 5, 1, 8, n)] for n in range(5)]
    stats = {}
    progress = []
    written = write_workbook_in_process(
        str(tmp_path / "w.xlsx"),
        iter([rows[:2], rows[2:]]),
        LAYOUT,
        progress=progress.append,
        stats=stats,
    )
    assert written == 5
    assert progress == [2, 5]
    assert 0 < stats["writer_peak_rss_mb"] < 200
    workbook = openpyxl.load_workbook(tmp_path / "w.xlsx", read_only=True)
    assert workbook.sheetnames == ["About this export", "Students", "Students 2"]
    first = list(workbook["Students"].iter_rows(values_only=True))
    second = list(workbook["Students 2"].iter_rows(values_only=True))
    workbook.close()
    assert first[0] == ("Name", "Score", "When") == second[0]
    # Text stays text (no formula), numbers and times keep their types.
    assert first[1] == ("=student 0", 0, datetime(2024, 5, 1, 8, 0))
    assert [r[1] for r in first[1:] + second[1:]] == [0, 1, 2, 3, 4]


def test_a_writer_error_reaches_the_caller(tmp_path):
    missing = tmp_path / "no such folder" / "w.xlsx"
    with pytest.raises(WriterFailed, match="No such file or directory"):
        write_workbook_in_process(str(missing), iter([[["a", 1, None]]]), LAYOUT)
    assert _writers_of_this_process() == []


def test_an_error_while_reading_stops_the_writer(tmp_path):
    def chunks():
        yield [["a", 1, None]]
        assert _writers_of_this_process()  # the writer is running meanwhile
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError, match="went away"):
        write_workbook_in_process(str(tmp_path / "w.xlsx"), chunks(), LAYOUT)
    assert _writers_of_this_process() == []
