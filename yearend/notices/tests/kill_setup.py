"""Builds the killed-worker trial's database: run as ``python -m`` with DATABASE_URL set.

One district with many district administrators, so a pass has enough mails to send
that a kill lands in the middle of it.
"""

import sys

import django


def main(admins: int) -> None:
    django.setup()
    from yearend.audit.models import Via
    from yearend.organizations.services import organization_create
    from yearend.people.models import Role, User
    from yearend.resetdates.models import ResetCycle
    from yearend.resetdates.services import reset_dates_assign

    organization = organization_create(
        site_code="KILL01",
        name="Kill District",
        time_zone="America/Chicago",
        country="US",
        subdivision="TX",
        school_names=["Only School"],
    )
    User.objects.bulk_create(
        User(
            username=f"admin-{n}",
            role=Role.DISTRICT_ADMIN,
            organization=organization,
            email=f"admin-{n}@example.org",
            password="!",
        )
        for n in range(admins)
    )
    cycle = ResetCycle.objects.get(year=2024)
    reset_dates_assign(cycle=cycle, organizations=[organization], via=Via.SYSTEM)


if __name__ == "__main__":
    main(int(sys.argv[1]))
