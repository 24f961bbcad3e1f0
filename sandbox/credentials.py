"""The sandbox's well-known credentials.

These are not secrets: they open only the local emulators, and `data/sandbox.env` exports them under the
env var names that `data/migrations.yaml` points at, exactly as a production deployment exports the real
ones. Production credentials never appear in code or in the repository.
"""

from __future__ import annotations

__all__ = [
    "KUAISHOU_ACCESS_TOKEN",
    "KUAISHOU_APP_KEY",
    "KUAISHOU_APP_SECRET",
    "KUAISHOU_SELLER_ID",
    "KUAISHOU_SIGN_SECRET",
    "TAOBAO_APP_KEY",
    "TAOBAO_APP_SECRET",
    "TAOBAO_SESSIONS",
]

# Taobao TOP: one app; each session key opens one seller's shop (session -> shop id).
TAOBAO_APP_KEY = "12345678"
TAOBAO_APP_SECRET = "sandbox-taobao-app-secret"
TAOBAO_SESSIONS: dict[str, str] = {
    "sandbox-taobao-session-demo": "demo-taobao-shop",
    "sandbox-taobao-session-tmall": "demo-tmall-shop",
}

# Kuaishou open platform: one app; each access token is one merchant (token -> seller id).
KUAISHOU_APP_KEY = "ks_sandbox_app"
KUAISHOU_APP_SECRET = "sandbox-kuaishou-app-secret"
KUAISHOU_SIGN_SECRET = "sandbox-kuaishou-sign-secret"
KUAISHOU_ACCESS_TOKEN = "sandbox-kuaishou-access-token-demo"
KUAISHOU_SELLER_ID = 880001
