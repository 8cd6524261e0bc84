"""The reset engine: cut-over time, purge throughput, longest transaction, tenant reads.

Four organizations: A is reset by the engine, B is an identical copy of A deleted with
one raw ``DELETE ... WHERE organization_id = ...`` per table (and an ORM sample), C is
the untouched neighbour read during the purge (and cut over at the end, for the small
size), D exists so C is not the last organization.
"""

from __future__ import annotations

import statistics
import threading
import time
from datetime import date
from unittest import mock

from django.db import connection, connections, transaction

from bench.harness import Stopwatch, emit
from yearend.demo.seeding import seed_demo
from yearend.learning.models import UsageSession
from yearend.organizations.models import Organization
from yearend.people.models import Student
from yearend.resets import services
from yearend.resets.models import ResetRun, SchoolPurge, Status, Step
from yearend.resets.plan import purge_plan
from yearend.tenancy import models_deleted_by_reset

SIZES = {"small": (1_000, 3_000, 300), "full": (10_000, 100_000, 2_000)}
AS_OF = date(2024, 6, 20)


def _seed(students: int) -> Organization:
    return seed_demo(organizations=1, students_per_org=students, seed=1, as_of=AS_OF).organizations[
        0
    ]


def _rows_of(org: Organization) -> int:
    return sum(m.tenant.of(org).count() for m in models_deleted_by_reset())


def _claim_and_cut_over(org: Organization) -> tuple[ResetRun, float]:
    run, _ = services.reset_start(organization=org, advance=False)
    services._step_pause(run)
    services._transition(run, Step.PAUSE, Step.SNAPSHOT)
    services._transition(run, Step.SNAPSHOT, Step.CUTOVER)  # the archive is benchmarked apart
    run.refresh_from_db()
    with Stopwatch() as cut:
        services._step_cutover(run)
    services._transition(run, Step.CUTOVER, Step.PURGE)
    run.refresh_from_db()
    return run, cut.seconds


def _read_neighbour(org_id: int) -> float:
    started = time.perf_counter()
    org = Organization.objects.get(pk=org_id)
    ids = list(
        Student.tenant.of(org)
        .filter(epoch=org.student_epoch)
        .order_by("id")
        .values_list("id", flat=True)[:50]
    )
    UsageSession.tenant.of(org).filter(student_id__in=ids).count()
    return time.perf_counter() - started


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] if len(samples) >= 20 else max(samples)


def run(scale: str) -> None:
    small, big, sample = SIZES[scale]
    a = _seed(big)
    b = _seed(big)
    c = _seed(small)
    _seed(10)
    a_rows = _rows_of(a)

    # Idle read latency of the neighbour.
    idle = [_read_neighbour(c.pk) for _ in range(200)]

    # The engine on A, schools one after another in this process.
    run_a, cut_big = _claim_and_cut_over(a)
    with mock.patch("yearend.resets.tasks.purge_school_task"):
        services._step_purge(run_a)
    longest = [0.0]
    batch = services._purge_batch

    def timed_batch(*args, **kwargs):
        started = time.perf_counter()
        try:
            return batch(*args, **kwargs)
        finally:
            longest[0] = max(longest[0], time.perf_counter() - started)

    busy: list[float] = []
    stop = threading.Event()

    def reader():
        try:
            while not stop.is_set():
                busy.append(_read_neighbour(c.pk))
                time.sleep(0.005)
        finally:
            connections.close_all()

    thread = threading.Thread(target=reader)
    thread.start()
    schools = SchoolPurge.tenant.of(a).filter(run=run_a).values_list("school_id", flat=True)
    with (
        mock.patch.object(services, "_purge_batch", timed_batch),
        mock.patch.object(services, "reset_advance"),
        Stopwatch() as purge,
    ):
        for school_id in list(schools):
            services.purge_school(run_a.pk, school_id)
    stop.set()
    thread.join()
    final = services.reset_advance(run_a.pk)
    assert final.status == Status.SUCCEEDED, final.error
    engine_rate = a_rows / purge.seconds

    # Baselines on B: Django's collector on a sample, then one raw DELETE per table.
    ids = list(Student.tenant.of(b).order_by("id").values_list("id", flat=True)[:sample])
    with Stopwatch() as orm:
        orm_rows, _ = Student.tenant.of(b).filter(pk__in=ids).delete()
    orm_rate = orm_rows / orm.seconds
    b_rows = _rows_of(b)
    qn = connection.ops.quote_name
    tables = [child for plan in purge_plan() for child, _ in plan.children] + [
        plan.root for plan in purge_plan()
    ]
    with Stopwatch() as raw:
        for model in tables:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    f"DELETE FROM {qn(model._meta.db_table)} WHERE organization_id = %s", [b.pk]
                )
    raw_rate = b_rows / raw.seconds

    # Cut-over at the small size (C), after the neighbour reads are done.
    _, cut_small = _claim_and_cut_over(c)

    emit(f"cut-over at {small:,} students", cut_small, "s", goal="< 1 s, flat")
    emit(f"cut-over at {big:,} students", cut_big, "s", baseline=cut_small, goal="< 1 s, flat")
    emit(
        f"purge rate ({a_rows:,} rows) vs raw DELETE per table",
        engine_rate,
        "rows/s",
        baseline=raw_rate,
        goal=">= 0.7x",
    )
    emit(
        "purge rate vs QuerySet.delete() sample",
        engine_rate,
        "rows/s",
        baseline=orm_rate,
        goal=">= 20x",
        note=f"ORM sample: {sample:,} students, {orm_rows:,} rows",
    )
    emit("longest purge transaction", longest[0], "s", goal="< 2 s")
    emit(
        "p95 neighbour read during purge vs idle",
        _p95(busy),
        "s",
        baseline=_p95(idle),
        goal="< 3x",
        note=f"{len(busy)} reads during the purge",
    )
