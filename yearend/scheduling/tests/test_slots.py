"""Work slots: a fixed number of places in a scope, taken by compare-and-set."""

import pytest

from yearend.scheduling.models import WorkSlot
from yearend.scheduling.slots import slot_claim

pytestmark = [pytest.mark.core, pytest.mark.django_db]


def test_a_slot_goes_to_one_claimer_and_frees_when_its_holder_is_done():
    done: set[str] = set()

    def free(slots, now):
        return {s.pk for s in slots if not s.holder or s.holder in done}

    assert slot_claim("t", 2, "a", free)
    assert slot_claim("t", 2, "b", free)
    assert not slot_claim("t", 2, "c", free)
    done.add("a")
    assert slot_claim("t", 2, "c", free)
    assert sorted(WorkSlot.objects.filter(scope="t").values_list("holder", flat=True)) == [
        "b",
        "c",
    ]


def test_a_claim_that_lost_the_race_takes_nothing():
    """The update names the holder it saw: a slot changed under it is not taken."""

    def free_but_stolen(slots, now):
        WorkSlot.objects.filter(scope="r").update(holder="thief", claimed_at=now)
        return {s.pk for s in slots}

    assert not slot_claim("r", 1, "me", free_but_stolen)
    assert WorkSlot.objects.get(scope="r").holder == "thief"
