"""Logs never carry student personal data: every record written while a seeded
organization is exported and reset (through the API, with logging at DEBUG) is free of
its students' names and usernames. (Students have no birth date in this system; the
date of birth is never stored, so it cannot be logged.)"""

from __future__ import annotations

import logging
import re

import pytest
from django.test import TestCase

from yearend.demo.seeding import seed_demo
from yearend.people.models import Role, Student
from yearend.reports.models import ExportJob
from yearend.reports.services import export_job_run
from yearend.resets.models import ResetRun, Status

pytestmark = [pytest.mark.core, pytest.mark.django_db]


def record_text(record: logging.LogRecord) -> str:
    parts = [record.getMessage(), record.exc_text or "", str(record.args or "")]
    if record.exc_info and record.exc_info[1] is not None:
        parts.append(repr(record.exc_info[1]))
    return "\n".join(parts)


def test_an_export_and_a_full_reset_log_no_student_personal_data(
    caplog, make_user, api_as, future_cycle
):
    organization = seed_demo(organizations=1, students_per_org=24, seed=7).organizations[0]
    students = list(
        Student.tenant.of(organization).values_list("first_name", "last_name", "username")
    )
    assert len(students) == 24
    personal = {value for row in students for value in row if value}
    admin = make_user(Role.DISTRICT_ADMIN, organization, username="log-da")
    ops = make_user(Role.OPS, username="log-ops")
    second_ops = make_user(Role.OPS, username="log-ops-2")
    site = f"/api/v1/organizations/{organization.site_code}"

    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="yearend")
    with TestCase.captureOnCommitCallbacks(execute=False):
        started = api_as(admin).json("POST", f"{site}/exports", {"format": "xlsx"})
    assert started.status_code == 202, started.content
    export_job_run(job_id=started.json()["id"])
    assert ExportJob.unscoped.get(pk=started.json()["id"]).status == ExportJob.Status.DONE
    assert api_as(admin).get(f"{site}/progress-reports").status_code == 200
    asked = api_as(ops).json(
        "POST",
        f"/api/v1/vendor/organizations/{organization.site_code}/offschedule-requests",
        {"reason": "Logging proof of a full reset"},
    )
    assert asked.status_code == 201, asked.content
    with TestCase.captureOnCommitCallbacks(execute=True):
        reset = api_as(second_ops).json(
            "POST", f"/api/v1/vendor/offschedule-requests/{asked.json()['id']}/approve"
        )
    assert reset.status_code == 202, reset.content
    assert ResetRun.tenant.of(organization).get().status == Status.SUCCEEDED
    assert not Student.tenant.of(organization).filter(epoch=1).exists()

    assert caplog.records, "expected the export and the reset to log something"
    logged = "\n".join(record_text(r) for r in caplog.records)
    leaks = sorted(value for value in personal if re.search(rf"\b{re.escape(value)}\b", logged))
    assert not leaks, f"student personal data in the logs: {leaks[:10]}"
