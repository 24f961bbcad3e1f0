"""A thin async client for the Kuaishou shop open platform (kuaishou-api.md §6.4).

Every call goes through one gateway function. It signs the 7 system params, POSTs them form-encoded
to `/` + the method with dots as slashes, and turns anything but `result == 1` into a typed
`KuaishouError`. Retries follow DESIGN.md "Exactly-once publishing":

- reads retry on throttling, 5xx and transport errors;
- `open.supply.item.sync` retries too, because a report is idempotent per item;
- `open.item.new` is never retried. A lost answer must be resolved with
  `find_item_by_rel_item_id`, never by resending.

Each method is sent as its documentation says (`methods.METHODS`, docs/kuaishou-methods.md):
the reads `open.item.get`, `open.item.list.get`, the category reads and `material.detail.get` as GET
with the system params in the query, the writes as form POSTs, the image upload as multipart. A GET
carries the access token in its URL, so httpx's request log masks it (`connectors.http`).
"""

from __future__ import annotations

import contextvars
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Protocol, TypeVar, runtime_checkable

import httpx
from pydantic import BaseModel, ValidationError

from connectors import safe_json
from connectors.http import (
    AsyncClosing,
    Redactor,
    build_async_client,
    call_with_retries,
    post_form,
    raise_for_transport_status,
)
from connectors.kuaishou.errors import (
    KuaishouError,
    KuaishouNotFoundError,
    KuaishouServerError,
    KuaishouThrottledError,
    KuaishouTokenExpiredError,
    KuaishouTransportError,
    KuaishouValidationError,
    error_from_envelope,
)
from connectors.kuaishou.methods import spec_for
from connectors.kuaishou.models import (
    Category,
    CategoryConfig,
    CategorySuggestion,
    CategorySuggestParam,
    Envelope,
    ImageUploadResult,
    ItemAutopassEditParam,
    ItemEditParam,
    ItemInfo,
    ItemListPage,
    ItemNewParam,
    ItemNewResult,
    MaterialDetail,
    MaterialTokenParam,
    MaterialUploadToken,
    MaterialVerifyResult,
    SupplyItem,
)
from connectors.kuaishou.rules import ImageCheck, Violation, describe, violations
from connectors.kuaishou.signing import SignMethod, dump_param, sign, sign_string
from connectors.kuaishou.video import MATERIAL_UPLOAD_TYPE_VIDEO, video_file_violations
from connectors.rate_gate import RateGate

__all__ = ["PRODUCTION_BASE_URL", "KuaishouClient", "RefreshingTokenProvider", "TokenProvider"]

PRODUCTION_BASE_URL = "https://openapi.kwaixiaodian.com"
API_VERSION = "1"

logger = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

# --- token providers (OAuth: tokens.TokenManager) ------------------------------------------------

TokenProvider = Callable[[], Awaitable[str]]
"""Returns the access token to send; called before every request (it should cache)."""


@runtime_checkable
class RefreshingTokenProvider(Protocol):
    """A token provider that can also replace a token the platform refused as expired."""

    def __call__(self) -> Awaitable[str]: ...

    async def force_refresh(self, rejected: str) -> str: ...


# The token the current task's last request carried, so a retry after "token expired" can say
# which token died (concurrent tasks may already hold a newer one).
_SENT_TOKEN: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "kuaishou_sent_token", default=None
)


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _image_type(data: bytes) -> str:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    return "application/octet-stream"


class KuaishouClient(AsyncClosing):
    """One merchant's (access token's) view of the open platform, for one app.

    Production and sandbox differ only in `base_url` and `transport`. Requests keep to
    `rate_per_second` in this process, or pass `rate_gate`, the shop's gate shared with every
    worker calling it. The token is either fixed
    (`access_token`) or asked of a `token_provider` (e.g. a `tokens.TokenManager`) before each
    request; exactly one of the two. With a provider, a read refused because the token expired
    is sent once more after a forced refresh; `open.item.new` never is.
    """

    def __init__(
        self,
        *,
        base_url: str = PRODUCTION_BASE_URL,
        app_key: str,
        sign_secret: str,
        access_token: str | None = None,
        token_provider: TokenProvider | None = None,
        sign_method: SignMethod = "HMAC_SHA256",
        transport: httpx.AsyncBaseTransport | None = None,
        rate_per_second: float | None = None,
        rate_gate: RateGate | None = None,
        clock: Callable[[], int] | None = None,
        read_attempts: int = 5,
        close_token_provider: bool = False,
    ) -> None:
        if sign_method not in ("MD5", "HMAC_SHA256"):
            raise ValueError(f"sign_method must be 'MD5' or 'HMAC_SHA256', got {sign_method!r}")
        if (access_token is None) == (token_provider is None):
            raise ValueError("give exactly one of access_token and token_provider")
        self._app_key = app_key
        self._sign_secret = sign_secret
        self._access_token = access_token or ""
        self._token_provider = token_provider
        self._close_token_provider = close_token_provider
        self._sign_method: SignMethod = sign_method
        self._clock = clock or _now_ms
        self._read_attempts = read_attempts
        self._redact = Redactor([sign_secret, access_token])
        self._http = build_async_client(
            base_url=base_url,
            transport=transport,
            rate_per_second=rate_per_second,
            rate_gate=rate_gate,
        )

    # --- lifecycle -------------------------------------------------------------------------------

    async def aclose(self) -> None:
        """Close the HTTP client, and the token provider if this client was given it to own."""
        await self._http.aclose()
        closer = getattr(self._token_provider, "aclose", None)
        if self._close_token_provider and closer is not None:
            await closer()

    # --- methods ---------------------------------------------------------------------------------

    async def categories(self) -> list[Category]:
        """The flat category list (`open.item.category`). It changes rarely: cache it."""
        data = await self._read("open.item.category", {})
        return [_parse(Category, row, method="open.item.category") for row in data or []]

    async def category_config(self, category_id: int) -> CategoryConfig:
        """Refund rules, presale cap and attribute configs of a leaf category."""
        method = "open.item.category.config"
        data = await self._read(method, {"categoryId": category_id})
        return _parse(CategoryConfig, data, method=method)

    async def upload_image(
        self, data: bytes, *, upload_type: int = 1, filename: str = "image"
    ) -> ImageUploadResult:
        """Re-host image bytes on Kuaishou. Every URL in an item must be such a `kwaiImgUrl`.

        It is retried like a read: the worst a repeat can do is store one more copy.
        """
        method = "open.item.image.upload"
        part = (filename, data, _image_type(data))
        result = await self._retrying(
            lambda: self._call(method, {"uploadType": upload_type}, image=part)
        )
        return _parse(ImageUploadResult, result, method=method)

    async def create_item(
        self,
        param: ItemNewParam,
        *,
        category_config: CategoryConfig | None = None,
        is_kwai_image: ImageCheck | None = None,
    ) -> ItemNewResult:
        """Create an item (`open.item.new`) with one request, never retried.

        Raises:
            KuaishouValidationError: `param` breaks publishing rules. Every violation is listed and
                nothing was sent.
            KuaishouServerError, KuaishouTransportError: the outcome is unknown. Look the item up
                with `find_item_by_rel_item_id` before sending anything again.
        """
        method = "open.item.new"
        found = violations(param, category_config=category_config, is_kwai_image=is_kwai_image)
        if found:
            raise KuaishouValidationError(
                f"{method} not sent: relItemId {param.rel_item_id} breaks {len(found)} "
                f"rule(s): {describe(found)}",
                method=method,
                violations=found,
            )
        data = await self._call(method, param)
        return _parse(ItemNewResult, data, method=method)

    async def get_item(self, kwai_item_id: int) -> ItemInfo:
        """An item with its review state (`auditStatus`)."""
        method = "open.item.get"
        data = await self._read(method, {"kwaiItemId": kwai_item_id})
        return _parse(ItemInfo, data, method=method)

    async def find_item_by_rel_item_id(self, rel_item_id: int) -> ItemInfo | None:
        """The item created with this relItemId, or None: how a lost create is resolved.

        The official schema says that with `relItemId` the data is one item, not a page. Both
        shapes are accepted, and so is a not-found error.
        """
        method = "open.item.list.get"
        try:
            data = await self._read(method, {"relItemId": rel_item_id})
        except KuaishouNotFoundError:
            return None
        if not data:
            return None
        if isinstance(data, Mapping) and "items" in data:
            page = _parse(ItemListPage, data, method=method)
            matches = [item for item in page.items if item.rel_item_id in (None, rel_item_id)]
            return matches[0] if matches else None
        item = _parse(ItemInfo, data, method=method)
        return item if item.rel_item_id in (None, rel_item_id) else None

    async def sync_supply_item(self, item: SupplyItem) -> None:
        """Report one published item's supply (`open.supply.item.sync`).

        It is retried: the outbox and the platform treat a report as idempotent per item.
        """
        param = {"item": item.model_dump(by_alias=True, exclude_none=True, mode="json")}
        await self._retrying(lambda: self._call("open.supply.item.sync", param))

    async def set_shelf_status(self, kwai_item_id: int, *, on_shelf: bool) -> None:
        """Put an item on the shelf or take it off (`open.item.shelf.status.update`).

        `shelfStatus` 1 is on, 0 off [I: the schema allows 0 and 1; which is which is inferred].
        The call sets a state, so it is retried like a read: sending it twice changes nothing.
        The item stays on Kuaishou, findable by relItemId, and its relItemId stays spent.
        """
        param = {"kwaiItemId": kwai_item_id, "shelfStatus": 1 if on_shelf else 0}
        await self._retrying(lambda: self._call("open.item.shelf.status.update", param))

    # --- edits, category suggestions, item video -------------------------------------------------

    async def edit_item(self, param: ItemEditParam) -> ItemNewResult:
        """Edit an item (`open.item.edit`) with one request, never retried.

        Only the fields set change. A title, details, main-image or category change sends the item
        back to review. The platform checks the merged item, which this partial param cannot be
        checked for here.

        Raises:
            KuaishouItemStateError: the item is under review or rejected (or a category change
                outside 审核待修改): wait for the review.
            KuaishouValidationError: the edited item would break a rule; the message names it.
            KuaishouServerError, KuaishouTransportError: the outcome is unknown. Read the item
                with `get_item` before deciding to send the edit again.
        """
        method = "open.item.edit"
        data = await self._call(method, param)
        return _parse(ItemNewResult, data, method=method)

    async def autopass_edit(self, param: ItemAutopassEditParam) -> None:
        """Change prices, stock or the service rule without review (`open.item.autopass.edit`).

        Never retried: stock changes are relative, so a repeat would apply one twice. Read the
        result with `get_item`.
        """
        await self._call("open.item.autopass.edit", param)

    async def suggest_categories(
        self, *, title: str, image_urls: Sequence[str], desc: str | None = None
    ) -> list[CategorySuggestion]:
        """At most 3 suggested leaf categories (`open.item.category.suggested.get`).

        The images must be Kuaishou URLs (`upload_image` first). The quota is 2,000 calls per
        merchant per day; past it a `KuaishouQuotaExceededError` is raised and not retried.
        Spend it once per source category with `store.suggestions.cached_suggestions`.
        """
        method = "open.item.category.suggested.get"
        found: list[Violation] = []
        if not title.strip():
            found.append(Violation("itemTitle", "required: the item title"))
        if not image_urls:
            found.append(Violation("imageUrls", "required: at least one Kuaishou image URL"))
        if found:
            raise KuaishouValidationError(
                f"{method} not sent: {describe(found)}", method=method, violations=found
            )
        param = CategorySuggestParam(image_urls=list(image_urls), item_title=title, item_desc=desc)
        data = await self._read(method, param)
        return [_parse(CategorySuggestion, row, method=method) for row in _rows(data)]

    async def issue_material_upload_token(
        self, *, file_name: str | None = None, file_length: int | None = None
    ) -> MaterialUploadToken:
        """Step 1 of the item-video flow: a single-use upload token and where to POST the file.

        Retried like a read: an unused token costs nothing. A `file_length` over the platform's
        cap is refused here, before any upload.
        """
        method = "open.item.material.upload.token.issue"
        param = MaterialTokenParam(
            material_upload_type=MATERIAL_UPLOAD_TYPE_VIDEO,
            file_name=file_name,
            file_length=file_length,
        )
        data = await self._read(method, param)
        return _parse(MaterialUploadToken, data, method=method)

    async def upload_material(
        self, upload: MaterialUploadToken, data: bytes, *, file_name: str
    ) -> None:
        """Step 2: POST the bytes as the multipart part `file` to the token's URL, once.

        Not retried: the token is single-use. After a failure, start again from step 1.
        """
        method = "material.upload"
        params = None if "token=" in upload.upload_url else {"token": upload.token}
        try:
            response = await self._http.post(
                upload.upload_url, params=params, files={"file": (file_name, data, "video/mp4")}
            )
        except httpx.TransportError as exc:
            raise KuaishouTransportError(
                f"{method}: no response ({type(exc).__name__}: {self._redact(str(exc))})",
                method=method,
            ) from exc
        raise_for_transport_status(response, error=_http_error_factory(response, method))
        try:
            body = safe_json.loads(response.content)
        except ValueError:
            if response.is_success:
                return  # an upload host may answer without a body; verifying confirms it
            raise KuaishouError(
                f"{method}: HTTP {response.status_code}: {self._redact(response.text[:200])!r}",
                method=method,
            ) from None
        if isinstance(body, Mapping) and body.get("result", 1) != 1:
            raise error_from_envelope(body, method=method, redact=self._redact)
        if not response.is_success:
            raise KuaishouError(f"{method}: HTTP {response.status_code}", method=method)

    async def verify_material_upload(self, token: str) -> MaterialVerifyResult:
        """Step 3: turn the uploaded file into a material (`...upload.token.verify`)."""
        method = "open.item.material.upload.token.verify"
        param = {"token": token, "materialUploadType": MATERIAL_UPLOAD_TYPE_VIDEO}
        data = await self._read(method, param)
        return _parse(MaterialVerifyResult, data, method=method)

    async def material_detail(self, material_id: int) -> MaterialDetail:
        """Step 4: the material, with the `videoId` that `itemVideo` takes."""
        method = "open.item.material.detail.get"
        param = {"materialId": material_id, "materialUploadType": MATERIAL_UPLOAD_TYPE_VIDEO}
        data = await self._read(method, param)
        return _parse(MaterialDetail, data, method=method)

    async def upload_item_video(self, data: bytes, *, file_name: str) -> str:
        """Upload an MP4 as an item video; return the videoId for `itemVideo{videoId, videoType:1}`.

        A file that is not an MP4 is refused before any call.

        Raises:
            KuaishouValidationError: the file is refused (here or by the platform).
            KuaishouError: the material has no videoId yet; read it again with `material_detail`.
        """
        found = video_file_violations(data)
        if found:
            raise KuaishouValidationError(
                f"item video {file_name} not uploaded: {describe(found)}",
                method="open.item.material.upload.token.issue",
                violations=found,
            )
        upload = await self.issue_material_upload_token(file_name=file_name, file_length=len(data))
        await self.upload_material(upload, data, file_name=file_name)
        verified = await self.verify_material_upload(upload.token)
        detail = await self.material_detail(verified.material_id)
        if not detail.video_id:
            raise KuaishouError(
                f"material {verified.material_id} has no videoId yet (status {detail.status}): "
                "read it again later with material_detail",
                method="open.item.material.detail.get",
            )
        return detail.video_id

    # --- the token: fixed, or from a provider (OAuth) --------------------------------------------

    async def _current_token(self) -> str:
        if self._token_provider is None:
            return self._access_token
        token = await self._token_provider()
        self._redact.add(token)
        _SENT_TOKEN.set(token)
        return token

    async def _reauthorized(self, call: Callable[[], Awaitable[T]], error: Exception) -> T:
        """Once, after "token expired": get a new token from the provider and resend.

        A `RefreshingTokenProvider` is told which token died and rotates unless another task or
        worker already has; a plain provider is asked again and must return another token.
        """
        provider, rejected = self._token_provider, _SENT_TOKEN.get()
        if provider is None or rejected is None:
            raise error
        if isinstance(provider, RefreshingTokenProvider):
            await provider.force_refresh(rejected)
        elif await provider() == rejected:
            raise error
        logger.info("kuaishou access token expired; resending once with a refreshed token")
        return await call_with_retries(call, attempts=self._read_attempts)

    # --- the gateway -----------------------------------------------------------------------------

    async def _read(self, method: str, param: Any) -> Any:
        return await self._retrying(lambda: self._call(method, param))

    async def _retrying(self, call: Callable[[], Awaitable[T]]) -> T:
        try:
            return await call_with_retries(call, attempts=self._read_attempts)
        except KuaishouTokenExpiredError as expired:
            return await self._reauthorized(call, expired)

    def _system_params(
        self, method: str, param: Any, *, access_token: str | None = None
    ) -> dict[str, str]:
        params = {
            "appkey": self._app_key,
            "method": method,
            "version": API_VERSION,
            "param": dump_param(param),
            "access_token": self._access_token if access_token is None else access_token,
            "timestamp": str(self._clock()),
            "signMethod": self._sign_method,
        }
        if logger.isEnabledFor(logging.DEBUG):
            text = sign_string(params, sign_secret=self._sign_secret)
            logger.debug("kuaishou %s string to sign: %s", method, self._redact(text))
        params["sign"] = sign(params, sign_secret=self._sign_secret, sign_method=self._sign_method)
        return params

    async def _call(
        self, method: str, param: Any, *, image: tuple[str, bytes, str] | None = None
    ) -> Any:
        """One signed request. Returns `data` on `result == 1`, else raises a `KuaishouError`."""
        path = "/" + method.replace(".", "/")
        fields = self._system_params(method, param, access_token=await self._current_token())
        try:
            if image is None and spec_for(method).http_method == "GET":
                response = await self._http.get(path, params=fields)
            elif image is None:
                response = await post_form(self._http, path, fields)
            else:
                response = await self._http.post(path, data=fields, files={"imgBytes": image})
        except httpx.TransportError as exc:
            raise KuaishouTransportError(
                f"{method}: no response ({type(exc).__name__}: {self._redact(str(exc))})",
                method=method,
            ) from exc
        raise_for_transport_status(response, error=_http_error_factory(response, method))
        try:
            body = safe_json.loads(response.content)
        except ValueError:
            snippet = self._redact(response.text[:200])
            cls = KuaishouServerError if response.is_success else KuaishouError
            raise cls(
                f"{method}: HTTP {response.status_code} without a JSON envelope: {snippet!r}",
                method=method,
            ) from None
        if not isinstance(body, Mapping):
            raise KuaishouServerError(f"{method}: the envelope is not an object", method=method)
        envelope = _parse(Envelope, body, method=method)
        if not envelope.ok:
            raise error_from_envelope(body, method=method, redact=self._redact)
        return envelope.data


def _http_error_factory(response: httpx.Response, method: str) -> Callable[..., KuaishouError]:
    """What `raise_for_transport_status` raises: 429 means throttled, 5xx a server error."""
    cls = KuaishouThrottledError if response.status_code == 429 else KuaishouServerError

    def factory(message: str, *, retryable: bool) -> KuaishouError:
        return cls(f"{method}: {message}", method=method, retryable=retryable)

    return factory


def _rows(data: Any) -> list[Any]:
    """The rows of a list answer, also when it is wrapped in an object (the shape is [?])."""
    if isinstance(data, list):
        return data
    if isinstance(data, Mapping):
        return next((value for value in data.values() if isinstance(value, list)), [])
    return []


def _parse(model: type[M], data: Any, *, method: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise KuaishouError(
            f"{method}: unexpected response shape for {model.__name__}: "
            f"{exc.error_count()} error(s), first: {exc.errors()[0]['msg']} at "
            f"{'.'.join(str(p) for p in exc.errors()[0]['loc'])}",
            method=method,
        ) from None
