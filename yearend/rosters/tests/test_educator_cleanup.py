"""Educator clean-up: who is a candidate and why; removing several at once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from yearend.audit.models import AuditEvent
from yearend.classes.models import TeacherAssignment
from yearend.errors import Forbidden, InvalidInput
from yearend.people.models import Role, SchoolMembership, User
from yearend.rosters.educator_cleanup import (
    MISSING_FROM_ROSTER,
    NOT_SIGNED_IN,
    cleanup_candidates,
    educators_remove,
)
from yearend.rosters.services import roster_import
from yearend.rosters.tests.bundles import roster_files, write_bundle

pytestmark = [pytest.mark.core, pytest.mark.django_db]


def _age(user, *, joined_days_ago: int, last_login_days_ago: int | None = None):
    now = timezone.now()
    User.objects.filter(pk=user.pk).update(
        date_joined=now - timedelta(days=joined_days_ago),
        last_login=None
        if last_login_days_ago is None
        else now - timedelta(days=last_login_days_ago),
    )


def _reasons(candidates):
    return {c.educator.username: c.reasons for c in candidates}


def test_it_finds_educators_missing_from_the_roster_only_after_a_roster_was_applied(
    org, district_admin, make_user, tmp_path
):
    hand_made = make_user(Role.TEACHER, org, username="hand-made")
    assert cleanup_candidates(org, not_signed_in_days=None, missing_from_roster=True) == []

    roster_import(organization=org, path=write_bundle(tmp_path / "a", roster_files(4, 2, 2)))
    found = _reasons(cleanup_candidates(org, not_signed_in_days=None, missing_from_roster=True))
    # The SIS teachers (teacher0, teacher1) are in the roster; the hand-made accounts are not.
    assert found == {
        "hand-made": [MISSING_FROM_ROSTER],
        "home-da": [MISSING_FROM_ROSTER],
    }
    assert hand_made.pk in {
        c.educator.pk
        for c in cleanup_candidates(org, not_signed_in_days=None, missing_from_roster=True)
    }


def test_it_finds_educators_not_signed_in_for_n_days(org, make_user):
    recent = make_user(Role.TEACHER, org, username="recent")
    idle = make_user(Role.TEACHER, org, username="idle")
    never = make_user(Role.TEACHER, org, username="never")
    new = make_user(Role.TEACHER, org, username="new")
    _age(recent, joined_days_ago=400, last_login_days_ago=3)
    _age(idle, joined_days_ago=400, last_login_days_ago=200)
    _age(never, joined_days_ago=400)
    _age(new, joined_days_ago=2)

    found = _reasons(cleanup_candidates(org, not_signed_in_days=90, missing_from_roster=False))
    assert found == {"idle": [NOT_SIGNED_IN], "never": [NOT_SIGNED_IN]}


def test_it_gives_both_reasons_and_no_signal_means_nobody(org, make_user, tmp_path):
    roster_import(organization=org, path=write_bundle(tmp_path / "a", roster_files(4, 2, 2)))
    both = make_user(Role.SCHOOL_ADMIN, org, username="both")
    _age(both, joined_days_ago=400)
    found = _reasons(cleanup_candidates(org, not_signed_in_days=30, missing_from_roster=True))
    assert found["both"] == [MISSING_FROM_ROSTER, NOT_SIGNED_IN]
    assert cleanup_candidates(org, not_signed_in_days=None, missing_from_roster=False) == []


def test_it_never_lists_other_organizations_vendor_staff_or_removed_educators(
    org, other_org, make_user, district_admin, csm
):
    away = make_user(Role.TEACHER, other_org, username="away")
    gone = make_user(Role.TEACHER, org, username="gone")
    for user in (away, gone, csm):
        _age(user, joined_days_ago=400)
    educators_remove(organization=org, educator_ids=[gone.pk], acting_user=district_admin)
    found = _reasons(cleanup_candidates(org, not_signed_in_days=30, missing_from_roster=False))
    assert "away" not in found and "gone" not in found and "csm" not in found


def test_it_refuses_a_bad_number_of_days(org):
    with pytest.raises(InvalidInput, match="between 1 and 3660"):
        cleanup_candidates(org, not_signed_in_days=0, missing_from_roster=False)


def test_it_removes_several_educators_by_deactivating_them_with_one_audit_row(
    org, make_user, district_admin, tmp_path
):
    # The roster gives teacher0 and teacher1 schools and classes to be taken off.
    roster_import(organization=org, path=write_bundle(tmp_path / "a", roster_files(4, 2, 2)))
    a = User.objects.get(username="teacher0")
    b = User.objects.get(username="teacher1")
    assert TeacherAssignment.tenant.of(org).filter(teacher_id__in=[a.pk, b.pk]).exists()
    assert SchoolMembership.tenant.of(org).filter(user_id__in=[a.pk, b.pk]).exists()
    keep = make_user(Role.TEACHER, org, username="keep")

    removed = educators_remove(
        organization=org, educator_ids=[a.pk, b.pk, b.pk], acting_user=district_admin
    )

    assert removed == sorted([a.pk, b.pk])
    for user in (a, b):
        user.refresh_from_db()
        assert user.is_active is False and user.removed_at is not None
    keep.refresh_from_db()
    assert keep.is_active is True and keep.removed_at is None
    assert not SchoolMembership.tenant.of(org).filter(user_id__in=[a.pk, b.pk]).exists()
    assert not TeacherAssignment.tenant.of(org).filter(teacher_id__in=[a.pk, b.pk]).exists()
    event = AuditEvent.objects.get(action="educators.remove")
    assert event.actor == district_admin and event.organization == org
    assert event.details == {"educator_ids": sorted([a.pk, b.pk]), "count": 2}


def test_an_educator_the_sis_still_lists_comes_back_at_the_next_import(
    org, district_admin, tmp_path
):
    # The SIS is the source of truth: a removal the SIS does not share is undone by the
    # next sync, and the account is no longer marked removed.
    # Four SIS teachers, so one coming back stays under the 75% "changed" hold.
    roster_import(organization=org, path=write_bundle(tmp_path / "a", roster_files(4, 2, 4)))
    teacher = User.objects.get(username="teacher0")
    educators_remove(organization=org, educator_ids=[teacher.pk], acting_user=district_admin)

    # (one more student, so the bundle is not skipped as already imported)
    run = roster_import(organization=org, path=write_bundle(tmp_path / "b", roster_files(5, 2, 4)))

    assert run.status == "applied", run.message
    teacher.refresh_from_db()
    assert teacher.is_active is True and teacher.removed_at is None


def test_a_removed_educator_cannot_sign_in(org, make_user, district_admin, client):
    teacher = make_user(Role.TEACHER, org, username="leaver", password="pw-leaver-123456")
    educators_remove(organization=org, educator_ids=[teacher.pk], acting_user=district_admin)
    assert not client.login(username="leaver", password="pw-leaver-123456")


@pytest.mark.parametrize("who", ["other_org_teacher", "csm_user", "unknown"])
def test_it_refuses_anyone_who_is_not_an_active_educator_of_the_org_and_changes_nothing(
    who, org, other_org, make_user, district_admin, csm
):
    mine = make_user(Role.TEACHER, org, username="mine")
    target = {
        "other_org_teacher": lambda: make_user(Role.TEACHER, other_org, username="theirs").pk,
        "csm_user": lambda: csm.pk,
        "unknown": lambda: 987654,
    }[who]()
    with pytest.raises(InvalidInput, match="Not an active educator of HOME01"):
        educators_remove(
            organization=org, educator_ids=[mine.pk, target], acting_user=district_admin
        )
    mine.refresh_from_db()
    assert mine.is_active
    assert User.objects.get(pk=target).is_active if who != "unknown" else True
    assert not AuditEvent.objects.filter(action="educators.remove").exists()


def test_it_refuses_removing_yourself_or_nothing(org, district_admin):
    with pytest.raises(InvalidInput, match="your own account"):
        educators_remove(
            organization=org, educator_ids=[district_admin.pk], acting_user=district_admin
        )
    with pytest.raises(InvalidInput, match="at least one"):
        educators_remove(organization=org, educator_ids=[], acting_user=district_admin)


def test_only_the_orgs_district_admin_or_vendor_staff_may_remove(org, make_user, outsider, ops):
    teacher = make_user(Role.TEACHER, org, username="t")
    colleague = make_user(Role.TEACHER, org, username="colleague")
    with pytest.raises(Forbidden):
        educators_remove(organization=org, educator_ids=[teacher.pk], acting_user=outsider)
    with pytest.raises(Forbidden):
        educators_remove(organization=org, educator_ids=[teacher.pk], acting_user=colleague)
    assert educators_remove(organization=org, educator_ids=[teacher.pk], acting_user=ops) == [
        teacher.pk
    ]
