"""The transport's rate gates (connectors/rate_gate.py): who shares a shop's window."""

from __future__ import annotations

from connectors.rate_gate import LocalRateGates


def test_clients_of_one_shop_in_one_process_share_its_window() -> None:
    gates = LocalRateGates()
    assert gates("shop-a", rate_per_second=5) is gates("shop-a", rate_per_second=5)


def test_each_shop_has_a_window_of_its_own() -> None:
    gates = LocalRateGates()
    assert gates("shop-a", rate_per_second=5) is not gates("shop-b", rate_per_second=5)
