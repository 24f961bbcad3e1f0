"""The emulators' faults on demand: queued per method, handed out in order, only known kinds."""

import pytest

from sandbox.faults import FaultQueue


def test_faults_are_handed_out_in_order_for_their_method_only() -> None:
    faults: FaultQueue[str] = FaultQueue({"5xx", "throttle"})
    faults.queue("a", "throttle", times=2)
    faults.queue("a", "5xx")
    assert faults.take("b") is None
    assert [faults.take("a") for _ in range(4)] == ["throttle", "throttle", "5xx", None]


def test_an_unknown_kind_is_refused_naming_the_known_ones() -> None:
    with pytest.raises(ValueError, match="known: 5xx, throttle"):
        FaultQueue({"5xx", "throttle"}).queue("a", "timeout")
