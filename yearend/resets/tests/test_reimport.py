"""After a reset, the roster import creates brand-new accounts; nothing old is reachable."""

import pytest

from yearend.classes.models import Enrollment
from yearend.people.models import Student
from yearend.resets.models import Status
from yearend.resets.tests.helpers import start_reset
from yearend.rosters.models import ImportRun
from yearend.rosters.services import held_import_approve, roster_import
from yearend.rosters.tests.bundles import roster_files, write_bundle

pytestmark = [pytest.mark.core, pytest.mark.django_db]


def test_the_first_import_after_a_reset_creates_new_accounts(org, ops, tmp_path):
    path = write_bundle(tmp_path / "b", roster_files(students=20, classes=2, teachers=2))
    assert roster_import(organization=org, path=path).status == ImportRun.Status.APPLIED
    run, _ = start_reset(org)
    assert run.status == Status.SUCCEEDED, run.error

    again = roster_import(organization=org, path=path)
    if again.status == ImportRun.Status.HELD:
        # Last year's roster coming back is held for review (rule 13); approve it here.
        again = held_import_approve(held=again.hold, acting_user=ops)
    assert again.status == ImportRun.Status.APPLIED, again.errors
    org.refresh_from_db()
    new = Student.tenant.of(org)
    assert new.count() == 20
    assert set(new.values_list("epoch", flat=True)) == {org.student_epoch}
    assert not Enrollment.tenant.of(org).exclude(student__epoch=org.student_epoch).exists()
    assert Enrollment.tenant.of(org).count() == 20


def test_new_accounts_never_reuse_an_old_student_id(org, ops, tmp_path):
    path = write_bundle(tmp_path / "b", roster_files(students=5, classes=1, teachers=1))
    roster_import(organization=org, path=path)
    old_ids = set(Student.tenant.of(org).values_list("id", flat=True))
    start_reset(org)

    again = roster_import(organization=org, path=path)
    if again.status == ImportRun.Status.HELD:
        held_import_approve(held=again.hold, acting_user=ops)

    assert Student.tenant.of(org).count() == 5
    assert not old_ids & set(Student.tenant.of(org).values_list("id", flat=True))
