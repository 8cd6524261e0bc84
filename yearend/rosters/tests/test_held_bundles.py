"""A held import's bundle is kept in the database in parts and applied as it was held."""

import io
import zipfile

import pytest
from django.db import OperationalError

from yearend.errors import Conflict
from yearend.people.models import Student
from yearend.rosters.models import HeldBundlePart, HeldImport, ImportRun
from yearend.rosters.oneroster.bundle import bundle_read
from yearend.rosters.services import held_import_approve, held_import_discard, roster_import
from yearend.rosters.syncs import held_bundles
from yearend.rosters.syncs.held_bundles import held_bundle_opened
from yearend.rosters.tests.bundles import roster_files, write_bundle

pytestmark = [pytest.mark.core, pytest.mark.django_db]

PART = 512  # bytes: a 20-student bundle then spans several parts


@pytest.fixture(autouse=True)
def small_parts(monkeypatch):
    monkeypatch.setattr(held_bundles, "PART_BYTES", PART)


@pytest.fixture
def imported(org, tmp_path):
    run = roster_import(organization=org, path=write_bundle(tmp_path / "a", roster_files(20)))
    assert run.status == ImportRun.Status.APPLIED
    return org


def held_bundle_folder(tmp_path, gone=("s-0", "s-1", "s-2")):
    files = roster_files(20)
    files["users"] = [row for row in files["users"] if row.split(",")[0] not in gone]
    files["enrollments"] = [row for row in files["enrollments"] if row.split(",")[5] not in gone]
    return write_bundle(tmp_path / "held", files)


def hold(organization, folder) -> HeldImport:
    run = roster_import(organization=organization, path=folder)
    assert run.status == ImportRun.Status.HELD, run.message
    return HeldImport.tenant.of(organization).get(run=run)


def zip_bytes(folder) -> bytes:
    """The bundle as one .zip in memory, as holds kept it before HeldBundlePart."""
    out = io.BytesIO()
    bundle_read(folder).write_zip(out)
    return out.getvalue()


def parts_of(held: HeldImport) -> list[bytes]:
    rows = HeldBundlePart.tenant.of(held.organization).filter(held=held).order_by("seq")
    return [bytes(data) for data in rows.values_list("data", flat=True)]


def test_it_stores_the_held_bundle_in_bounded_parts(imported, tmp_path, monkeypatch):
    folder = held_bundle_folder(tmp_path)
    held = hold(imported, folder)
    parts = parts_of(held)
    assert len(parts) > 3
    assert all(0 < len(part) <= PART for part in parts)
    assert bytes(held.bundle) == b""  # nothing whole in the row itself
    with zipfile.ZipFile(io.BytesIO(b"".join(parts))) as archive:
        for csv in folder.glob("*.csv"):
            assert archive.read(csv.name) == csv.read_bytes()

    read_from = []

    def bundle_read_spy(path):
        read_from.append(path)
        return bundle_read(path)

    monkeypatch.setattr(held_bundles, "bundle_read", bundle_read_spy)
    with held_bundle_opened(held) as bundle:
        assert bundle.digest == held.digest == bundle_read(folder).digest
        assert read_from[0].read_bytes() == b"".join(parts)
    assert not read_from[0].exists()  # the temporary copy is deleted after use


def test_approving_applies_exactly_what_was_held_and_drops_the_parts(
    imported, tmp_path, district_admin
):
    held = hold(imported, held_bundle_folder(tmp_path))
    assert Student.tenant.of(imported).count() == 20
    run = held_import_approve(held=held, acting_user=district_admin)
    assert run.status == ImportRun.Status.APPLIED, run.message
    assert run.digest == held.digest
    assert sorted(Student.tenant.of(imported).values_list("sis_sourced_id", flat=True)) == sorted(
        f"s-{n}" for n in range(3, 20)
    )
    held.refresh_from_db()
    assert held.decision == HeldImport.Decision.APPROVED
    assert not HeldBundlePart.tenant.of(imported).filter(held=held).exists()


def test_discarding_drops_the_parts_and_changes_nothing(imported, tmp_path, district_admin):
    held = hold(imported, held_bundle_folder(tmp_path))
    other = hold(imported, held_bundle_folder(tmp_path / "other", gone=("s-5", "s-6", "s-7")))
    held_import_discard(held=held, acting_user=district_admin)
    assert not HeldBundlePart.tenant.of(imported).filter(held=held).exists()
    assert parts_of(other)  # another hold keeps its bundle
    assert Student.tenant.of(imported).count() == 20
    with pytest.raises(Conflict):
        held_import_approve(held=held, acting_user=district_admin)


def test_a_hold_stored_whole_before_the_parts_still_approves(imported, tmp_path, district_admin):
    folder = held_bundle_folder(tmp_path)
    held = hold(imported, folder)
    # As holds were stored before HeldBundlePart: the whole .zip in the row, no parts.
    HeldBundlePart.tenant.of(imported).filter(held=held).delete()
    HeldImport.tenant.of(imported).filter(pk=held.pk).update(bundle=zip_bytes(folder))
    held.refresh_from_db()
    run = held_import_approve(held=held, acting_user=district_admin)
    assert run.status == ImportRun.Status.APPLIED, run.message
    assert Student.tenant.of(imported).count() == 17
    held.refresh_from_db()
    assert bytes(held.bundle) == b""


def test_a_hold_stored_whole_is_emptied_by_a_discard(imported, tmp_path, district_admin):
    folder = held_bundle_folder(tmp_path)
    held = hold(imported, folder)
    HeldBundlePart.tenant.of(imported).filter(held=held).delete()
    HeldImport.tenant.of(imported).filter(pk=held.pk).update(bundle=zip_bytes(folder))
    held_import_discard(held=held, acting_user=district_admin)
    held.refresh_from_db()
    assert held.decision == HeldImport.Decision.DISCARDED and bytes(held.bundle) == b""


def test_a_hold_with_a_part_missing_is_refused_and_changes_nothing(
    imported, tmp_path, district_admin
):
    held = hold(imported, held_bundle_folder(tmp_path))
    HeldBundlePart.tenant.of(imported).filter(held=held, seq=1).delete()
    with pytest.raises(Conflict, match="incomplete"):
        held_import_approve(held=held, acting_user=district_admin)
    assert Student.tenant.of(imported).count() == 20
    held.refresh_from_db()
    assert held.decision == HeldImport.Decision.PENDING


def test_a_hold_is_never_kept_with_only_some_of_its_parts(imported, tmp_path, monkeypatch):
    create = HeldBundlePart.unscoped.create

    def create_until_the_disk_fills(**fields):
        if fields["seq"] == 2:
            raise OperationalError("database or disk is full")
        return create(**fields)

    monkeypatch.setattr(HeldBundlePart.unscoped, "create", create_until_the_disk_fills)
    with pytest.raises(OperationalError):
        roster_import(organization=imported, path=held_bundle_folder(tmp_path))
    assert not HeldImport.tenant.of(imported).exists()
    assert not HeldBundlePart.tenant.of(imported).exists()
    assert ImportRun.tenant.of(imported).order_by("-pk").first().status == "refused"


def rendered_bytes(html: bytes) -> bool:
    """Whether a page shows a .zip's bytes, raw or as Python would print them."""
    return any(sign in html for sign in (b"PK\x03\x04", rb"PK\x03\x04", b"memory at"))


def test_the_admin_shows_how_much_is_stored_without_the_bytes(admin_client, imported, tmp_path):
    held = hold(imported, held_bundle_folder(tmp_path))
    size = sum(len(part) for part in parts_of(held))
    page = admin_client.get(f"/admin/rosters/heldimport/{held.pk}/change/")
    assert page.status_code == 200
    assert f"{size:,} bytes in {len(parts_of(held))} part(s)".encode() in page.content
    assert not rendered_bytes(page.content)
    part = HeldBundlePart.tenant.of(imported).get(held=held, seq=0)
    for url in ("heldbundlepart/", f"heldbundlepart/{part.pk}/change/"):
        page = admin_client.get(f"/admin/rosters/{url}")
        assert page.status_code == 200
        assert f"{PART}".encode() in page.content  # its size, not its bytes
        assert not rendered_bytes(page.content)
