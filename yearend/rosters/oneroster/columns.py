"""Each OneRoster file this importer reads: its columns, and which of them are required."""

from __future__ import annotations

BASE = ("sourcedId", "status", "dateLastModified")
# Each file's OneRoster 1.1 columns in the order the spec writes them; 1.2 adds columns
# after them. make_oneroster writes exactly these, so generated bundles match the reader.
V1P1_COLUMNS: dict[str, tuple[str, ...]] = {
    "orgs": (*BASE, "name", "type", "identifier", "parentSourcedId"),
    "users": (
        *BASE,
        "enabledUser",
        "orgSourcedIds",
        "role",
        "username",
        "userIds",
        "givenName",
        "familyName",
        "middleName",
        "identifier",
        "email",
        "sms",
        "phone",
        "agentSourcedIds",
        "grades",
        "password",
    ),
    "classes": (
        *BASE,
        "title",
        "grades",
        "courseSourcedId",
        "classCode",
        "classType",
        "location",
        "schoolSourcedId",
        "termSourcedIds",
        "subjects",
        "subjectCodes",
        "periods",
    ),
    "enrollments": (
        *BASE,
        "classSourcedId",
        "schoolSourcedId",
        "userSourcedId",
        "role",
        "primary",
        "beginDate",
        "endDate",
    ),
    "academicsessions": (
        *BASE,
        "title",
        "type",
        "startDate",
        "endDate",
        "parentSourcedId",
        "schoolYear",
    ),
}
FILES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # name: (known columns, required columns)
    "orgs": (
        (
            *V1P1_COLUMNS["orgs"],
            "metadata.classification",
            "metadata.gender",
            "metadata.boarding",
        ),
        ("sourcedId", "name", "type"),
    ),
    "users": (
        (
            *V1P1_COLUMNS["users"],
            "userMasterIdentifier",
            "preferredGivenName",
            "preferredMiddleName",
            "preferredFamilyName",
            "primaryOrgSourcedId",
            "pronouns",
            "resourceSourcedIds",
        ),
        ("sourcedId", "givenName", "familyName"),
    ),
    "roles": (
        (
            *BASE,
            "userSourcedId",
            "roleType",
            "role",
            "beginDate",
            "endDate",
            "orgSourcedId",
            "userProfileSourcedId",
        ),
        ("userSourcedId", "roleType", "role", "orgSourcedId"),
    ),
    "classes": (
        (*V1P1_COLUMNS["classes"], "resources"),
        ("sourcedId", "title", "schoolSourcedId"),
    ),
    "enrollments": (V1P1_COLUMNS["enrollments"], ("classSourcedId", "userSourcedId", "role")),
    "academicsessions": (V1P1_COLUMNS["academicsessions"], ("sourcedId", "type", "schoolYear")),
}
FILE_TITLES = {"academicsessions": "academicSessions"}
