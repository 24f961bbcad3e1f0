"""A strict emulator of the 1688 AOP gateway for the product-reading APIs.

It checks what the real gateway checks, in the same order, and answers in 1688's two error shapes:
gateway refusals as HTTP 4xx `{"error_code", "error_message", "request_id"}` (app key, API, version,
`_aop_signature` recomputed over the URL path and exactly the params received, `_aop_timestamp`
within 10 minutes, the member's `access_token`), API refusals as HTTP 200 `{"success": false, ...}`.
Then each API's documented rules:

- `com.alibaba.product:alibaba.product.list.get`: the member's own offers, `pageSize` ≤ 20 (the real
  gateway silently caps it; the emulator refuses, so a client that relies on the cap is caught),
  `statusList` as a JSON array, `orderByCondition` ID / MODIFY_DATE;
- `com.alibaba.product:alibaba.product.get` (`productID`, `webSite=1688`): "只能查询自己所有的产品",
  so another member's offer is a permission error;
- `com.alibaba.product:alibaba.cross.productInfo` (`productId`): any offer of any shop.

The error codes gw.AppKeyNotFound, gw.APIUnsupported, gw.SignatureInvalid, gw.ParamMissing,
gw.QosAppFrequencyLimit and 401 "Request need user authorized" are quoted from live-gateway probes in
the code index; gw.ParamInvalid, gw.TimestampExpired, gw.ServiceUnavailable, the HTTP statuses and the
own-product error's wording are modelled on them, not checked against a live gateway [I].

Mounted by the sandbox server under `/alibaba1688`:
`POST /alibaba1688/openapi/param2/1/{namespace}/{api}/{appKey}`, `GET /alibaba1688/img/ibank/...` and
`GET /alibaba1688/video/<name>` (videos.py)
(offers name them under 1688's CDN base `https://cbu01.alicdn.com/`, which the pipeline's media
fetcher routes here in sandbox mode: media_hosts.py).
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, get_args

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from connectors import safe_json
from connectors.alibaba1688.parse import strip_image_suffix
from connectors.alibaba1688.signing import (
    SIGNATURE_PARAM,
    TIMESTAMP_PARAM,
    aop_signature,
    url_path,
)
from listings.china_time import CHINA_TZ
from sandbox.alibaba_catalog import generate_catalog, shop_profile
from sandbox.alibaba_credentials import (
    ALIBABA1688_ACCESS_TOKENS,
    ALIBABA1688_APP_KEY,
    ALIBABA1688_APP_SECRET,
)
from sandbox.faults import FaultQueue
from sandbox.forms import read_form_or_nothing
from sandbox.guard import guarded
from sandbox.media_hosts import ALIBABA1688_IMAGE_BASE
from sandbox.taobao_images import render_image
from sandbox.videos import video_response

__all__ = [
    "DEFAULT_SHOP_SIZES",
    "Alibaba1688Sandbox",
    "AopFault",
    "FaultKind",
    "SandboxCall",
    "build_1688_app",
]

DEFAULT_SHOP_SIZES: dict[str, int] = {"demo-1688-supplier": 120, "demo-1688-own": 60}
MAX_PAGE_SIZE = 20
NAMESPACE = "com.alibaba.product"
LIST_API = "alibaba.product.list.get"
GET_API = "alibaba.product.get"
CROSS_API = "alibaba.cross.productInfo"
APIS = frozenset({LIST_API, GET_API, CROSS_API})

FaultKind = Literal["throttle", "service", "5xx"]
_LIST_FIELDS = (
    "productID",
    "productType",
    "subject",
    "status",
    "categoryID",
    "image",
    "lastUpdateTime",
)
_LIST_ORDER = {"ID": "productID", "MODIFY_DATE": "lastUpdateTime"}


class AopFault(Exception):
    """A refusal, in the gateway's shape (HTTP 4xx, snake_case) or the API's (HTTP 200)."""

    def __init__(
        self,
        code: str | None,
        message: str,
        *,
        status: int = 400,
        gateway: bool = True,
    ) -> None:
        super().__init__(f"{code} {message}")
        self.code = code
        self.message = message
        self.status = status
        self.gateway = gateway

    def body(self, request_id: str) -> dict[str, Any]:
        if self.gateway:
            return {
                "error_code": self.code,
                "error_message": self.message,
                "request_id": request_id,
            }
        body: dict[str, Any] = {"success": False}
        if self.code:
            body["errorCode"] = self.code
            body["errorMessage"] = self.message
        else:
            body["message"] = self.message
        return body


def _param_missing(name: str) -> AopFault:
    return AopFault("gw.ParamMissing", f"Required parameter {name} is missing")


def _param_invalid(name: str, why: str) -> AopFault:
    return AopFault("gw.ParamInvalid", f"Parameter {name} is invalid: {why}")


@dataclass(frozen=True)
class SandboxCall:
    """One request as the emulator saw it: the API, the member, the params and the outcome."""

    api: str
    member: str | None
    params: dict[str, str]
    error_code: str | None
    http_status: int = 200
    fault: str | None = None


class Alibaba1688Sandbox:
    """The emulator's state: one AOP app, its members' tokens and shops, faults, the call log.

    `access_tokens` maps token → member id (= the id of the shop the member owns), `shop_sizes`
    shop id → number of generated offers, `supplier_names` shop id → the company name a supply
    report needs (productInfo does not carry it; the pipeline must be told).
    """

    def __init__(
        self,
        *,
        app_key: str = ALIBABA1688_APP_KEY,
        app_secret: str = ALIBABA1688_APP_SECRET,
        access_tokens: dict[str, str] | None = None,
        shop_sizes: dict[str, int] | None = None,
        supplier_names: dict[str, str] | None = None,
        seed: int = 7,
        max_clock_skew: timedelta | None = timedelta(minutes=10),
    ) -> None:
        self.app_key = app_key
        self.app_secret = app_secret
        self.access_tokens = dict(
            ALIBABA1688_ACCESS_TOKENS if access_tokens is None else access_tokens
        )
        self.shop_sizes = dict(DEFAULT_SHOP_SIZES if shop_sizes is None else shop_sizes)
        self.supplier_names = (
            {shop: shop_profile(shop).company_name for shop in self.shop_sizes}
            if supplier_names is None
            else dict(supplier_names)
        )
        self.seed = seed
        self.max_clock_skew = max_clock_skew
        self.calls: list[SandboxCall] = []
        self._faults: FaultQueue[FaultKind] = FaultQueue(get_args(FaultKind))
        self._catalogs: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._owners: dict[str, dict[int, tuple[str, dict[str, Any]]]] = {}
        self._request_no = 0

    # -- faults and log --------------------------------------------------------------------------

    def fail_next(self, api: str, kind: FaultKind, *, times: int = 1) -> None:
        """Make the next `times` authenticated calls of `api` fail with `kind`.

        "throttle": gw.QosAppFrequencyLimit (HTTP 400); "service": gw.ServiceUnavailable (HTTP
        503, JSON); "5xx": HTTP 502 from a proxy in front of the gateway (plain text).
        """
        self._faults.queue(api, kind, times=times)

    def calls_to(self, api: str) -> list[SandboxCall]:
        return [call for call in self.calls if call.api == api]

    def _next_fault(self, api: str) -> FaultKind | None:
        return self._faults.take(api)

    def _request_id(self) -> str:
        self._request_no += 1
        return f"sandbox1688{self.seed:x}{self._request_no:08d}"

    # -- catalogs --------------------------------------------------------------------------------

    def catalog(self, shop_id: str, *, image_base: str) -> list[dict[str, Any]]:
        """The shop's offers (every status), generated once per (shop, image base)."""
        key = (shop_id, image_base)
        if key not in self._catalogs:
            self._catalogs[key] = generate_catalog(
                shop_id=shop_id,
                size=self.shop_sizes.get(shop_id, 0),
                seed=self.seed,
                image_base=image_base,
            )
        return self._catalogs[key]

    def find_offer(self, product_id: int, *, image_base: str) -> tuple[str, dict[str, Any]] | None:
        """The (owning shop, offer) of a product id across every shop, or None.

        Shops draw their ids from separate bands, so an id names one offer; should two bands ever
        meet, the shop first in sorted order wins.
        """
        if image_base not in self._owners:
            owners: dict[int, tuple[str, dict[str, Any]]] = {}
            for shop_id in sorted(self.shop_sizes):
                for offer in self.catalog(shop_id, image_base=image_base):
                    owners.setdefault(offer["productID"], (shop_id, offer))
            self._owners[image_base] = owners
        return self._owners[image_base].get(product_id)

    # -- gateway checks --------------------------------------------------------------------------

    def authenticate(
        self, *, version: str, namespace: str, api: str, app_key: str, params: dict[str, str]
    ) -> str:
        """The member the request acts for, after every gateway check; raises AopFault."""
        if app_key != self.app_key:
            raise AopFault("gw.AppKeyNotFound", f"AppKey {app_key} is not found")
        if version != "1" or namespace != NAMESPACE or api not in APIS:
            raise AopFault(
                "gw.APIUnsupported", f"param2/{version}/{namespace}/{api} is not emulated"
            )
        given = params.get(SIGNATURE_PARAM, "")
        if not given:
            raise AopFault("gw.SignatureInvalid", "Request signature is missing")
        path = url_path(namespace, api, app_key, version=int(version))
        expected = aop_signature(path, params, secret=self.app_secret)
        if not hmac.compare_digest(expected, given.upper()):
            raise AopFault("gw.SignatureInvalid", "Request signature is invalid")
        self._check_timestamp(params.get(TIMESTAMP_PARAM))
        token = params.get("access_token", "")
        if token not in self.access_tokens:
            raise AopFault("401", "Request need user authorized", status=401)
        return self.access_tokens[token]

    def _check_timestamp(self, text: str | None) -> None:
        """`_aop_timestamp` is optional (the doc: 否), but when sent it must be recent."""
        if text is None:
            return
        if not text.isdigit():
            raise AopFault("gw.TimestampExpired", "_aop_timestamp must be epoch milliseconds")
        if self.max_clock_skew is not None:
            sent = datetime.fromtimestamp(int(text) / 1000, tz=CHINA_TZ)
            if abs(datetime.now(CHINA_TZ) - sent) > self.max_clock_skew:
                raise AopFault("gw.TimestampExpired", "_aop_timestamp is more than 10 minutes off")

    # -- APIs ------------------------------------------------------------------------------------

    def _list(self, params: dict[str, str], *, member: str, image_base: str) -> dict[str, Any]:
        page_no = _int_param(params, "pageNo")
        page_size = _int_param(params, "pageSize")
        if page_no < 1:
            raise _param_invalid("pageNo", "pageNo starts at 1")
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise _param_invalid("pageSize", f"pageSize must be between 1 and {MAX_PAGE_SIZE}")
        statuses = _status_list(params.get("statusList"))
        rows = [
            offer
            for offer in self.catalog(member, image_base=image_base)
            if statuses is None or offer["status"] in statuses
        ]
        order = _LIST_ORDER.get(params.get("orderByCondition", "ID").upper(), "productID")
        rows.sort(
            key=lambda offer: (offer[order], offer["productID"]),
            reverse=params.get("orderByType", "ASC").upper() == "DESC",
        )
        page = rows[(page_no - 1) * page_size : page_no * page_size]
        return {
            "result": {
                "pageResult": {
                    "resultList": [
                        {key: offer[key] for key in _LIST_FIELDS if key in offer} for offer in page
                    ],
                    "totalRecords": len(rows),
                    "pageIndex": page_no,
                    "sizePerPage": page_size,
                }
            }
        }

    def _get(self, params: dict[str, str], *, member: str, image_base: str) -> dict[str, Any]:
        product_id = _int_param(params, "productID")
        web_site = params.get("webSite", "")
        if not web_site:
            raise _param_missing("webSite")
        if web_site != "1688":
            raise _param_invalid("webSite", "the sandbox emulates webSite=1688 only")
        found = self.find_offer(product_id, image_base=image_base)
        if found is None:
            raise AopFault(None, f"商品[{product_id}]不存在", status=200, gateway=False)
        owner, offer = found
        if owner != member:
            raise AopFault(
                "PRODUCT_PERMISSION_DENIED",
                f"只能查询自己所有的产品: 商品[{product_id}]不属于当前会员",
                status=200,
                gateway=False,
            )
        return {
            "productInfo": offer,
            "createTime": offer.get("createTime"),
            "lastUpdateTime": offer.get("lastUpdateTime"),
        }

    def _cross(self, params: dict[str, str], *, member: str, image_base: str) -> dict[str, Any]:
        product_id = _int_param(params, "productId")
        found = self.find_offer(product_id, image_base=image_base)
        if found is None:
            raise AopFault(None, f"商品[{product_id}]不存在", status=200, gateway=False)
        _, offer = found
        return {
            "productInfo": offer,
            "bizGroupInfos": [{"support": True, "description": "一件代发", "code": "isConsign"}],
            "success": True,
            "message": "",
        }

    # -- one request -----------------------------------------------------------------------------

    def handle(
        self,
        *,
        version: str,
        namespace: str,
        api: str,
        app_key: str,
        params: dict[str, str],
        image_base: str,
    ) -> tuple[int, dict[str, Any] | str]:
        """Status and body for one gateway request; every outcome lands in `calls`."""
        member: str | None = None
        request_id = self._request_id()
        try:
            member = self.authenticate(
                version=version, namespace=namespace, api=api, app_key=app_key, params=params
            )
            fault = self._next_fault(api)
            if fault == "5xx":
                self.calls.append(SandboxCall(api, member, params, None, 502, fault))
                return 502, "502 Bad Gateway"
            if fault == "throttle":
                raise AopFault("gw.QosAppFrequencyLimit", "App call exceeds limited frequency")
            if fault == "service":
                raise AopFault("gw.ServiceUnavailable", "Service unavailable", status=503)
            handler = {LIST_API: self._list, GET_API: self._get, CROSS_API: self._cross}[api]
            body = handler(params, member=member, image_base=image_base)
        except AopFault as error:
            self.calls.append(
                SandboxCall(api, member, params, error.code or error.message, error.status)
            )
            return error.status, error.body(request_id)
        self.calls.append(SandboxCall(api, member, params, None))
        return 200, body


def _int_param(params: dict[str, str], name: str) -> int:
    text = params.get(name, "").strip()
    if not text:
        raise _param_missing(name)
    try:
        return int(text)
    except ValueError:
        raise _param_invalid(name, f"{name} must be a whole number") from None


def _status_list(text: str | None) -> set[str] | None:
    """`statusList` as sent: a JSON array (what the client sends) or comma-separated. [I]"""
    if not text:
        return None
    try:
        value = safe_json.loads(text)
    except safe_json.UnsafeJsonError as exc:
        if text.lstrip().startswith(("[", "{")):
            raise _param_invalid("statusList", str(exc)) from None
        value = text.split(",")
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise _param_invalid("statusList", "statusList must be an array of statuses")
    return {str(status).strip() for status in value if str(status).strip()}


def _image_base(request: Request) -> str:
    """The base of the offers' images and videos: 1688's image CDN, as in production, the same on
    every port and after every restart (media_hosts.py); the sandbox serves it under this app."""
    return ALIBABA1688_IMAGE_BASE


_IMAGE_NAME = re.compile(r"^[\w.-]+\.jpe?g$", re.IGNORECASE)


def build_1688_app(state: Alibaba1688Sandbox) -> Starlette:
    """The AOP gateway (and its image bank) as an ASGI app over `state`."""

    async def gateway(request: Request) -> Response:
        params = dict(request.query_params)
        if request.method == "POST":
            params.update(await read_form_or_nothing(request))
        status, body = state.handle(
            version=request.path_params["version"],
            namespace=request.path_params["namespace"],
            api=request.path_params["api"],
            app_key=request.path_params["app_key"],
            params=params,
            image_base=_image_base(request),
        )
        if isinstance(body, str):
            return PlainTextResponse(body, status_code=status)
        return JSONResponse(body, status_code=status)

    async def image(request: Request) -> Response:
        name = strip_image_suffix(request.path_params["path"]).rsplit("/", 1)[-1]
        if "broken" in name or not _IMAGE_NAME.match(name):
            return PlainTextResponse("404 Not Found", status_code=404)
        return Response(
            render_image(name),
            media_type="image/jpeg",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    async def video(request: Request) -> Response:
        return video_response(request.path_params["name"])

    return Starlette(
        middleware=guarded("alibaba1688"),
        routes=[
            Route(
                "/openapi/param2/{version}/{namespace}/{api}/{app_key}",
                gateway,
                methods=["GET", "POST"],
            ),
            Route("/img/ibank/{path:path}", image, methods=["GET"]),
            Route("/video/{name}", video, methods=["GET"]),
        ],
    )
