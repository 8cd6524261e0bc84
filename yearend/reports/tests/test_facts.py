"""Reports' facts that notices reads through the reset engine's hooks (it may not import
reports): a district's last whole export downloaded, and the archives still kept."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from yearend.organizations.models import School
from yearend.reports.models import ExportJob, YearEndArchive
from yearend.resetdates.models import ResetCycle
from yearend.resets.hooks import KeptArchive, kept_archives, last_export_downloads
from yearend.resets.models import ResetRun

pytestmark = [pytest.mark.core, pytest.mark.django_db]


def _downloaded(organization, at, school=None) -> ExportJob:
    return ExportJob.unscoped.create(
        organization=organization, school=school, status=ExportJob.Status.DONE, downloaded_at=at
    )


def test_it_tells_when_each_district_last_downloaded_its_whole_export(org, other_org):
    first, last = datetime(2024, 5, 1, tzinfo=UTC), datetime(2024, 6, 1, tzinfo=UTC)
    _downloaded(org, first)
    _downloaded(org, last)
    ExportJob.unscoped.create(organization=org, status=ExportJob.Status.DONE)  # not downloaded
    # One school's export is not the district's: it does not count.
    _downloaded(other_org, last, school=School.tenant.of(other_org).first())
    assert last_export_downloads([org.pk, other_org.pk]) == {org.pk: last}
    assert last_export_downloads([]) == {}


def test_it_gives_the_archive_of_each_run_only_while_it_is_kept(make_organization):
    cycle = ResetCycle.objects.get(year=2024)
    kept, destroyed, none_kept, without = (
        ResetRun.unscoped.create(
            organization=make_organization(site_code), cycle=cycle, started_at=timezone.now()
        )
        for site_code in ("KEPT01", "GONE01", "NONE01", "LOST01")
    )
    expires_at = timezone.now() + timedelta(days=30)

    def archive(run, **fields) -> YearEndArchive:
        return YearEndArchive.unscoped.create(
            organization_id=run.organization_id,
            reset_run_id=run.pk,
            retention_days=30,
            expires_at=expires_at,
            **fields,
        )

    archived = archive(kept, file_name="reports/archives/kept.xlsx")
    archive(destroyed, file_name="reports/archives/gone.xlsx", destroyed_at=timezone.now())
    archive(none_kept, file_name="", destroyed_at=timezone.now())  # retention 0
    assert kept_archives([kept, destroyed, none_kept, without]) == {
        kept.pk: KeptArchive(archive_id=archived.pk, expires_at=expires_at)
    }
