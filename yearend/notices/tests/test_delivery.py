"""Recorded before sent, never sent twice: repeated passes, a worker killed at each point,
a mail server that refuses, people without an address."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from yearend.notices import services
from yearend.notices.models import Delivery, Notice
from yearend.notices.services import SEND_STALE_AFTER, notices_send_due
from yearend.notices.tests.conftest import utc
from yearend.people.models import Role

# August 2, 2024: 14 days before the home district's reset on August 16.
DAY = date(2024, 8, 2)
NOW = utc(2024, 8, 2, 15)


class WorkerKilled(BaseException):
    """Stands in for SIGKILL: not an Exception, so no handler in the code catches it."""


def kill(*args, **kwargs):
    raise WorkerKilled


def deliveries(mailoutbox) -> list[tuple[str, str]]:
    return sorted((m.to[0], m.extra_headers["X-Yearend-Notice"]) for m in mailoutbox)


@pytest.fixture
def due(home, home_people):
    """Four notices due on DAY: two reminders, two print-reports notices."""
    return home


@pytest.mark.core
def test_repeated_passes_send_each_notice_once(due, mailoutbox):
    first = notices_send_due(as_of=DAY, now=NOW)
    for hours in (0, 1, 30):
        again = notices_send_due(as_of=DAY, now=NOW + timedelta(hours=hours))
        assert again["recorded"] == 0 and again["sent"] == 0
    assert first["recorded"] == first["sent"] == 4
    assert len(mailoutbox) == 4 == len(set(deliveries(mailoutbox)))
    assert set(Notice.unscoped.values_list("delivery", flat=True)) == {Delivery.SENT}


@pytest.mark.core
def test_a_worker_killed_after_recording_loses_nothing(due, mailoutbox, monkeypatch):
    with monkeypatch.context() as patched:
        patched.setattr(services, "notices_deliver", kill)
        with pytest.raises(WorkerKilled):
            notices_send_due(as_of=DAY, now=NOW)
    assert Notice.unscoped.filter(delivery=Delivery.PENDING).count() == 4
    assert mailoutbox == []
    notices_send_due(as_of=DAY, now=NOW + timedelta(minutes=5))
    notices_send_due(as_of=DAY, now=NOW + timedelta(minutes=10))
    assert len(mailoutbox) == 4 == len(set(deliveries(mailoutbox)))


@pytest.mark.core
def test_a_worker_killed_between_claim_and_send_leaves_that_notice_in_the_portal_only(
    due, mailoutbox, monkeypatch
):
    with monkeypatch.context() as patched:
        patched.setattr(services, "_send", kill)
        with pytest.raises(WorkerKilled):
            notices_send_due(as_of=DAY, now=NOW)
    claimed = Notice.unscoped.get(delivery=Delivery.SENDING)
    # The others are untouched; the pass that follows sends them but leaves the claim
    # alone while it is fresh (its worker may still be alive).
    notices_send_due(as_of=DAY, now=NOW + timedelta(minutes=1))
    assert len(mailoutbox) == 3
    assert Notice.unscoped.get(pk=claimed.pk).delivery == Delivery.SENDING
    # Once stale it is given up, not resent: whether its mail left cannot be known.
    notices_send_due(as_of=DAY, now=NOW + SEND_STALE_AFTER + timedelta(minutes=1))
    notices_send_due(as_of=DAY, now=NOW + SEND_STALE_AFTER * 3)
    assert len(mailoutbox) == 3 == len(set(deliveries(mailoutbox)))
    claimed.refresh_from_db()
    assert claimed.delivery == Delivery.INTERRUPTED and claimed.attempts == 1
    assert "not resent" in claimed.last_error


@pytest.mark.core
def test_a_worker_killed_after_the_send_never_sends_it_again(due, mailoutbox, monkeypatch):
    """The mail left, the worker died before writing SENT: it is never mailed twice."""
    with monkeypatch.context() as patched:
        patched.setattr(services, "_mark_sent", kill)
        with pytest.raises(WorkerKilled):
            notices_send_due(as_of=DAY, now=NOW)
    assert len(mailoutbox) == 1
    for minutes in (1, 20, 40, 60 * 24):
        notices_send_due(as_of=DAY, now=NOW + timedelta(minutes=minutes))
    sent = deliveries(mailoutbox)
    assert len(sent) == 4 == len(set(sent))
    assert Notice.unscoped.filter(delivery=Delivery.INTERRUPTED).count() == 1


@pytest.mark.core
def test_a_refusing_mail_server_is_retried_then_given_up(due, mailoutbox, monkeypatch):
    def refuse(notice, connection):
        raise ConnectionRefusedError("smtp down")

    with monkeypatch.context() as patched:
        patched.setattr(services, "_send", refuse)
        first = notices_send_due(as_of=DAY, now=NOW)
        assert first["retry"] == 4
        for attempt in range(services.MAX_ATTEMPTS - 1):
            notices_send_due(as_of=DAY, now=NOW + timedelta(minutes=5 * (attempt + 1)))
    failed = Notice.unscoped.filter(delivery=Delivery.FAILED)
    assert failed.count() == 4
    assert failed.first().last_error == "ConnectionRefusedError: smtp down"
    notices_send_due(as_of=DAY, now=NOW + timedelta(hours=2))
    assert mailoutbox == []  # given up; still shown in the portal


@pytest.mark.core
def test_someone_without_an_address_gets_the_notice_in_the_portal_only(home, make_user, mailoutbox):
    make_user(Role.DISTRICT_ADMIN, home, username="no-mail")
    notices_send_due(as_of=DAY, now=NOW)
    notice = Notice.unscoped.get(recipient__username="no-mail")
    assert notice.delivery == Delivery.NO_EMAIL and mailoutbox == []


@pytest.mark.core
def test_two_workers_cannot_both_send_a_claimed_notice(due, mailoutbox, monkeypatch):
    """The conditional update is the lock: a worker whose claim lost sends nothing."""
    services.notices_record_due(services.planning.Clock.for_pass(now=NOW, as_of=DAY))
    ids = list(Notice.unscoped.values_list("pk", flat=True))
    # Another worker claimed them all a moment ago.
    Notice.unscoped.update(delivery=Delivery.SENDING, send_claimed_at=timezone.now())
    assert services.notices_deliver()["sent"] == 0
    assert mailoutbox == [] and len(ids) == 4
