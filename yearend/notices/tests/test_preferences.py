"""Each person may turn off optional notices; operations' failure alerts stay on."""

from __future__ import annotations

from datetime import date

import pytest

from yearend.audit.models import AuditEvent
from yearend.errors import InvalidInput
from yearend.notices.kinds import NoticeKind
from yearend.notices.models import Notice, NoticeOptOut
from yearend.notices.services import notice_preferences_update, notices_send_due
from yearend.notices.tests.conftest import utc
from yearend.notices.tests.test_events import _run
from yearend.resets.models import Status, Step


@pytest.mark.core
def test_a_district_admin_who_turned_reminders_off_gets_none(home, home_people, mailoutbox):
    dana = home_people["da1"]
    notice_preferences_update(user=dana, turned_off=[NoticeKind.REMINDER])
    assert AuditEvent.objects.filter(action="notices.preferences_changed", actor=dana).exists()
    notices_send_due(as_of=date(2024, 7, 17), now=utc(2024, 7, 17, 12))
    assert [m.to[0] for m in mailoutbox] == ["dale@example.org"]
    assert not Notice.unscoped.filter(recipient=dana).exists()
    # Turned on again: the next stage reaches her.
    notice_preferences_update(user=dana, turned_off=[])
    notices_send_due(as_of=date(2024, 8, 2), now=utc(2024, 8, 2, 12))
    assert Notice.unscoped.filter(recipient=dana, kind=NoticeKind.REMINDER).count() == 1


@pytest.mark.core
def test_operations_cannot_turn_failure_alerts_off(home, ops_people, cycle, mailoutbox):
    olga = ops_people[0]
    with pytest.raises(InvalidInput, match="cannot be turned off"):
        notice_preferences_update(user=olga, turned_off=[NoticeKind.OPS_RESET_FAILED])
    # Even a forged opt-out row changes nothing.
    NoticeOptOut.objects.create(user=olga, kind=NoticeKind.OPS_RESET_FAILED)
    _run(home, cycle, status=Status.FAILED, failed_step=Step.VERIFY, finished_at=None)
    notices_send_due()
    assert "olga@example.org" in [m.to[0] for m in mailoutbox]


def test_unknown_or_foreign_kinds_are_refused(home_people):
    teacher = home_people["teacher"]
    with pytest.raises(InvalidInput, match="Unknown kind"):
        notice_preferences_update(user=teacher, turned_off=["everything"])
    with pytest.raises(InvalidInput, match="do not get these notices"):
        notice_preferences_update(user=teacher, turned_off=[NoticeKind.REMINDER])
    assert notice_preferences_update(user=teacher, turned_off=[NoticeKind.PRINT_REPORTS]) == [
        NoticeKind.PRINT_REPORTS
    ]
