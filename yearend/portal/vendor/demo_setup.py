"""A second operations login for the demo: an off-schedule reset needs two people."""

from __future__ import annotations

from yearend.audit.models import Via
from yearend.demo.seeding import DEMO_PASSWORD
from yearend.people.models import Role, User
from yearend.people.services import user_create

SECOND_OPS = "demo-ops-2"


def prepare() -> None:
    # seed_demo makes it now; a demo database seeded before that gets it here, once.
    if User.objects.filter(username="demo-ops").exists() and not (
        User.objects.filter(username=SECOND_OPS).exists()
    ):
        user_create(username=SECOND_OPS, role=Role.OPS, password=DEMO_PASSWORD, via=Via.SYSTEM)
