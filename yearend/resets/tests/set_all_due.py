"""Makes every organization's reset due yesterday in the latest cycle (scale-out proofs).

Run as ``python -m yearend.resets.tests.set_all_due`` with DATABASE_URL set.
"""

from datetime import timedelta

import django


def main() -> None:
    django.setup()
    from django.utils import timezone

    from yearend.organizations.models import Organization
    from yearend.resetdates.models import OrganizationResetDate, ResetCycle, ResetDateSource

    cycle = ResetCycle.objects.order_by("-year").first()
    yesterday = timezone.now().date() - timedelta(days=1)
    OrganizationResetDate.unscoped.exclude(cycle=cycle).delete()
    for org in Organization.objects.all():
        OrganizationResetDate.unscoped.update_or_create(
            organization=org,
            cycle=cycle,
            defaults={"reset_date": yesterday, "source": ResetDateSource.DEFAULT},
        )


if __name__ == "__main__":
    main()
