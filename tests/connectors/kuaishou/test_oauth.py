"""Kuaishou OAuth (kuaishou-api.md §5.3): the client against the strict emulator, in-process.

Code exchange, refresh-token rotation with its 5-minute grace and kept expiry, token expiry and
revocation at the gateway, error classes, and secrets kept out of every message and log line.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta

import httpx
import pytest

from connectors.kuaishou import (
    KuaishouAuthError,
    KuaishouClient,
    KuaishouOAuthClient,
    KuaishouOAuthError,
    KuaishouReauthorizeError,
    KuaishouTokenExpiredError,
    OAuthTokens,
)
from listings.china_time import CHINA_TZ
from sandbox.credentials import (
    KUAISHOU_ACCESS_TOKEN,
    KUAISHOU_APP_KEY,
    KUAISHOU_APP_SECRET,
    KUAISHOU_SELLER_ID,
)
from sandbox.kuaishou_oauth import open_id_of
from sandbox.kuaishou_open import KuaishouSandbox, build_kuaishou_app

BASE_URL = "http://kuaishou.sandbox"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=CHINA_TZ)
LEAF = 90011

MakeClient = Callable[..., KuaishouClient]
anyio = pytest.mark.anyio


@pytest.fixture
def frozen(sandbox: KuaishouSandbox) -> KuaishouSandbox:
    """The sandbox with its clock stopped at T0; tests move it with `advance`."""
    sandbox.now = lambda: T0
    return sandbox


@pytest.fixture
async def oauth(frozen: KuaishouSandbox) -> AsyncIterator[KuaishouOAuthClient]:
    transport = httpx.ASGITransport(app=build_kuaishou_app(frozen))
    async with KuaishouOAuthClient(
        app_id=KUAISHOU_APP_KEY,
        app_secret=KUAISHOU_APP_SECRET,
        base_url=BASE_URL,
        transport=transport,
    ) as client:
        yield client


async def authorize(sandbox: KuaishouSandbox, oauth: KuaishouOAuthClient) -> OAuthTokens:
    return await oauth.exchange_code(sandbox.issue_code(KUAISHOU_SELLER_ID))


# --- code exchange -------------------------------------------------------------------------------


@anyio
async def test_a_code_is_exchanged_for_a_48_hour_token_pair_that_opens_the_api(
    frozen: KuaishouSandbox, oauth: KuaishouOAuthClient, client_for: MakeClient
) -> None:
    tokens = await authorize(frozen, oauth)
    assert tokens.expires_in == 172_800
    assert tokens.open_id == open_id_of(KUAISHOU_SELLER_ID)
    assert "merchant_item" in tokens.scopes
    async with client_for(access_token=tokens.access_token.get_secret_value()) as kuaishou:
        config = await kuaishou.category_config(LEAF)
    assert config.category_config.refund_rule_list


@anyio
async def test_a_code_works_only_once(frozen: KuaishouSandbox, oauth: KuaishouOAuthClient) -> None:
    code = frozen.issue_code(KUAISHOU_SELLER_ID)
    await oauth.exchange_code(code)
    with pytest.raises(KuaishouReauthorizeError) as caught:
        await oauth.exchange_code(code)
    assert caught.value.oauth_error == "invalid_grant"
    assert caught.value.oauth_code == 100200105


@anyio
async def test_a_code_expires_after_two_minutes(
    frozen: KuaishouSandbox, oauth: KuaishouOAuthClient
) -> None:
    code = frozen.issue_code(KUAISHOU_SELLER_ID)
    frozen.advance(timedelta(minutes=2, seconds=1))
    with pytest.raises(KuaishouReauthorizeError, match=r"code\.expired"):
        await oauth.exchange_code(code)


@anyio
async def test_a_wrong_app_secret_is_unauthorized_client_and_not_retryable(
    frozen: KuaishouSandbox,
) -> None:
    transport = httpx.ASGITransport(app=build_kuaishou_app(frozen))
    async with KuaishouOAuthClient(
        app_id=KUAISHOU_APP_KEY, app_secret="wrong-secret", base_url=BASE_URL, transport=transport
    ) as oauth:
        with pytest.raises(KuaishouOAuthError) as caught:
            await authorize(frozen, oauth)
    assert type(caught.value) is KuaishouOAuthError
    assert caught.value.oauth_code == 100200101
    assert caught.value.retryable is False
    assert "wrong-secret" not in str(caught.value)


# --- refresh -------------------------------------------------------------------------------------


@anyio
async def test_a_refresh_rotates_both_tokens(
    frozen: KuaishouSandbox, oauth: KuaishouOAuthClient
) -> None:
    first = await authorize(frozen, oauth)
    second = await oauth.refresh(first.refresh_token.get_secret_value())
    assert second.access_token != first.access_token
    assert second.refresh_token != first.refresh_token
    assert second.expires_in == 172_800
    assert frozen.refreshes == 1


@anyio
async def test_the_new_refresh_token_keeps_the_original_expiry(
    frozen: KuaishouSandbox, oauth: KuaishouOAuthClient
) -> None:
    first = await authorize(frozen, oauth)
    frozen.advance(timedelta(days=10))
    second = await oauth.refresh(first.refresh_token.get_secret_value())
    assert second.refresh_token_expires_in == int(timedelta(days=170).total_seconds())
    issued = frozen.oauth.refresh_tokens[second.refresh_token.get_secret_value()]
    assert issued.expires_at == T0 + timedelta(days=180)


@anyio
async def test_the_old_refresh_token_works_five_minutes_then_is_discarded(
    frozen: KuaishouSandbox, oauth: KuaishouOAuthClient
) -> None:
    old = (await authorize(frozen, oauth)).refresh_token.get_secret_value()
    await oauth.refresh(old)
    frozen.advance(timedelta(minutes=4, seconds=59))
    await oauth.refresh(old)
    frozen.advance(timedelta(seconds=2))
    with pytest.raises(KuaishouReauthorizeError) as caught:
        await oauth.refresh(old)
    assert caught.value.oauth_code == 100200102
    assert "refreshToken.discarded" in str(caught.value)
    assert "authorize the app again" in str(caught.value)
    assert caught.value.retryable is False
    assert frozen.refreshes == 2


@anyio
async def test_a_refresh_after_the_refresh_token_expired_asks_for_reauthorization(
    frozen: KuaishouSandbox, oauth: KuaishouOAuthClient
) -> None:
    tokens = await authorize(frozen, oauth)
    frozen.advance(timedelta(days=180))
    with pytest.raises(KuaishouReauthorizeError, match=r"refreshToken\.expired"):
        await oauth.refresh(tokens.refresh_token.get_secret_value())


@anyio
async def test_a_server_error_on_refresh_is_retried(
    frozen: KuaishouSandbox, oauth: KuaishouOAuthClient
) -> None:
    tokens = await authorize(frozen, oauth)
    frozen.oauth.fail_next("refresh_token", "server_error")
    await oauth.refresh(tokens.refresh_token.get_secret_value())
    assert frozen.refreshes == 1


@anyio
async def test_a_lost_refresh_answer_is_retried_with_the_old_refresh_token(
    frozen: KuaishouSandbox, oauth: KuaishouOAuthClient
) -> None:
    tokens = await authorize(frozen, oauth)
    frozen.oauth.fail_next("refresh_token", "lose_response")
    new = await oauth.refresh(tokens.refresh_token.get_secret_value())
    assert frozen.refreshes == 2  # the lost rotation, then the retry inside the 5-minute grace
    assert new.refresh_token.get_secret_value() in frozen.oauth.refresh_tokens


# --- tokens at the gateway -----------------------------------------------------------------------


@anyio
async def test_an_issued_access_token_expires_after_48_hours(
    frozen: KuaishouSandbox, oauth: KuaishouOAuthClient, client_for: MakeClient
) -> None:
    tokens = await authorize(frozen, oauth)
    frozen.advance(timedelta(hours=48))
    async with client_for(access_token=tokens.access_token.get_secret_value()) as kuaishou:
        with pytest.raises(KuaishouTokenExpiredError, match="TOKEN过期"):
            await kuaishou.category_config(LEAF)


@anyio
async def test_a_revoked_token_is_an_auth_error_not_an_expiry(
    frozen: KuaishouSandbox, oauth: KuaishouOAuthClient, client_for: MakeClient
) -> None:
    tokens = await authorize(frozen, oauth)
    frozen.revoke(tokens.access_token.get_secret_value())
    async with client_for(access_token=tokens.access_token.get_secret_value()) as kuaishou:
        with pytest.raises(KuaishouAuthError) as caught:
            await kuaishou.category_config(LEAF)
    assert not isinstance(caught.value, KuaishouTokenExpiredError)
    assert (caught.value.result, caught.value.error_msg) == (24, "AUTHORIZATION_REVOKED")


@anyio
async def test_the_static_sandbox_token_never_expires(
    frozen: KuaishouSandbox, client_for: MakeClient
) -> None:
    frozen.advance(timedelta(days=365))
    async with client_for(access_token=KUAISHOU_ACCESS_TOKEN) as kuaishou:
        await kuaishou.category_config(LEAF)


# --- secrets -------------------------------------------------------------------------------------


@anyio
async def test_secrets_never_appear_in_errors_reprs_or_logs(
    frozen: KuaishouSandbox, oauth: KuaishouOAuthClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    code = frozen.issue_code(KUAISHOU_SELLER_ID)
    tokens = await oauth.exchange_code(code)
    refresh_token = tokens.refresh_token.get_secret_value()
    rotated = await oauth.refresh(refresh_token)
    errors = []
    for attempt in (oauth.exchange_code(code), oauth.refresh("ks-sbx-rt-not-issued-anywhere")):
        with pytest.raises(KuaishouOAuthError) as caught:
            await attempt
        errors.append(caught.value)
    secrets = [
        KUAISHOU_APP_SECRET,
        code,
        tokens.access_token.get_secret_value(),
        refresh_token,
        rotated.access_token.get_secret_value(),
        rotated.refresh_token.get_secret_value(),
        "ks-sbx-rt-not-issued-anywhere",
    ]
    assert "HTTP Request: GET" in caplog.text  # httpx did log the code exchange URL
    texts = [caplog.text, repr(tokens), str(rotated), *(f"{e} {e.error_msg}" for e in errors)]
    for text in texts:
        for secret in secrets:
            assert secret not in text
