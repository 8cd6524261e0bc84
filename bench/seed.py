"""seed_demo: rows per second, against a naive per-object ORM insert in the same run."""

from datetime import date

from django.db import connection

from bench.harness import Stopwatch, emit
from yearend.demo.seeding import seed_demo
from yearend.learning.models import UsageSession
from yearend.organizations.models import Product
from yearend.people.models import Student

SIZES = {"small": (5_000, 2_000), "full": (100_000, 10_000)}


def run(scale: str) -> None:
    students, sample = SIZES[scale]
    with Stopwatch() as seeding:
        result = seed_demo(
            organizations=1, students_per_org=students, seed=1, as_of=date(2024, 6, 20)
        )
    rate = result.total_rows / seeding.seconds

    # The naive way: one ORM save per row, each its own transaction.
    student = Student.unscoped.order_by("id").first()
    product = Product.objects.first()
    with Stopwatch() as naive:
        for n in range(sample):
            UsageSession(
                organization_id=student.organization_id,
                student=student,
                product=product,
                started_at=f"2024-01-01T10:{n % 60:02d}:00Z",
                minutes=10,
            ).save()
    naive_rate = sample / naive.seconds

    vendor = connection.vendor
    emit(
        f"seed {students:,} students ({result.total_rows:,} rows)",
        seeding.seconds,
        "s",
        goal="100,000 students < 300 s on SQLite" if vendor == "sqlite" else "",
    )
    emit("seed rate", rate, "rows/s", baseline=naive_rate, goal=">= 20x naive ORM")
    if students < 100_000:
        projected = 100_000 * seeding.seconds / students
        emit(
            "projected 100,000 students",
            projected,
            "s",
            note="linear projection; BENCH_SCALE=full measures it",
        )
