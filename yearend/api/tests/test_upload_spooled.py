"""A big roster upload is read from Django's temporary file, never whole into memory."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import TemporaryUploadedFile

from yearend.people.models import Student
from yearend.rosters.models import ImportRun
from yearend.rosters.oneroster import bundle as bundle_module
from yearend.rosters.tests.bundles import roster_files, zipped

pytestmark = [pytest.mark.core, pytest.mark.django_db]

ORG = "/api/v1/organizations/HOME01"


@pytest.fixture
def bytes_read(monkeypatch) -> list[int]:
    """The sizes of the uploads read whole into memory."""
    sizes: list[int] = []
    original = bundle_module.bundle_from_zip_bytes

    def spy(data: bytes):
        sizes.append(len(data))
        return original(data)

    monkeypatch.setattr(bundle_module, "bundle_from_zip_bytes", spy)
    return sizes


def test_an_upload_bigger_than_the_memory_limit_imports_from_its_temporary_file(
    users, api_as, org, settings, bytes_read, monkeypatch
):
    def read_whole(self):
        raise AssertionError("a spooled upload was read whole into memory")

    monkeypatch.setattr(TemporaryUploadedFile, "read", property(read_whole))
    upload = zipped(roster_files(40))
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = len(upload.getvalue()) // 2
    response = api_as(users["district_admin"]).post(f"{ORG}/imports", {"bundle": upload})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == ImportRun.Status.APPLIED
    assert Student.tenant.of(org).count() == 40
    assert bytes_read == []


def test_a_small_upload_is_still_read_from_memory(users, api_as, org, bytes_read):
    upload = zipped(roster_files(6))
    response = api_as(users["district_admin"]).post(f"{ORG}/imports", {"bundle": upload})
    assert response.json()["status"] == ImportRun.Status.APPLIED
    assert bytes_read == [len(upload.getvalue())]


def test_a_broken_big_upload_is_refused_without_naming_the_temporary_file(
    users, api_as, org, settings
):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 100
    broken = io.BytesIO(b"not a zip" * 100)
    broken.name = "roster.zip"
    response = api_as(users["district_admin"]).post(f"{ORG}/imports", {"bundle": broken})
    assert response.status_code == 400
    message = response.json()["message"]
    assert message.startswith("Not a readable .zip bundle")
    assert ".upload" not in message and "tmp" not in message
    assert not ImportRun.tenant.of(org).exists()
