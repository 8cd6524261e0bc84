"""The export reads set-based: queries grow with chunks, not with students."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from yearend.reports.export import export_rows

pytestmark = [pytest.mark.core, pytest.mark.django_db]


def _queries(org, chunk):
    with CaptureQueriesContext(connection) as captured:
        rows = [row for rows in export_rows(org, chunk=chunk) for row in rows]
    assert len(rows) == 40
    return len(captured)


def test_it_reads_each_table_once_per_chunk(seeded_org):
    one_chunk = _queries(seeded_org, 2_000)
    assert one_chunk <= 15
    # Four chunks of 10: about four times the queries, never one per student.
    assert _queries(seeded_org, 10) <= 4 * one_chunk + 1
