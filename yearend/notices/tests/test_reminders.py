"""Reminders 30, 14, 7 and 1 days before the reset, with what is still undone."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from yearend.notices.kinds import NoticeKind
from yearend.notices.models import Delivery, Notice
from yearend.notices.planning import Clock, reminder_stage
from yearend.notices.services import notices_record_due, notices_send_due
from yearend.notices.tests.conftest import date_of, move_date, utc
from yearend.people.models import Role
from yearend.reports.models import ExportJob
from yearend.rosters.models import ImportRun

AUG_16 = date(2024, 8, 16)


def reminders(kind=NoticeKind.REMINDER):
    return Notice.unscoped.filter(kind=kind).exclude(delivery=Delivery.CANCELLED)


def test_it_calls_for_the_current_stage_only():
    assert [reminder_stage(d) for d in (31, 30, 15, 14, 8, 7, 2, 1, 0)] == [
        None,
        30,
        30,
        14,
        14,
        7,
        7,
        1,
        None,
    ]


@pytest.mark.core
def test_it_reminds_district_admins_30_14_7_1_days_before_and_once_each(
    home, home_people, other_org, person, cycle, mailoutbox
):
    assert date_of(home, cycle) == AUG_16
    person(Role.DISTRICT_ADMIN, other_org, username="away")  # other tenant: never told
    sent_on = {}
    day = date(2024, 7, 10)
    while day < AUG_16 + timedelta(days=2):
        before = len(mailoutbox)
        notices_send_due(as_of=day)
        notices_send_due(as_of=day)  # a second pass the same day sends nothing more
        for message in mailoutbox[before:]:
            if message.extra_headers["X-Yearend-Notice"].startswith("reminder:"):
                sent_on.setdefault(day, set()).update(message.to)
        day += timedelta(days=1)
    admins = {"dana@example.org", "dale@example.org"}
    assert sent_on == {
        date(2024, 7, 17): admins,
        date(2024, 8, 2): admins,
        date(2024, 8, 9): admins,
        date(2024, 8, 15): admins,
    }
    assert reminders().count() == 8
    first = next(m for m in mailoutbox if "30 days" in m.subject)
    assert "Friday, August 16, 2024" in first.subject
    last = next(m for m in mailoutbox if "tomorrow" in m.subject)
    assert last.subject.startswith("[HOME01] Your reset is tomorrow, Friday, August 16, 2024")
    assert "Friday, August 16, 2024" in first.alternatives[0][0]


@pytest.mark.core
def test_teachers_and_school_admins_are_told_14_days_before_to_print_reports(
    home, home_people, mailoutbox
):
    notices_send_due(as_of=date(2024, 7, 31))  # 16 days before: nothing for them
    assert not reminders(NoticeKind.PRINT_REPORTS).exists()
    notices_send_due(as_of=date(2024, 8, 2))
    notices_send_due(as_of=date(2024, 8, 9))
    printed = [m for m in mailoutbox if "Print progress reports" in m.subject]
    assert sorted(m.to[0] for m in printed) == ["sam@example.org", "terry@example.org"]
    assert "Friday, August 16, 2024" in printed[0].body
    assert "in 14 days" in printed[0].body
    # District admins get their own reminder, not this one.
    assert not reminders(NoticeKind.PRINT_REPORTS).filter(recipient__role="district_admin")


@pytest.mark.core
def test_the_reminder_lists_what_is_still_undone(home, home_people, person, mailoutbox):
    home.last_day_of_summer_school = date(2024, 8, 16)
    home.save(update_fields=["last_day_of_summer_school"])
    # Last year's roster (school year 2023-24 is "2024"); the new one would be "2025".
    ImportRun.unscoped.create(
        organization=home,
        source="sync",
        status=ImportRun.Status.APPLIED,
        started_at=utc(2024, 6, 1),
        finished_at=utc(2024, 6, 1, 0, 5),
        school_year="2024",
    )
    gone = person(Role.TEACHER, home, username="gone")
    gone.last_login = utc(2023, 9, 1)  # 320 days before the pass
    gone.save(update_fields=["last_login"])
    for user in (gone, *home_people.values()):
        user.sis_sourced_id = f"sis-{user.username}"
        user.save(update_fields=["sis_sourced_id"])
    person(Role.TEACHER, home, username="manual")
    notices_send_due(as_of=date(2024, 7, 17), now=utc(2024, 7, 17, 12))
    body = next(m for m in mailoutbox if m.to == ["dana@example.org"]).body
    assert "Download the Student Data Export" in body
    # "gone" has not signed in for long; "manual" is not in the roster from the SIS.
    assert "Clean up educators: 2 educator accounts may belong to people who have left" in body
    assert "still for school year 2024, not 2025" in body
    assert (
        "Friday, August 16, 2024 is not after the last day of summer school "
        "(Friday, August 16, 2024)" in body
    )
    assert "4 things still to do" in mailoutbox[0].subject


@pytest.mark.core
def test_a_reminder_with_everything_done_says_so(home, home_people, mailoutbox):
    for user in home_people.values():  # everyone is in the roster from the SIS
        user.sis_sourced_id = f"sis-{user.username}"
        user.save(update_fields=["sis_sourced_id"])
    ImportRun.unscoped.create(
        organization=home,
        source="sync",
        status=ImportRun.Status.APPLIED,
        started_at=utc(2024, 7, 1),
        finished_at=utc(2024, 7, 1, 0, 5),
        school_year="2025",  # school year 2024-25: the new one
    )
    ExportJob.unscoped.create(
        organization=home,
        status=ExportJob.Status.DONE,
        file_name="x.xlsx",
        downloaded_at=utc(2024, 7, 10),
    )
    notices_send_due(as_of=date(2024, 8, 2), now=utc(2024, 8, 2, 12))
    message = next(m for m in mailoutbox if m.to == ["dana@example.org"])
    assert "things still to do" not in message.subject
    assert "Everything we check is done" in message.body
    assert "Download the Student Data Export" not in message.body


@pytest.mark.core
def test_a_date_change_re_plans_the_reminders(home, home_people, cycle, mailoutbox):
    dana = home_people["da1"]
    # Recorded for August 16 but not sent yet (the worker stopped right after planning).
    notices_record_due(Clock.for_pass(now=utc(2024, 7, 20), as_of=date(2024, 7, 20)))
    assert reminders().filter(planned_for=AUG_16, delivery=Delivery.PENDING).count() == 2
    move_date(home, cycle, date(2024, 8, 2), dana, now=utc(2024, 7, 20, 15))
    result = notices_send_due(as_of=date(2024, 7, 21), now=utc(2024, 7, 21, 15))
    assert result["cancelled"] == 2
    assert not Notice.unscoped.filter(planned_for=AUG_16).exclude(delivery=Delivery.CANCELLED)
    new = reminders().filter(planned_for=date(2024, 8, 2))
    assert new.count() == 2 and set(new.values_list("delivery", flat=True)) == {Delivery.SENT}
    # 12 days before August 2: the 14-day stage of the new date, at once.
    assert sorted({m.subject for m in mailoutbox}) == [
        "[HOME01] 12 days to your reset on Friday, August 2, 2024: 1 thing still to do",
        "[HOME01] Print progress reports before the reset on Friday, August 2, 2024",
    ]
    # Then the new date's next stage follows, 7 days before August 2.
    notices_send_due(as_of=date(2024, 7, 22))
    assert len(mailoutbox) == 4
    notices_send_due(as_of=date(2024, 7, 26))
    assert reminders().filter(planned_for=date(2024, 8, 2)).count() == 4


@pytest.mark.core
def test_a_started_reset_gets_no_more_reminders(home, home_people, cycle):
    from yearend.resetdates.models import OrganizationResetDate

    notices_record_due(Clock.for_pass(now=utc(2024, 8, 14), as_of=date(2024, 8, 14)))
    OrganizationResetDate.tenant.of(home).update(locked_at=utc(2024, 8, 15))
    result = notices_send_due(as_of=date(2024, 8, 15), now=utc(2024, 8, 15))
    # Two reminders and two print-reports notices, none sent.
    assert result["cancelled"] == 4 and result["sent"] == 0


@pytest.mark.core
@pytest.mark.parametrize(
    ("time_zone", "first_moment", "not_yet"),
    [
        # UTC+14: the day begins 14 hours before it does in London.
        ("Pacific/Kiritimati", utc(2024, 7, 16, 10, 30), utc(2024, 7, 16, 9, 30)),
        # UTC-11: it begins 11 hours after.
        ("Pacific/Pago_Pago", utc(2024, 7, 17, 11, 30), utc(2024, 7, 17, 10, 30)),
        # UTC-9 in summer (Aleutians, daylight time).
        ("America/Adak", utc(2024, 7, 17, 9, 30), utc(2024, 7, 17, 8, 30)),
    ],
)
def test_the_30_day_reminder_goes_when_that_day_begins_locally(
    dated, person, time_zone, first_moment, not_yet, mailoutbox
):
    organization = dated("ZONE01", time_zone=time_zone, country="US", subdivision="")
    person(Role.DISTRICT_ADMIN, organization, username="zoe")
    notices_send_due(now=not_yet)
    assert mailoutbox == []
    notices_send_due(now=first_moment)
    assert [m.subject for m in mailoutbox] == [
        "[ZONE01] 30 days to your reset on Friday, August 16, 2024: 1 thing still to do"
    ]
    notices_send_due(now=first_moment + timedelta(hours=23))
    assert len(mailoutbox) == 1


@pytest.mark.core
def test_downloading_the_export_takes_it_off_the_list(client, home, home_people, mailoutbox):
    from yearend.reports.services import media_path

    job = ExportJob.unscoped.create(
        organization=home, status=ExportJob.Status.DONE, file_name="notices-test/export.xlsx"
    )
    media_path(job.file_name).parent.mkdir(parents=True, exist_ok=True)
    media_path(job.file_name).write_bytes(b"xlsx")
    notices_send_due(as_of=date(2024, 8, 2), now=utc(2024, 8, 2, 12))
    assert "Download the Student Data Export" in mailoutbox[0].body
    client.force_login(home_people["da1"])
    response = client.get(reverse("portal:export-download", args=[job.pk]))
    assert response.status_code == 200
    # Read through the test client's wrapper: a bare close() would close the database
    # connection as at the end of a real request.
    assert b"".join(response.streaming_content) == b"xlsx"
    job.refresh_from_db()
    assert job.downloaded_at is not None
    # The pass compares with the real download time: replay a day after it.
    notices_send_due(as_of=date(2024, 8, 9), now=job.downloaded_at + timedelta(days=1))
    seven_days = [m for m in mailoutbox if "7 days" in m.subject]
    assert seven_days and "Download the Student Data Export" not in seven_days[0].body
