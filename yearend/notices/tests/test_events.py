"""Notices about things that happened: a date assigned or changed, a reset finished or
failed, an import held, a reset that did not start, syncs left paused."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from yearend.audit.models import Via
from yearend.notices.kinds import NoticeKind
from yearend.notices.models import Notice
from yearend.notices.services import notices_send_due
from yearend.notices.tests.conftest import move_date, utc
from yearend.people.models import Role
from yearend.reports.models import YearEndArchive
from yearend.resetdates.services import reset_dates_assign
from yearend.resets.models import ResetRun, Status, Step
from yearend.rosters.models import HeldImport, ImportRun, SyncState


def to(mailoutbox, kind_subject: str) -> list[str]:
    return sorted(m.to[0] for m in mailoutbox if kind_subject in m.subject)


@pytest.mark.core
def test_district_admins_hear_when_a_date_is_assigned(
    make_organization, person, cycle, other_org, mailoutbox
):
    organization = make_organization("NEW001", name="New District")
    person(Role.DISTRICT_ADMIN, organization, username="dana")
    person(Role.TEACHER, organization, username="terry")
    person(Role.DISTRICT_ADMIN, other_org, username="away")
    reset_dates_assign(cycle=cycle, organizations=[organization], via=Via.SYSTEM)
    notices_send_due()
    assert [m.subject for m in mailoutbox] == [
        "[NEW001] Your 2024 reset date: Friday, August 16, 2024"
    ]
    assert mailoutbox[0].to == ["dana@example.org"]
    assert "(default assignment)" in mailoutbox[0].body
    html, mime = mailoutbox[0].alternatives[0]
    assert mime == "text/html" and "<strong>Friday, August 16, 2024</strong>" in html


@pytest.mark.core
def test_every_district_admin_hears_who_changed_the_date(home, home_people, csm, cycle, mailoutbox):
    notices_send_due()  # the assignment notice
    mailoutbox.clear()
    csm.first_name, csm.last_name = "Casey", "Moss"
    csm.save(update_fields=["first_name", "last_name"])
    move_date(home, cycle, date(2024, 10, 15), csm, now=utc(2024, 6, 3))
    notices_send_due()
    assert to(mailoutbox, "Reset date changed") == ["dale@example.org", "dana@example.org"]
    message = mailoutbox[0]
    assert (
        message.subject == "[HOME01] Reset date changed to Tuesday, October 15, 2024 by Casey Moss"
    )
    assert "changed by Casey Moss (Customer-success manager)" in message.body
    assert "Was: Friday, August 16, 2024" in message.body
    assert "Now: Tuesday, October 15, 2024" in message.body
    assert "Reason: moved in a test" in message.body
    # Teachers are not told about date moves (they hear 14 days before).
    assert not Notice.unscoped.filter(recipient=home_people["teacher"]).exists()


def _run(organization, cycle, **fields) -> ResetRun:
    defaults = {
        "status": Status.SUCCEEDED,
        "step": Step.DONE,
        "reset_date": date(2024, 8, 16),
        "started_at": timezone.now() - timedelta(hours=2),
        "finished_at": timezone.now() - timedelta(hours=1),
    }
    return ResetRun.unscoped.create(
        organization=organization, cycle=cycle, **{**defaults, **fields}
    )


@pytest.mark.core
def test_a_completed_reset_sends_the_certificate_and_the_archives_last_day(
    dated, person, cycle, mailoutbox
):
    organization = dated("KIRI01", time_zone="Pacific/Kiritimati")
    person(Role.DISTRICT_ADMIN, organization, username="kai")
    run = _run(organization, cycle)
    # Kept until 10:00 UTC, Sept 16 = midnight Sept 17 in Kiritimati: last day Sept 16.
    YearEndArchive.unscoped.create(
        organization=organization,
        reset_run_id=run.pk,
        retention_days=30,
        file_name="reports/archives/x.xlsx",
        expires_at=utc(2024, 9, 16, 10),
    )
    notices_send_due()
    notices_send_due()
    [message] = [m for m in mailoutbox if "complete" in m.subject]
    assert message.to == ["kai@example.org"]
    assert f"http://127.0.0.1:8000/org/KIRI01/reset/runs/{run.pk}/certificate.pdf" in message.body
    assert "can be downloaded until Monday, September 16, 2024" in message.body
    assert "/reports/archives/" in message.body


@pytest.mark.core
def test_a_completed_reset_without_archive_says_none_was_kept(home, home_people, cycle, mailoutbox):
    _run(home, cycle)
    notices_send_due()
    [message] = [m for m in mailoutbox if "complete" in m.subject and m.to == ["dana@example.org"]]
    assert "No year-end archive was kept" in message.body


@pytest.mark.core
def test_district_admins_hear_about_a_held_import(home, home_people, mailoutbox):
    run = ImportRun.unscoped.create(
        organization=home, source="sync", status=ImportRun.Status.HELD, started_at=timezone.now()
    )
    HeldImport.unscoped.create(
        organization=home,
        run=run,
        reasons=["Would remove 40% of students (more than 10%)."],
        bundle=b"",
        digest="d",
    )
    notices_send_due()
    notices_send_due()
    held = [m for m in mailoutbox if "held for your review" in m.subject]
    assert sorted(m.to[0] for m in held) == ["dale@example.org", "dana@example.org"]
    assert "- Would remove 40% of students (more than 10%)." in held[0].body
    assert "http://127.0.0.1:8000/org/HOME01/syncs/" in held[0].body


@pytest.mark.core
def test_operations_hear_of_every_failed_attempt(home, ops_people, cycle, mailoutbox):
    run = _run(
        home,
        cycle,
        status=Status.FAILED,
        step=Step.PURGE,
        failed_step=Step.PURGE,
        error="disk full",
        finished_at=None,
    )
    notices_send_due()
    notices_send_due()
    assert to(mailoutbox, "failed at Delete student data") == [
        "olga@example.org",
        "oscar@example.org",
    ]
    assert "Error: disk full" in mailoutbox[0].body
    # Resumed, failed again: a new alert.
    ResetRun.unscoped.filter(pk=run.pk).update(attempts=2, error="disk still full")
    notices_send_due()
    assert len(to(mailoutbox, "failed at")) == 4
    assert "attempt 2" in mailoutbox[-1].body


@pytest.mark.core
def test_operations_hear_of_a_due_reset_that_has_not_started(dated, ops_people, cycle, mailoutbox):
    samoa = dated("SAMOA1", time_zone="Pacific/Pago_Pago")  # Aug 16 begins 11:00 UTC
    kiribati = dated("KIRI01", time_zone="Pacific/Kiritimati")  # begins Aug 15, 10:00 UTC
    notices_send_due(now=utc(2024, 8, 15, 10, 30))  # within the grace
    assert not to(mailoutbox, "has not started")
    notices_send_due(now=utc(2024, 8, 15, 11, 30))
    assert [m.subject for m in mailoutbox if "has not started" in m.subject] == [
        "[ops] Reset of KIRI01 due Friday, August 16, 2024 has not started"
    ] * 2
    assert "Friday, August 16, 2024 at 00:00 (Pacific/Kiritimati)" in mailoutbox[-1].body
    # Samoa's reset started on time: no alert for it, and none twice for Kiribati.
    _run(samoa, cycle, status=Status.RUNNING, step=Step.PURGE, finished_at=None)
    notices_send_due(now=utc(2024, 8, 16, 13))
    assert len(to(mailoutbox, "has not started")) == 2
    assert kiribati.site_code in mailoutbox[-1].subject


@pytest.mark.core
def test_operations_hear_of_syncs_still_paused_a_day_after_a_reset(
    home, ops_people, cycle, mailoutbox
):
    run = _run(home, cycle, finished_at=timezone.now() - timedelta(hours=20))
    SyncState.unscoped.create(
        organization=home, reset_paused_at=run.started_at, reset_run_id=run.pk
    )
    notices_send_due()
    assert not to(mailoutbox, "still paused")
    notices_send_due(now=timezone.now() + timedelta(hours=5))
    assert to(mailoutbox, "still paused") == ["olga@example.org", "oscar@example.org"]
    # A pause set by hand after a reset is someone's decision, not a fault.
    SyncState.unscoped.filter(organization=home).update(
        reset_paused_at=None, reset_run_id=None, manual_paused_at=timezone.now()
    )
    Notice.unscoped.all().delete()
    notices_send_due(now=timezone.now() + timedelta(days=2))
    assert not Notice.unscoped.filter(kind=NoticeKind.OPS_SYNCS_PAUSED).exists()
