"""The export reads its next chunks on a second thread while it writes (outside transactions)."""

import threading
from datetime import date

import openpyxl
import pytest

from yearend.demo.seeding import seed_demo
from yearend.reports import export
from yearend.reports.export import HEADINGS, export_rows, read_ahead, write_export


def _chunks(count, fail_at=None):
    for n in range(count):
        if n == fail_at:
            raise RuntimeError("the database went away")
        yield [[n]]


def test_it_yields_every_chunk_in_order():
    assert list(read_ahead(_chunks(7))) == [[[n]] for n in range(7)]


def test_an_error_while_reading_reaches_the_writer():
    seen = []
    with pytest.raises(RuntimeError, match="went away"):
        for rows in read_ahead(_chunks(5, fail_at=3)):
            seen.append(rows)
    assert seen == [[[0]], [[1]], [[2]]]


def test_a_writer_that_stops_early_leaves_no_reader_behind():
    before = threading.active_count()
    for _rows in read_ahead(_chunks(50), depth=1):
        break
    assert threading.active_count() == before


@pytest.mark.core
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("in_process_students", [0, 1_000])
def test_the_read_ahead_export_matches_the_rows_read_in_turn(
    tmp_path, monkeypatch, in_process_students
):
    # 0: every export reads ahead into the writer process; 1,000: these 12 students are
    # read and written in this process, with neither the thread nor the writer started.
    monkeypatch.setattr(export, "IN_PROCESS_STUDENTS", in_process_students)
    started = {"threads": 0, "writers": 0}
    real_thread, real_writer = threading.Thread.start, export.write_workbook_in_process

    def thread_start(self):
        started["threads"] += 1
        return real_thread(self)

    def writer(*args, **kwargs):
        started["writers"] += 1
        return real_writer(*args, **kwargs)

    org = seed_demo(
        organizations=1, students_per_org=12, seed=3, as_of=date(2024, 6, 20)
    ).organizations[0]
    expected = [row for rows in export_rows(org, chunk=5) for row in rows]
    path = tmp_path / "export.xlsx"
    monkeypatch.setattr(threading.Thread, "start", thread_start)
    monkeypatch.setattr(export, "write_workbook_in_process", writer)
    assert write_export(path, organization=org) == len(expected) == 12
    monkeypatch.undo()
    small = in_process_students >= 12
    assert started == {"threads": 0, "writers": 0} if small else {"threads": 1, "writers": 1}
    workbook = openpyxl.load_workbook(path, read_only=True)
    rows = list(workbook["Students"].iter_rows(values_only=True))
    workbook.close()
    assert list(rows[0]) == HEADINGS
    assert [r[0] for r in rows[1:]] == [r[0] for r in expected]
