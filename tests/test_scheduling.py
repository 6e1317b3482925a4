"""The scheduler's choice of slot (govsites.scheduling): a slot with room, the browser first, equals in turn.

Every crawl test runs with :class:`govsites.scheduling.RoomyPriorityQueue`; these pin the rule itself."""

from __future__ import annotations

import pytest

from govsites.rendering import RENDER_SLOT
from govsites.scheduling import choose_slot
from govsites.settings import SCHEDULER_PRIORITY_QUEUE


def loads(**busy: int) -> dict[str, tuple[int, int]]:
    """Slots named a, b, … (``render`` is the browser's) with ``busy`` downloads each, room for 8."""
    return {(RENDER_SLOT if name == "render" else name): (n, 8) for name, n in busy.items()}


def test_the_browser_goes_first_while_it_has_room() -> None:
    slots = loads(a=0, b=3, render=7)
    assert choose_slot(slots, slots.__getitem__, None) == RENDER_SLOT


def test_a_full_slot_waits_while_another_has_room() -> None:
    slots = loads(a=8, render=8, b=5)
    assert choose_slot(slots, slots.__getitem__, None) == "b"
    full = loads(a=9, render=8)  # all full: the least busy, as Scrapy chooses (a request is never held back)
    assert choose_slot(full, full.__getitem__, None) == RENDER_SLOT
    assert choose_slot({}, {}.__getitem__, None) is None


def test_the_least_busy_host_and_equals_take_turns() -> None:
    slots = loads(a=2, b=1, c=1, d=4)
    assert choose_slot(slots, slots.__getitem__, None) == "b"
    assert choose_slot(slots, slots.__getitem__, "b") == "c"
    assert choose_slot(slots, slots.__getitem__, "c") == "b"  # past the last one: round again


@pytest.mark.parametrize("concurrency", [1, 2])
def test_the_slot_concurrency_is_the_limit(concurrency: int) -> None:
    slots = {"a": (1, concurrency), "b": (2, 8)}  # a has room only with a concurrency of 2
    assert choose_slot(slots, slots.__getitem__, None) == ("a" if concurrency == 2 else "b")


def test_the_crawl_uses_it() -> None:
    assert SCHEDULER_PRIORITY_QUEUE == "govsites.scheduling.RoomyPriorityQueue"
