from datetime import timedelta

import pytest
from django.utils import timezone

from yearend.reports.archive import archive_freeze
from yearend.reports.models import YearEndArchive
from yearend.scheduling.periodic import registered_jobs

pytestmark = [pytest.mark.core, pytest.mark.django_db]


def test_the_hourly_job_destroys_expired_archives(seeded_org, monkeypatch):
    archive = archive_freeze(
        organization=seeded_org, reset_run_id=1, now=timezone.now() - timedelta(days=31)
    )
    job = registered_jobs()["reports.expire_files"]
    assert job.every == timedelta(hours=1)
    job.function()
    archive.refresh_from_db()
    assert archive.destroyed_at is not None
    assert YearEndArchive.tenant.of(seeded_org).get().kept is False
