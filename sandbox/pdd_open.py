"""A strict emulator of the Pinduoduo open-platform gateway for the goods-reading types.

It checks what the real gateway checks and answers with PDD's own envelope (`{"error_response":
{error_code, error_msg, sub_code, sub_msg, request_id}}`, HTTP 200): the `type`, `client_id`,
`timestamp` (unix seconds, within 10 minutes of now), `data_type` (JSON), `version` (V1), `sign`
(MD5 over every param received, empty strings included) and the shop's `access_token`, then each
type's arguments and documented limits: `page_size` ≤ 100, `created_at_from`/`created_at_end` at
most 7 days apart. Faults are injected on demand and every call is logged in `calls`.

Codes 10000 (参数错误:<name>), 10019 (access_token已过期), 20004 (签名验证失败) and 50001
(业务服务错误) follow real answers quoted in public code; 50000 (system busy) and 52101 (throttled)
are modelled on PDD's published table, unchecked (see connectors/pinduoduo/errors.py). The list call
leaves out deleted goods (status 4) and counts 售罄 goods as on the shelf: both [I].

Mounted by the sandbox server under `/pinduoduo`:
`POST /pinduoduo/api/router`, `GET /pinduoduo/img/<name>.jpeg` (also `<name>.jpg.a.jpeg`) and
`GET /pinduoduo/video/<name>` (videos.py); goods name them under PDD's CDN host (media_hosts.py).
"""

from __future__ import annotations

import hmac
import time
from datetime import timedelta
from typing import Any, Literal, get_args

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from connectors.pinduoduo.signing import sign
from sandbox.faults import FaultQueue
from sandbox.forms import read_form_or_nothing
from sandbox.guard import guarded
from sandbox.media_hosts import PDD_MEDIA_ORIGIN
from sandbox.pdd_catalog import CatalogGoods, generate_catalog
from sandbox.pdd_credentials import PDD_ACCESS_TOKENS, PDD_CLIENT_ID, PDD_CLIENT_SECRET
from sandbox.taobao_images import render_image
from sandbox.taobao_top import SandboxCall
from sandbox.videos import video_response

__all__ = [
    "DEFAULT_SHOP_SIZES",
    "PddFault",
    "PddFaultKind",
    "PinduoduoSandbox",
    "build_pdd_app",
    "list_row",
]

DEFAULT_SHOP_SIZES: dict[str, int] = {"demo-pdd-shop": 150}
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 100
MAX_WINDOW_S = 7 * 86_400
GOODS_LIST = "pdd.goods.list.get"
GOODS_DETAIL = "pdd.goods.detail.get"
_TYPES = frozenset({GOODS_LIST, GOODS_DETAIL})

PddFaultKind = Literal["busy", "throttle", "5xx"]


class PddFault(Exception):
    """An error the gateway answers with, as PDD's `error_response`."""

    def __init__(self, code: int, msg: str, *, sub_msg: str | None = None) -> None:
        super().__init__(f"{code} {msg} {sub_msg or ''}".strip())
        self.code = code
        self.msg = msg
        self.sub_msg = sub_msg or msg

    def body(self, request_id: str) -> dict[str, Any]:
        return {
            "error_response": {
                "error_msg": self.msg,
                "sub_msg": self.sub_msg,
                "sub_code": str(self.code),
                "error_code": self.code,
                "request_id": request_id,
            }
        }


def _invalid(name: str, why: str | None = None) -> PddFault:
    return PddFault(10000, f"参数错误:{name}", sub_msg=why)


def list_row(goods: CatalogGoods) -> dict[str, Any]:
    """The pdd.goods.list.get row of a goods: stock columns and specs, no prices."""
    detail = goods.detail
    skus = detail["sku_list"]
    return {
        "goods_id": detail["goods_id"],
        "goods_name": detail["goods_name"],
        "goods_quantity": sum(sku["quantity"] for sku in skus),
        "goods_reserve_quantity": sum(sku["reserve_quantity"] for sku in skus),
        "image_url": detail["image_url"],
        "thumb_url": detail["carousel_gallery_list"][0],
        "is_more_sku": 1 if len(skus) > 1 else 0,
        "is_onsale": 0 if goods.status == 2 else 1,
        "created_at": goods.created_at,
        "sku_list": [
            {
                "sku_id": sku["sku_id"],
                "sku_quantity": sku["quantity"],
                "reserve_quantity": sku["reserve_quantity"],
                "is_sku_onsale": sku["is_onsale"],
                "outer_id": sku["out_sku_sn"],
                "outer_goods_id": detail["outer_goods_id"],
                "spec": " ".join(spec["spec_name"] for spec in sku["spec"]),
                "spec_details": [dict(spec) for spec in sku["spec"]],
            }
            for sku in skus
        ],
    }


class PinduoduoSandbox:
    """The emulator's state: one PDD app, its shops' access tokens and catalogs, faults, the log.

    `access_tokens` maps token → shop id, `shop_sizes` shop id → number of generated goods;
    `max_clock_skew` is how far a request's timestamp may be from now (None: not checked).
    """

    def __init__(
        self,
        *,
        client_id: str = PDD_CLIENT_ID,
        client_secret: str = PDD_CLIENT_SECRET,
        access_tokens: dict[str, str] | None = None,
        shop_sizes: dict[str, int] | None = None,
        seed: int = 11,
        max_clock_skew: timedelta | None = timedelta(minutes=10),
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.access_tokens = dict(PDD_ACCESS_TOKENS if access_tokens is None else access_tokens)
        self.shop_sizes = dict(DEFAULT_SHOP_SIZES if shop_sizes is None else shop_sizes)
        self.seed = seed
        self.max_clock_skew = max_clock_skew
        self.calls: list[SandboxCall] = []
        self._faults: FaultQueue[PddFaultKind] = FaultQueue(get_args(PddFaultKind))
        self._catalogs: dict[tuple[str, str], list[CatalogGoods]] = {}
        self._indexes: dict[tuple[str, str], dict[int, CatalogGoods]] = {}
        self._request_no = 0

    # -- faults and log --------------------------------------------------------------------------

    def fail_next(self, type_: str, kind: PddFaultKind, *, times: int = 1) -> None:
        """Make the next `times` authenticated calls of `type_` fail with `kind`.

        "busy": 50000 系统繁忙; "throttle": 52101 限流; "5xx": HTTP 502 from the gateway.
        """
        self._faults.queue(type_, kind, times=times)

    def calls_to(self, type_: str) -> list[SandboxCall]:
        return [call for call in self.calls if call.method == type_]

    def _next_fault(self, type_: str) -> PddFaultKind | None:
        return self._faults.take(type_)

    def _request_id(self) -> str:
        self._request_no += 1
        return f"{int(time.time() * 1000)}{self.seed:02d}{self._request_no:06d}"

    # -- catalogs --------------------------------------------------------------------------------

    def catalog(self, shop_id: str, *, base_url: str) -> list[CatalogGoods]:
        """The shop's goods (all statuses), generated once per (shop, base URL)."""
        key = (shop_id, base_url)
        if key not in self._catalogs:
            self._catalogs[key] = generate_catalog(
                shop_id=shop_id,
                size=self.shop_sizes.get(shop_id, 0),
                seed=self.seed,
                base_url=base_url,
            )
        return self._catalogs[key]

    def goods(self, shop_id: str, goods_id: int, *, base_url: str) -> CatalogGoods | None:
        """One goods of the shop by id (any status), or None."""
        key = (shop_id, base_url)
        if key not in self._indexes:
            catalog = self.catalog(shop_id, base_url=base_url)
            self._indexes[key] = {goods.goods_id: goods for goods in catalog}
        return self._indexes[key].get(goods_id)

    # -- gateway checks --------------------------------------------------------------------------

    def authenticate(self, params: dict[str, str]) -> str:
        """The shop id the request acts for, after every gateway check; raises PddFault."""
        if not params.get("client_id"):
            raise _invalid("client_id", "client_id不能为空")
        if params["client_id"] != self.client_id:
            raise _invalid("client_id", "client_id不存在")
        self._check_timestamp(params.get("timestamp"))
        if params.get("data_type", "JSON").upper() != "JSON":
            raise _invalid("data_type", "the sandbox answers data_type=JSON only")
        if params.get("version", "V1") != "V1":
            raise _invalid("version", "use version=V1")
        given = params.get("sign")
        if not given:
            raise _invalid("sign", "sign不能为空")
        expected = sign(params, client_secret=self.client_secret)
        if not hmac.compare_digest(expected, given.upper()):
            raise PddFault(20004, "签名验证失败")
        token = params.get("access_token")
        if not token or token not in self.access_tokens:
            raise PddFault(
                10019, "access_token已过期", sub_msg="access_token不存在或已过期，请重新授权"
            )
        return self.access_tokens[token]

    def _check_timestamp(self, text: str | None) -> None:
        if not text:
            raise _invalid("timestamp", "timestamp不能为空")
        if not text.isdigit() or len(text) > 11:
            raise _invalid("timestamp", "timestamp must be unix seconds")
        skew = abs(time.time() - int(text))
        if self.max_clock_skew is not None and skew > self.max_clock_skew.total_seconds():
            raise _invalid("timestamp", "timestamp与服务器时间相差超过10分钟")

    # -- types -----------------------------------------------------------------------------------

    def _goods_list_get(
        self, params: dict[str, str], *, shop_id: str, base_url: str
    ) -> dict[str, Any]:
        page = _int_param(params, "page", default=1)
        page_size = _int_param(params, "page_size", default=DEFAULT_PAGE_SIZE)
        if page < 1:
            raise _invalid("page", "page must be 1 or more")
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise _invalid("page_size", f"page_size must be between 1 and {MAX_PAGE_SIZE}")
        start = _int_param(params, "created_at_from", default=-1)
        end = _int_param(params, "created_at_end", default=-1)
        if (start < 0) != (end < 0):
            raise _invalid("created_at_from", "created_at_from and created_at_end go together")
        if start >= 0 and end < start:
            raise _invalid("created_at_end", "created_at_end must not be before created_at_from")
        if start >= 0 and end - start > MAX_WINDOW_S:
            raise PddFault(50001, "业务服务错误", sub_msg="创建时间跨度不能超过7天")
        is_onsale = _int_param(params, "is_onsale", default=-1)
        if is_onsale not in (-1, 0, 1):
            raise _invalid("is_onsale", "is_onsale must be 0 or 1")
        rows = [
            goods
            for goods in self.catalog(shop_id, base_url=base_url)
            if goods.status != 4
            and (start < 0 or start <= goods.created_at <= end)
            and (is_onsale < 0 or (goods.status != 2) == bool(is_onsale))
        ]
        rows.sort(key=lambda goods: (goods.created_at, goods.goods_id), reverse=True)
        page_rows = rows[(page - 1) * page_size : page * page_size]
        return {
            "goods_list_get_response": {
                "total_count": len(rows),
                "goods_list": [list_row(goods) for goods in page_rows],
            }
        }

    def _goods_detail_get(
        self, params: dict[str, str], *, shop_id: str, base_url: str
    ) -> dict[str, Any]:
        goods_id = _int_param(params, "goods_id")
        goods = self.goods(shop_id, goods_id, base_url=base_url)
        if goods is not None:
            return {"goods_detail_get_response": goods.detail}
        raise PddFault(50001, "业务服务错误", sub_msg=f"商品{goods_id}不存在或不属于当前店铺")

    # -- one request -----------------------------------------------------------------------------

    def handle(self, params: dict[str, str], *, base_url: str) -> tuple[int, dict[str, Any] | str]:
        """Status and body for one gateway request; every outcome lands in `calls`."""
        type_ = params.get("type", "")
        shop_id: str | None = None
        try:
            if not type_:
                raise _invalid("type", "type不能为空")
            if type_ not in _TYPES:
                raise _invalid("type", f"{type_} is not emulated")
            shop_id = self.authenticate(params)
            fault = self._next_fault(type_)
            if fault == "5xx":
                self.calls.append(SandboxCall(type_, shop_id, params, None, 502, fault))
                return 502, "502 Bad Gateway"
            if fault == "busy":
                raise PddFault(50000, "系统内部错误", sub_msg="系统繁忙，请稍后重试")
            if fault == "throttle":
                raise PddFault(52101, "当前接口被限流", sub_msg="当前接口调用频率超限，请稍后重试")
            if type_ == GOODS_LIST:
                body = self._goods_list_get(params, shop_id=shop_id, base_url=base_url)
            else:
                body = self._goods_detail_get(params, shop_id=shop_id, base_url=base_url)
        except PddFault as error:
            self.calls.append(SandboxCall(type_, shop_id, params, error.code))
            return 200, error.body(self._request_id())
        self.calls.append(SandboxCall(type_, shop_id, params, None))
        return 200, body


def _int_param(params: dict[str, str], name: str, *, default: int | None = None) -> int:
    text = params.get(name, "").strip()
    if not text:
        if default is None:
            raise _invalid(name, f"{name}不能为空")
        return default
    try:
        return int(text)
    except ValueError:
        raise _invalid(name, f"{name} must be a whole number") from None


def _catalog_base_url(request: Request) -> str:
    """The origin the catalog puts before `/pinduoduo/img/...`: PDD's image CDN, the same on every
    port and after every restart (media_hosts.py), never this request's own origin."""
    return PDD_MEDIA_ORIGIN


def build_pdd_app(state: PinduoduoSandbox) -> Starlette:
    """The PDD gateway as an ASGI app over `state`."""

    async def router(request: Request) -> Response:
        params = dict(request.query_params)
        params.update(await read_form_or_nothing(request))
        status, body = state.handle(params, base_url=_catalog_base_url(request))
        if isinstance(body, str):
            return PlainTextResponse(body, status_code=status)
        return JSONResponse(body, status_code=status)

    async def image(request: Request) -> Response:
        name = request.path_params["name"]
        if not name.endswith((".jpeg", ".jpg")):
            return PlainTextResponse("404 Not Found", status_code=404)
        return Response(
            render_image(name.removesuffix(".a.jpeg")),  # <name>.jpg.a.jpeg is <name>.jpg as JPEG
            media_type="image/jpeg",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    async def video(request: Request) -> Response:
        return video_response(request.path_params["name"])

    return Starlette(
        middleware=guarded("pinduoduo"),
        routes=[
            Route("/api/router", router, methods=["POST"]),
            Route("/img/{name}", image, methods=["GET"]),
            Route("/pinduoduo/img/{name}", image, methods=["GET"]),
            Route("/video/{name}", video, methods=["GET"]),
            Route("/pinduoduo/video/{name}", video, methods=["GET"]),
        ],
    )
