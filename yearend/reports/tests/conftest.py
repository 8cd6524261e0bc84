from datetime import date

import pytest

from yearend.demo.seeding import seed_demo


@pytest.fixture
def seeded(db):
    """One demo district with 40 students of every grade and all their product data."""
    return seed_demo(organizations=1, students_per_org=40, seed=1, as_of=date(2024, 6, 20))


@pytest.fixture
def seeded_org(seeded):
    return seeded.organizations[0]
