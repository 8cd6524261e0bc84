"""Refusals: every error reported as file:line: column: message, and nothing written."""

import zipfile

import pytest

from yearend.people.models import Student
from yearend.rosters.models import ImportRun
from yearend.rosters.services import roster_import
from yearend.rosters.tests.bundles import roster_files, write_bundle

pytestmark = [pytest.mark.core, pytest.mark.django_db]


def refused(org, tmp_path, files, **kwargs):
    run = roster_import(organization=org, path=write_bundle(tmp_path / "b", files, **kwargs))
    assert run.status == ImportRun.Status.REFUSED, run.status
    assert not Student.tenant.of(org).exists()
    return run.errors


def edit(files, name, line, old, new):
    files[name][line] = files[name][line].replace(old, new, 1)
    return files


def test_it_accepts_bom_crlf_quoted_commas_and_line_breaks_and_extra_columns(org, tmp_path):
    files = roster_files(students=2)
    files["users"][0] += ",favouriteColour"
    files["users"][-1] = files["users"][-1].replace("Last1", '"Smith, ""Jr""\nthe second"')
    files["users"][-1] += ",blue"
    path = write_bundle(tmp_path / "b", files)
    (path / "users.csv").write_bytes(b"\xef\xbb\xbf" + (path / "users.csv").read_bytes())
    run = roster_import(organization=org, path=path)
    assert run.status == ImportRun.Status.APPLIED, run.errors
    assert Student.tenant.of(org).get(sis_sourced_id="s-1").last_name == 'Smith, "Jr"\nthe second'
    assert "users.csv:1: favouriteColour: unknown column, ignored" in run.notices


def test_it_reads_a_zip_with_lf_line_endings(org, tmp_path):
    folder = write_bundle(tmp_path / "b", roster_files(students=3), newline="\n")
    archive = tmp_path / "roster.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for f in folder.iterdir():
            z.write(f, f"export/{f.name}")
    assert roster_import(organization=org, path=archive).status == ImportRun.Status.APPLIED


def test_a_missing_required_column_is_refused(org, tmp_path):
    files = roster_files()
    files["classes"] = [line.split(",", 1)[1] for line in files["classes"]]
    assert "classes.csv:1: sourcedId: required column is missing" in refused(org, tmp_path, files)


@pytest.mark.parametrize(
    "name, line, old, new, message",
    [
        ("users", 3, "student", "pupil", "users.csv:4: role: 'pupil' is not a OneRoster role"),
        ("users", 3, "true", "yes", "users.csv:4: enabledUser: 'yes' is not true or false"),
        ("users", 3, "active", "gone", "users.csv:4: status: 'gone' is not active or tobedeleted"),
        ("orgs", 2, "school", "campus", "orgs.csv:3: type: 'campus' is not one of"),
        (
            "academicSessions",
            1,
            "2024-08-01,2025",
            "2024-13-45,2025",
            "academicSessions.csv:2: startDate: '2024-13-45' is not a real date",
        ),
        ("academicSessions", 1, ",,2025", ",,25", "academicSessions.csv:2: schoolYear: "),
        (
            "classes",
            1,
            "sch-n",
            "sch-x",
            "classes.csv:2: schoolSourcedId: 'sch-x' is not an active school",
        ),
        ("enrollments", 3, "c-0", "c-9", "enrollments.csv:4: classSourcedId: 'c-9' is not a class"),
        ("enrollments", 3, ",s-0,", ",s-99,", "enrollments.csv:4: userSourcedId: 's-99' is not"),
        ("users", 4, "s-1,", "s-0,", "users.csv:5: sourcedId: 's-0' already appears on line 4"),
        ("enrollments", 3, "false", "maybe", "enrollments.csv:4: primary: 'maybe' is not true"),
    ],
)
def test_bad_values_and_references_are_refused(org, tmp_path, name, line, old, new, message):
    files = edit(roster_files(), name, line, old, new)
    errors = refused(org, tmp_path, files)
    assert any(e.startswith(message) for e in errors), errors


def test_every_error_is_reported_not_just_the_first(org, tmp_path):
    files = roster_files()
    edit(files, "users", 3, "student", "pupil")
    edit(files, "users", 5, "student", "pupil")
    edit(files, "classes", 1, "scheduled", "lecture")
    errors = refused(org, tmp_path, files)
    assert len(errors) >= 3


def test_case_of_enumerations_does_not_matter(org, tmp_path):
    files = edit(roster_files(), "users", 3, "student", "STUDENT")
    edit(files, "classes", 1, "scheduled", "Scheduled")
    run = roster_import(organization=org, path=write_bundle(tmp_path / "b", files))
    assert run.status == ImportRun.Status.APPLIED, run.errors


def test_a_file_the_manifest_lists_but_the_bundle_lacks_is_refused(org, tmp_path):
    files = roster_files()
    del files["classes"]
    assert "classes.csv: missing, but manifest.csv lists it as bulk" in refused(
        org, tmp_path, files
    )


def test_a_bundle_without_manifest_is_refused(org, tmp_path):
    files = roster_files()
    del files["manifest"]
    assert refused(org, tmp_path, files)[0].startswith("manifest.csv: missing")


def test_bytes_that_are_not_utf8_are_refused(org, tmp_path):
    path = write_bundle(tmp_path / "b", roster_files())
    (path / "users.csv").write_bytes((path / "users.csv").read_bytes() + b"\xff\xfe,oops\r\n")
    run = roster_import(organization=org, path=path)
    assert run.status == ImportRun.Status.REFUSED
    assert "not valid UTF-8" in run.errors[0]


def test_an_unclosed_quote_is_refused(org, tmp_path):
    files = roster_files()
    files["users"].append('s-77,active,2024-08-01,true,sch-n,student,"broken')
    assert any("not valid CSV" in e for e in refused(org, tmp_path, files))


def test_a_path_that_is_not_a_bundle_is_refused(org, tmp_path):
    junk = tmp_path / "x.zip"
    junk.write_bytes(b"not a zip")
    run = roster_import(organization=org, path=junk)
    assert run.status == ImportRun.Status.REFUSED
    assert "not a readable .zip" in run.errors[0]


def test_repeated_sourced_ids_name_the_line_they_first_appeared_on(org, tmp_path):
    """The database finds repeats in the staged rows; each names its file, line and the
    line its sourcedId first appeared on, and is reported once."""
    files = roster_files(students=6)
    for line in (5, 7):
        files["enrollments"][line] = files["enrollments"][3]  # a third and fourth e-0-s-1
    files["users"][6] = files["users"][4]
    errors = refused(org, tmp_path, files)
    first = files["enrollments"][3].split(",")[0]
    assert f"enrollments.csv:6: sourcedId: '{first}' already appears on line 4" in errors
    assert f"enrollments.csv:8: sourcedId: '{first}' already appears on line 4" in errors
    assert "users.csv:7: sourcedId: 's-1' already appears on line 5" in errors
    # the repeated row's username is the first's: not reported a second time
    assert not any("username:" in e for e in errors), errors


def test_a_username_used_twice_is_refused(org, tmp_path):
    files = edit(roster_files(), "users", 4, "student1,", "STUDENT0,")
    assert "users.csv:5: username: 'STUDENT0' already used on line 4" in refused(
        org, tmp_path, files
    )


def test_errors_a_statement_finds_past_the_list_are_counted(org, tmp_path, monkeypatch):
    monkeypatch.setattr("yearend.rosters.staging.statements.ERRORS_LISTED", 2)
    files = roster_files(students=6)
    for n in range(2, 6):  # four enrollments of students users.csv does not list
        edit(files, "enrollments", 1 + 2 + n, f",s-{n},", f",s-9{n},")
    errors = refused(org, tmp_path, files)
    listed = [e for e in errors if "is not a student in users.csv" in e]
    assert listed == [
        "enrollments.csv:6: userSourcedId: 's-92' is not a student in users.csv",
        "enrollments.csv:7: userSourcedId: 's-93' is not a student in users.csv",
    ]
    assert "enrollments.csv: 2 more such errors, not listed" in errors


def test_a_fault_on_every_row_keeps_the_first_errors_and_counts_the_rest(
    org, tmp_path, monkeypatch
):
    monkeypatch.setattr("yearend.rosters.oneroster.parse.Problems.KEPT", 3)
    files = roster_files(students=10)
    for line in range(3, 13):  # every student's status, and a notice for each date
        edit(files, "users", line, ",active,2024-08-01,", ",gone,08/01/2024,")
    run = roster_import(organization=org, path=write_bundle(tmp_path / "b", files))
    assert run.status == ImportRun.Status.REFUSED
    assert run.errors == [
        "users.csv:4: status: 'gone' is not active or tobedeleted",
        "users.csv:5: status: 'gone' is not active or tobedeleted",
        "users.csv:6: status: 'gone' is not active or tobedeleted",
        "... and 7 more errors, not listed",
    ]
    assert run.message == "Refused: 10 error(s); nothing was changed."
    # The file's password column is noticed too: eleven notices in all.
    assert run.notices[-1] == "... and 8 more notices, not listed"
    assert len(run.notices) == 4


def test_a_zip_member_that_cannot_be_decompressed_is_refused_before_validation(org, tmp_path):
    folder = write_bundle(tmp_path / "b", roster_files(students=3))
    archive = tmp_path / "roster.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_STORED) as z:
        for f in sorted(folder.iterdir()):
            z.write(f, f.name)
    data = bytearray(archive.read_bytes())
    # a byte of users.csv, stored uncompressed: its checksum then fails
    at = data.index(b"s-1,active,2024-08-01,true")
    data[at] = ord("x")
    archive.write_bytes(bytes(data))
    run = roster_import(organization=org, path=archive)
    assert run.status == ImportRun.Status.REFUSED
    assert run.errors[0].startswith("users.csv: cannot be read from the .zip"), run.errors


def test_a_nul_character_is_refused_with_its_line(org, tmp_path):
    path = write_bundle(tmp_path / "b", roster_files())
    data = (path / "users.csv").read_bytes().replace(b"Last1", b"La\0st1")
    (path / "users.csv").write_bytes(data)
    run = roster_import(organization=org, path=path)
    assert run.status == ImportRun.Status.REFUSED
    at = data.index(b"\0")
    assert run.errors == [f"users.csv:5: a NUL character (byte {at}) is not text"]
