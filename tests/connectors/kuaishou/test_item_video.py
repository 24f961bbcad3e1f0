"""The item-video material flow against the strict sandbox, in-process.

issue a token → upload the MP4 to the token's URL → verify the token (materialId) → read the
material (videoId) → `itemVideo{videoId, videoType: 1}` on open.item.new. Tokens are single-use
and expire; the file must be an MP4 under the cap; an item may only use its merchant's videos.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import httpx
import pytest

from connectors.kuaishou import (
    ItemNewParam,
    ItemVideo,
    KuaishouClient,
    KuaishouNotFoundError,
    KuaishouValidationError,
)
from listings.china_time import CHINA_TZ
from sandbox.app import Sandbox, build_sandbox_app
from sandbox.credentials import (
    KUAISHOU_ACCESS_TOKEN,
    KUAISHOU_APP_KEY,
    KUAISHOU_SIGN_SECRET,
)
from sandbox.kuaishou_open import KuaishouSandbox

anyio = pytest.mark.anyio

MakeClient = Callable[..., KuaishouClient]
MakeParam = Callable[..., ItemNewParam]

OTHER_TOKEN = "sandbox-kuaishou-access-token-other"


def mp4_bytes(size: int = 256) -> bytes:
    """The start of an MP4: a 24-byte `ftyp` box, then filler standing in for the movie."""
    head = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
    return head + b"\x00" * max(0, size - len(head))


def calls_of(sandbox: KuaishouSandbox, method: str) -> int:
    return sum(1 for called, _ in sandbox.calls if called == method)


@anyio
async def test_an_uploaded_video_is_attached_to_a_new_item(
    client: KuaishouClient, sandbox: KuaishouSandbox, kwai_urls: list[str], make_param: MakeParam
) -> None:
    video_id = await client.upload_item_video(mp4_bytes(), file_name="tshirt.mp4")
    created = await client.create_item(
        make_param(kwai_urls, item_video=ItemVideo(video_id=video_id))
    )
    stored = sandbox.items[created.kwai_item_id].param
    assert stored["itemVideo"] == {"videoId": video_id, "videoType": 1}
    assert [calls_of(sandbox, m) for m in ("material.upload", "open.item.material.detail.get")] == [
        1,
        1,
    ]


@anyio
async def test_the_upload_url_resolves_under_the_sandbox_mount() -> None:
    """Served as in the demo (`/kuaishou/...` of the combined app), the relative URL still works."""
    state = Sandbox()
    async with KuaishouClient(
        base_url="http://sandbox.local/kuaishou",
        app_key=KUAISHOU_APP_KEY,
        sign_secret=KUAISHOU_SIGN_SECRET,
        access_token=KUAISHOU_ACCESS_TOKEN,
        transport=httpx.ASGITransport(app=build_sandbox_app(state)),
    ) as client:
        video_id = await client.upload_item_video(mp4_bytes(), file_name="a.mp4")
    assert [m.video_id for m in state.kuaishou.materials.materials.values()] == [video_id]


@anyio
async def test_each_step_of_the_flow_is_typed(
    client: KuaishouClient, sandbox: KuaishouSandbox
) -> None:
    data = mp4_bytes(1000)
    upload = await client.issue_material_upload_token(file_name="a.mp4", file_length=len(data))
    await client.upload_material(upload, data, file_name="a.mp4")
    verified = await client.verify_material_upload(upload.token)
    detail = await client.material_detail(verified.material_id)
    assert (detail.material_id, detail.file_name, detail.file_length) == (
        verified.material_id,
        "a.mp4",
        1000,
    )
    assert detail.video_id
    assert upload.expire_time is not None


@anyio
async def test_verifying_a_token_twice_gives_the_same_material(client: KuaishouClient) -> None:
    upload = await client.issue_material_upload_token()
    await client.upload_material(upload, mp4_bytes(), file_name="a.mp4")
    first = await client.verify_material_upload(upload.token)
    second = await client.verify_material_upload(upload.token)
    assert first.material_id == second.material_id


@anyio
async def test_an_upload_token_is_single_use(client: KuaishouClient) -> None:
    upload = await client.issue_material_upload_token()
    await client.upload_material(upload, mp4_bytes(), file_name="a.mp4")
    with pytest.raises(KuaishouValidationError, match="single-use"):
        await client.upload_material(upload, mp4_bytes(), file_name="b.mp4")


@anyio
async def test_a_file_that_is_not_an_mp4_is_refused_by_the_platform(
    client: KuaishouClient, make_png: Callable[..., bytes]
) -> None:
    upload = await client.issue_material_upload_token()
    with pytest.raises(KuaishouValidationError, match="not an MP4"):
        await client.upload_material(upload, make_png(), file_name="a.mp4")


@anyio
async def test_the_client_refuses_a_non_mp4_before_spending_a_token(
    client: KuaishouClient, sandbox: KuaishouSandbox, make_png: Callable[..., bytes]
) -> None:
    with pytest.raises(KuaishouValidationError, match="file: is not an MP4"):
        await client.upload_item_video(make_png(), file_name="a.png")
    assert sandbox.calls == []


@anyio
async def test_verify_without_an_upload_fails(client: KuaishouClient) -> None:
    upload = await client.issue_material_upload_token()
    with pytest.raises(KuaishouValidationError, match="nothing was uploaded"):
        await client.verify_material_upload(upload.token)


@anyio
async def test_a_file_over_the_size_cap_is_refused(
    client: KuaishouClient, sandbox: KuaishouSandbox
) -> None:
    sandbox.materials.max_video_bytes = 100
    upload = await client.issue_material_upload_token()
    with pytest.raises(KuaishouValidationError, match="at most 100 are allowed"):
        await client.upload_material(upload, mp4_bytes(101), file_name="a.mp4")


@anyio
async def test_a_declared_file_length_over_the_cap_is_refused_at_issue(
    client: KuaishouClient, sandbox: KuaishouSandbox
) -> None:
    sandbox.materials.max_video_bytes = 100
    with pytest.raises(KuaishouValidationError, match="fileLength"):
        await client.upload_item_video(mp4_bytes(101), file_name="a.mp4")
    assert calls_of(sandbox, "material.upload") == 0


@anyio
async def test_an_expired_token_is_refused(
    client: KuaishouClient, sandbox: KuaishouSandbox
) -> None:
    issued = datetime(2025, 7, 25, 10, 0, tzinfo=CHINA_TZ)
    sandbox.now = lambda: issued
    upload = await client.issue_material_upload_token()
    sandbox.now = lambda: issued + sandbox.materials.token_ttl + timedelta(seconds=1)
    with pytest.raises(KuaishouValidationError, match="expired"):
        await client.upload_material(upload, mp4_bytes(), file_name="a.mp4")


@anyio
async def test_an_unknown_token_is_refused(client: KuaishouClient) -> None:
    with pytest.raises(KuaishouValidationError, match="unknown upload token"):
        await client.verify_material_upload("no-such-token")


@anyio
async def test_another_merchants_material_is_not_found(
    client: KuaishouClient, client_for: MakeClient, sandbox: KuaishouSandbox
) -> None:
    upload = await client.issue_material_upload_token()
    await client.upload_material(upload, mp4_bytes(), file_name="a.mp4")
    verified = await client.verify_material_upload(upload.token)
    sandbox.tokens[OTHER_TOKEN] = 880_002
    async with client_for(access_token=OTHER_TOKEN) as other:
        with pytest.raises(KuaishouNotFoundError, match="素材不存在"):
            await other.material_detail(verified.material_id)


@anyio
async def test_open_item_new_rejects_an_unknown_video_id(
    client: KuaishouClient, sandbox: KuaishouSandbox, kwai_urls: list[str], make_param: MakeParam
) -> None:
    param = make_param(kwai_urls, item_video=ItemVideo(video_id="sbxv404"))
    with pytest.raises(KuaishouValidationError, match=r"itemVideo\.videoId: sbxv404 is not"):
        await client.create_item(param)
    assert sandbox.items == {}


@anyio
async def test_open_item_new_rejects_another_merchants_video(
    client: KuaishouClient,
    client_for: MakeClient,
    sandbox: KuaishouSandbox,
    kwai_urls: list[str],
    make_param: MakeParam,
) -> None:
    sandbox.tokens[OTHER_TOKEN] = 880_002
    async with client_for(access_token=OTHER_TOKEN) as other:
        theirs = await other.upload_item_video(mp4_bytes(), file_name="theirs.mp4")
    with pytest.raises(KuaishouValidationError, match=r"itemVideo\.videoId"):
        await client.create_item(make_param(kwai_urls, item_video=ItemVideo(video_id=theirs)))


@anyio
async def test_open_item_new_rejects_a_short_video_the_sandbox_does_not_know(
    client: KuaishouClient, kwai_urls: list[str], make_param: MakeParam
) -> None:
    video = ItemVideo(video_id="5200000001", video_type=2)
    with pytest.raises(KuaishouValidationError, match="not a Kuaishou short video"):
        await client.create_item(make_param(kwai_urls, item_video=video))
