"""Syncs (pause, resume, held imports) and educator clean-up through the portal."""

import pytest
from django.urls import reverse

from yearend.audit.models import AuditEvent
from yearend.people.models import Role, Student, User
from yearend.rosters.models import HeldImport
from yearend.rosters.services import roster_import
from yearend.rosters.syncs.pausing import sync_state_for
from yearend.rosters.tests.bundles import roster_files, write_bundle

pytestmark = [pytest.mark.core, pytest.mark.django_db]


def held_import(org, tmp_path) -> HeldImport:
    """A roster of 20 students, then one dropping 3 of them (15%): held for review."""
    roster_import(organization=org, path=write_bundle(tmp_path / "a", roster_files(20)))
    files = roster_files(20)
    gone = {"s-0", "s-1", "s-2"}
    files["users"] = [row for row in files["users"] if row.split(",")[0] not in gone]
    files["enrollments"] = [r for r in files["enrollments"] if r.split(",")[5] not in gone]
    roster_import(organization=org, path=write_bundle(tmp_path / "b", files))
    return HeldImport.tenant.of(org).get()


def test_the_syncs_page_shows_a_held_import_with_its_preview(client, org, district_admin, tmp_path):
    held = held_import(org, tmp_path)
    client.force_login(district_admin)
    page = client.get(reverse("portal:syncs", args=["HOME01"])).content.decode()
    assert "would remove 3 of 20 students" in page
    assert reverse("portal:hold-decide", args=["HOME01", held.pk]) in page
    assert "Approve and apply" in page


def test_approving_a_held_import_applies_it_with_an_audit_row(
    client, org, district_admin, tmp_path
):
    held = held_import(org, tmp_path)
    client.force_login(district_admin)
    response = client.post(
        reverse("portal:hold-decide", args=["HOME01", held.pk]), {"decision": "approve"}
    )
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.decision == "approved"
    assert Student.tenant.of(org).count() == 17
    event = AuditEvent.objects.get(action="roster.hold.approve")
    assert event.actor == district_admin and event.via == "portal"


def test_discarding_a_held_import_changes_nothing(client, org, district_admin, tmp_path):
    held = held_import(org, tmp_path)
    client.force_login(district_admin)
    client.post(reverse("portal:hold-decide", args=["HOME01", held.pk]), {"decision": "discard"})
    held.refresh_from_db()
    assert held.decision == "discarded" and Student.tenant.of(org).count() == 20


def test_a_hold_of_another_organization_is_404(client, org, other_org, outsider, tmp_path):
    held = held_import(org, tmp_path)
    client.force_login(outsider)
    response = client.post(
        reverse("portal:hold-decide", args=["AWAY01", held.pk]), {"decision": "approve"}
    )
    assert response.status_code == 404
    held.refresh_from_db()
    assert held.decision == "pending"


def test_pause_and_resume_syncs(client, org, district_admin):
    client.force_login(district_admin)
    url = reverse("portal:syncs-pause", args=["HOME01"])
    client.post(url, {"action": "pause", "note": "new SIS vendor"})
    state = sync_state_for(org)
    assert state.manual_paused_at is not None and state.manual_pause_note == "new SIS vendor"
    assert "new SIS vendor" in client.get(reverse("portal:syncs", args=["HOME01"])).content.decode()
    client.post(url, {"action": "resume"})
    assert sync_state_for(org).manual_paused_at is None
    assert (
        AuditEvent.objects.filter(action__in=["sync.pause", "sync.resume"], via="portal").count()
        == 2
    )


def test_educator_clean_up_lists_review_confirm_remove(
    client, org, district_admin, make_user, tmp_path
):
    roster_import(organization=org, path=write_bundle(tmp_path / "a", roster_files(4, 2, 2)))
    leaver = make_user(Role.TEACHER, org, username="leaver")
    client.force_login(district_admin)
    url = reverse("portal:educators", args=["HOME01"])
    page = client.get(url, {"filtered": "1", "missing": "on"}).content.decode()
    assert "leaver" in page and "teacher0" not in page
    assert f'name="educator" value="{district_admin.pk}"' not in page  # not oneself

    review = client.post(
        reverse("portal:educators-remove", args=["HOME01"]), {"educator": [str(leaver.pk)]}
    )
    assert review.status_code == 200 and "Remove 1 educator?" in review.content.decode()
    leaver.refresh_from_db()
    assert leaver.is_active  # the review step changes nothing

    done = client.post(
        reverse("portal:educators-remove", args=["HOME01"]),
        {"educator": [str(leaver.pk)], "confirm": "yes"},
    )
    assert done.status_code == 302
    leaver.refresh_from_db()
    assert not leaver.is_active and leaver.removed_at is not None
    event = AuditEvent.objects.get(action="educators.remove")
    assert event.details["educator_ids"] == [leaver.pk] and event.via == "portal"


def test_removing_an_educator_of_another_org_through_the_form_changes_nothing(
    client, org, other_org, district_admin, make_user
):
    theirs = make_user(Role.TEACHER, other_org, username="theirs")
    client.force_login(district_admin)
    response = client.post(
        reverse("portal:educators-remove", args=["HOME01"]),
        {"educator": [str(theirs.pk)], "confirm": "yes"},
        follow=True,
    )
    assert "Not an active educator of HOME01" in response.content.decode()
    assert User.objects.get(pk=theirs.pk).is_active


def test_a_bad_number_of_days_is_a_clear_error(client, org, district_admin):
    client.force_login(district_admin)
    response = client.get(
        reverse("portal:educators", args=["HOME01"]), {"filtered": "1", "idle": "on", "days": "0"}
    )
    assert response.status_code == 400
    assert "between 1 and 3660" in response.content.decode()
