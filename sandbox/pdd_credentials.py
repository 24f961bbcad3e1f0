"""The PDD sandbox's well-known credentials.

Not secrets: they open only the local emulator, exactly as `credentials.py` does for Taobao and
Kuaishou. A production deployment exports the real client secret and access token under the env var
names a migration points at; they never appear in code or in the repository.
"""

from __future__ import annotations

__all__ = ["PDD_ACCESS_TOKENS", "PDD_CLIENT_ID", "PDD_CLIENT_SECRET", "PDD_DEMO_ACCESS_TOKEN"]

# One app (client id + secret); each access token is one shop's authorization (token -> shop id).
PDD_CLIENT_ID = "sandbox-pdd-client-id"
PDD_CLIENT_SECRET = "sandbox-pdd-client-secret"
PDD_DEMO_ACCESS_TOKEN = "sandbox-pdd-access-token-demo"
PDD_ACCESS_TOKENS: dict[str, str] = {PDD_DEMO_ACCESS_TOKEN: "demo-pdd-shop"}
