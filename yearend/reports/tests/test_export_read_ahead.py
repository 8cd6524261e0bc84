"""The export reads its next chunks on a second thread while it writes (outside transactions)."""

import threading
from datetime import date

import openpyxl
import pytest

from yearend.demo.seeding import seed_demo
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
def test_the_read_ahead_export_matches_the_rows_read_in_turn(tmp_path):
    org = seed_demo(
        organizations=1, students_per_org=12, seed=3, as_of=date(2024, 6, 20)
    ).organizations[0]
    expected = [row for rows in export_rows(org, chunk=5) for row in rows]
    path = tmp_path / "export.xlsx"
    assert write_export(path, organization=org) == len(expected) == 12
    workbook = openpyxl.load_workbook(path, read_only=True)
    rows = list(workbook["Students"].iter_rows(values_only=True))
    workbook.close()
    assert list(rows[0]) == HEADINGS
    assert [r[0] for r in rows[1:]] == [r[0] for r in expected]
