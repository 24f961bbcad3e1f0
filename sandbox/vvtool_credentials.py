"""The vv-tool sandbox's well-known credentials.

Not secrets: they open only the local emulator (`sandbox.vvtool`). A production deployment
exports the real vv-tool Account / Accessskey under env var names that the migrations file points at,
never in code. The shop id is the sandbox Kuaishou merchant's, as if that merchant had authorized
vv-tool for its shop.
"""

from __future__ import annotations

from sandbox.credentials import KUAISHOU_SELLER_ID

__all__ = ["VVTOOL_CLIENT_ID", "VVTOOL_CLIENT_SECRET", "VVTOOL_SHOP_ID"]

VVTOOL_CLIENT_ID = "vv_sandbox_account"  # vv-tool's "Account"
VVTOOL_CLIENT_SECRET = "sandbox-vvtool-accesskey"  # vv-tool's "Accessskey"
VVTOOL_SHOP_ID = str(KUAISHOU_SELLER_ID)  # shop_id is a string on the wire
