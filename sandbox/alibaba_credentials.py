"""The 1688 AOP sandbox's well-known credentials.

Not secrets: they open only the local emulator (`sandbox.alibaba_aop`). A production
deployment exports the real appKey / appSecret and each member's access token under env var names
that the migrations file points at, never in code.
"""

from __future__ import annotations

__all__ = [
    "ALIBABA1688_ACCESS_TOKENS",
    "ALIBABA1688_APP_KEY",
    "ALIBABA1688_APP_SECRET",
    "ALIBABA1688_DISTRIBUTOR_TOKEN",
    "ALIBABA1688_OWN_TOKEN",
    "ALIBABA1688_SUPPLIER_TOKEN",
]

# One AOP app (1688 appKeys are numeric strings); each access token is one authorized member,
# whose member id is also the id of the shop (offer catalog) the member owns.
ALIBABA1688_APP_KEY = "8868001"
ALIBABA1688_APP_SECRET = "sandbox-1688-app-secret"

ALIBABA1688_OWN_TOKEN = "sandbox-1688-token-own"
"""A merchant moving its own 1688 shop (mode move: alibaba.product.list.get / product.get)."""
ALIBABA1688_SUPPLIER_TOKEN = "sandbox-1688-token-supplier"
"""The supplier itself, for reading its own offers."""
ALIBABA1688_DISTRIBUTOR_TOKEN = "sandbox-1688-token-distributor"
"""A reseller with no offers of its own (mode distribute: alibaba.cross.productInfo)."""

ALIBABA1688_ACCESS_TOKENS: dict[str, str] = {
    ALIBABA1688_OWN_TOKEN: "demo-1688-own",
    ALIBABA1688_SUPPLIER_TOKEN: "demo-1688-supplier",
    ALIBABA1688_DISTRIBUTOR_TOKEN: "demo-1688-distributor",
}
