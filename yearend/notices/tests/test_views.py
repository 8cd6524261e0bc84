"""The portal: a person's notices, read marks, preferences; nobody sees anyone else's."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import RequestFactory
from django.urls import reverse

from yearend.notices.context import unread_notices
from yearend.notices.kinds import NoticeKind
from yearend.notices.models import Notice, NoticeOptOut
from yearend.notices.services import notices_send_due
from yearend.notices.tests.conftest import utc
from yearend.people.models import Role


@pytest.fixture
def sent(home, home_people):
    notices_send_due(as_of=date(2024, 8, 2), now=utc(2024, 8, 2, 12))
    return home_people


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    for name in ("portal:notices", "portal:notice-preferences"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.core
def test_the_list_shows_only_my_notices_and_marks_them_read(client, sent, person, other_org):
    dana = sent["da1"]
    client.force_login(dana)
    request = RequestFactory().get("/")
    request.user = dana
    assert unread_notices(request) == {"notice_unread_count": 1}
    response = client.get(reverse("portal:notices"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "New:" in page and "14 days to your reset on Friday, August 16, 2024" in page
    assert "Print progress reports" not in page  # the teachers' notice, not hers
    assert unread_notices(request) == {"notice_unread_count": 0}
    assert not Notice.unscoped.filter(recipient=dana, read_at__isnull=True).exists()
    # Others' notices stay unread.
    assert Notice.unscoped.filter(recipient=sent["teacher"], read_at__isnull=True).exists()


@pytest.mark.core
def test_nobody_opens_someone_elses_notice(client, sent, person, other_org):
    theirs = Notice.unscoped.get(recipient=sent["teacher"])
    outsider = person(Role.DISTRICT_ADMIN, other_org, username="away")
    for user in (outsider, sent["da1"]):
        client.force_login(user)
        assert client.get(reverse("portal:notice", args=[theirs.pk])).status_code == 404
    client.force_login(sent["teacher"])
    response = client.get(reverse("portal:notice", args=[theirs.pk]))
    assert response.status_code == 200 and b"Print or save" in response.content


def test_the_context_processor_counts_nothing_for_anonymous(rf):
    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/")
    request.user = AnonymousUser()
    assert unread_notices(request) == {"notice_unread_count": 0}


@pytest.mark.core
def test_preferences_turn_optional_kinds_off_and_on(client, sent):
    dana = sent["da1"]
    client.force_login(dana)
    page = client.get(reverse("portal:notice-preferences")).content.decode()
    assert "Reminders 30, 14, 7 and 1 days before the reset" in page
    keep = [NoticeKind.DATE_ASSIGNED, NoticeKind.DATE_CHANGED, NoticeKind.RESET_COMPLETED]
    response = client.post(reverse("portal:notice-preferences"), {"enabled": keep})
    assert response.status_code == 302
    assert set(NoticeOptOut.objects.filter(user=dana).values_list("kind", flat=True)) == {
        NoticeKind.REMINDER,
        NoticeKind.IMPORT_HELD,
    }
    client.post(reverse("portal:notice-preferences"), {"enabled": [*keep, NoticeKind.REMINDER]})
    assert list(NoticeOptOut.objects.filter(user=dana).values_list("kind", flat=True)) == [
        NoticeKind.IMPORT_HELD
    ]


@pytest.mark.core
def test_operations_see_failure_alerts_as_always_on(client, ops_people):
    client.force_login(ops_people[0])
    page = client.get(reverse("portal:notice-preferences")).content.decode()
    assert page.count("always on") == 3 and page.count("disabled") >= 3
    client.post(reverse("portal:notice-preferences"), {})
    assert not NoticeOptOut.objects.exists()
