"""The refresh schedule under an injected clock: the period, the backoff, and the network's return."""

from __future__ import annotations

import pytest

from echo_desktop.schedule.refresh_policy import RefreshPolicy


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_due_at_once_then_every_fifteen_minutes_after_a_success() -> None:
    clock = Clock()
    policy = RefreshPolicy(clock)
    assert policy.delay() == 0
    policy.succeeded()
    assert policy.delay() == 900
    clock.now += 899
    assert policy.delay() == 1
    clock.now += 5
    assert policy.delay() == 0


def test_backoff_doubles_from_five_seconds_to_a_cap_and_resets_on_success() -> None:
    clock = Clock()
    policy = RefreshPolicy(clock)
    delays = []
    for _ in range(10):
        policy.failed()
        delays.append(policy.delay())
    assert delays == [5, 10, 20, 40, 80, 160, 300, 300, 300, 300]
    assert policy.failures == 10
    policy.succeeded()
    assert policy.failures == 0 and policy.delay() == 900
    policy.failed()
    assert policy.delay() == 5


def test_the_network_coming_back_makes_the_refresh_due_at_once() -> None:
    clock = Clock()
    policy = RefreshPolicy(clock)
    for _ in range(6):
        policy.failed()
    assert policy.delay() == 160
    policy.network_changed(reachable=False)
    assert policy.delay() == 160  # losing the network changes nothing
    policy.network_changed(reachable=True)
    assert policy.delay() == 0
    policy.failed()  # the hub still does not answer: back off from the start again
    assert policy.delay() == 5
    policy.succeeded()
    policy.network_changed(reachable=True)
    assert policy.delay() == 0


def test_a_long_outage_never_overflows() -> None:
    policy = RefreshPolicy(Clock())
    for _ in range(5000):
        policy.failed()
    assert policy.delay() == 300


def test_nonsense_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="first retry"):
        RefreshPolicy(Clock(), first_retry_s=0)
    with pytest.raises(ValueError, match="first retry"):
        RefreshPolicy(Clock(), first_retry_s=600, max_retry_s=300)
