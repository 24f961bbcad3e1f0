"""A strict local emulator of vv-tool's Kuaishou proxy (DESIGN.md, "The sandbox").

Served paths (mount the app under any prefix, e.g. `/vvtool`):

- `POST /oauth/token` and `/api/proxy/oauth/token`: client credentials (form-data or urlencoded)
  → `{access_token, token_type, expires_in}`; wrong credentials → HTTP 401 `invalid_client`.
- `POST /tool/erps/ks-item-new`, `/tool/erps/ks-open-item`: JSON bodies, `Authorization: Bearer`,
  answered in vv-tool's double envelope `{code, msg, msec, time, data: {result, error_msg, data?},
  withholding_money}`.

What it enforces, in this order, and what it answers:

1. the Bearer token (unknown or expired → HTTP 401, code 401 [I: undocumented code]);
2. 10 req/s per endpoint and account, sliding 1 s window (→ HTTP 429, code 429 [I]);
3. vv-tool's own params: a JSON object, `shop_id` given (→ code 100) and authorized (→ code 302),
   `vvtype` 1 or 2 (→ 100); an optional account balance (→ code 204 when used up);
4. then the call is **billed** (`withholding_money`, default 4, whatever the outcome) and any queued
   fault fires;
5. Kuaishou's answer, in `data`: the category must be a leaf ("商品来源不可售卖"), the request must pass
   `connectors.vvtool.rules.violations` (Kuaishou's rules on the official shape, the 2022 variant's
   differences, https image URLs: vv-tool forwards URLs, it has no upload), a relItemId is accepted
   once ever, and 500 new items per shop per day (then "exceed quota limit ... 请勿重试").

It keeps its own items: it does not forward to the Kuaishou emulator (whose items need images
uploaded there). Inner result codes reuse the Kuaishou emulator's (invented) `Result` numbers; clients
classify by the documented phrases.
"""

from __future__ import annotations

import secrets
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, TypeGuard

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from connectors import safe_json
from connectors.kuaishou.models import CategoryConfig
from connectors.kuaishou.rules import describe
from connectors.vvtool.rules import violations
from listings.china_time import CHINA_TZ
from sandbox.category_tree import DEFAULT_TREE_PATH, CategoryTree
from sandbox.faults import FaultQueue
from sandbox.forms import read_form_or_nothing
from sandbox.guard import guarded
from sandbox.kuaishou_open import (
    Result,
    SandboxApiError,
    default_category_config,
)
from sandbox.vvtool_credentials import (
    VVTOOL_CLIENT_ID,
    VVTOOL_CLIENT_SECRET,
    VVTOOL_SHOP_ID,
)

__all__ = [
    "ITEM_NEW",
    "OPEN_ITEM",
    "FaultKind",
    "VvtoolCall",
    "VvtoolSandbox",
    "VvtoolStoredItem",
    "build_vvtool_app",
]

ITEM_NEW = "/tool/erps/ks-item-new"
OPEN_ITEM = "/tool/erps/ks-open-item"
TOKEN_PATHS = ("/oauth/token", "/api/proxy/oauth/token")
AUTH_FAILED, RATE_LIMITED = 401, 429

FaultKind = Literal[
    "timeout", "timeout_after_create", "system", "inner_throttle", "params", "abnormal"
]
_FAULTS: frozenset[str] = frozenset(
    ("timeout", "timeout_after_create", "system", "inner_throttle", "params", "abnormal")
)


class _Outer(Exception):
    """vv-tool's own refusal: outer `code != 0`, with the HTTP status it comes with."""

    def __init__(self, code: int, msg: str, *, status: int = 200) -> None:
        super().__init__(msg)
        self.code, self.msg, self.status = code, msg, status


@dataclass(slots=True)
class VvtoolStoredItem:
    """An item created through ks-item-new, with the body exactly as received."""

    kwai_item_id: int
    rel_item_id: int
    shop_id: str
    request: dict[str, Any]
    sku_ids: list[tuple[int, int, str | None]]  # (kwaiSkuId, relSkuId, skuNick)
    created_at: datetime


@dataclass(frozen=True, slots=True)
class VvtoolCall:
    """One request to an endpoint, as answered: for tests to count calls, codes and charges."""

    path: str
    client_id: str | None
    status: int
    code: int
    result: int | None
    charged: Decimal


class VvtoolSandbox:
    """The emulated vv-tool account(s): state, business logic and fault switches.

    Tests read `items`, `calls`, `tokens_issued`, `charged` and `balance` directly.
    """

    def __init__(
        self,
        *,
        clients: Mapping[str, str] | None = None,
        shops: Iterable[str] = (VVTOOL_SHOP_ID,),
        token_ttl_s: float = 7200.0,
        rate_limit: int = 10,
        daily_quota: int = 500,
        charge: Decimal | int = 4,
        balance: Decimal | int | None = None,
        category_tree: Path = DEFAULT_TREE_PATH,
        faults: Iterable[tuple[str, FaultKind]] = (),
        monotonic: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.clients: dict[str, str] = (
            dict(clients) if clients is not None else {VVTOOL_CLIENT_ID: VVTOOL_CLIENT_SECRET}
        )
        self.shops: set[str] = set(shops)
        self.token_ttl_s = token_ttl_s
        self.rate_limit = rate_limit
        self.daily_quota = daily_quota
        self.charge = Decimal(charge)
        self.balance = None if balance is None else Decimal(balance)
        self.tree = CategoryTree.load(category_tree)
        self.monotonic = monotonic
        self.now: Callable[[], datetime] = now or (lambda: datetime.now(CHINA_TZ))
        self.category_configs: dict[int, CategoryConfig] = {}
        self.items: dict[int, VvtoolStoredItem] = {}
        self.calls: list[VvtoolCall] = []
        self.charged = Decimal(0)
        self.tokens_issued = 0
        self._tokens: dict[str, tuple[str, float]] = {}  # token -> (client_id, expires_at)
        self._faults: FaultQueue[FaultKind] = FaultQueue(_FAULTS)
        self._recent: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._by_rel: dict[int, int] = {}
        self._created_per_day: dict[tuple[str, date], int] = defaultdict(int)
        self._next_item_id = 3_004_000_000_001
        self._next_sku_id = 6_004_000_000_001
        for path, kind in faults:
            self.fail_next(path, kind)

    # --- switches for tests ----------------------------------------------------------------------

    def fail_next(self, path: str, kind: FaultKind, *, times: int = 1) -> None:
        """Make the next `times` billed calls of `path` (`ks-item-new` or its full path) fail.

        - "timeout": code 101 (请求超时), nothing done.
        - "timeout_after_create": the item is created, then code 101 is answered (a lost answer).
        - "system": code 200 (系统错误), nothing done.
        - "inner_throttle": code 0, but Kuaishou's `data.result != 1` "Exceed qps limit".
        - "params": code 100; "abnormal": code 204 (no permission).
        """
        self._faults.queue(_endpoint(path), kind, times=times)

    def revoke_tokens(self) -> None:
        """Every issued token becomes unknown, as if vv-tool had rotated them."""
        self._tokens.clear()

    def expire_tokens(self) -> None:
        """Every issued token is past its expiry."""
        stale = self.monotonic() - 1.0
        self._tokens = {t: (client, stale) for t, (client, _) in self._tokens.items()}

    def config_for(self, category_id: int) -> CategoryConfig:
        return self.category_configs.get(category_id) or default_category_config()

    def created_today(self, shop_id: str) -> int:
        return self._created_per_day[(shop_id, self.now().astimezone(CHINA_TZ).date())]

    def calls_to(self, path: str) -> list[VvtoolCall]:
        endpoint = _endpoint(path)
        return [call for call in self.calls if call.path == endpoint]

    # --- the token -------------------------------------------------------------------------------

    def issue_token(self, form: Mapping[str, str]) -> tuple[int, dict[str, Any]]:
        """(HTTP status, body) of the token endpoint."""
        if form.get("grant_type") != "client_credentials":
            return 400, {"error": "unsupported_grant_type", "message": "grant_type 不支持"}
        client_id = form.get("client_id") or ""
        expected = self.clients.get(client_id)
        if expected is None or not secrets.compare_digest(
            expected.encode(), (form.get("client_secret") or "").encode()
        ):
            return 401, {"error": "invalid_client", "message": "Client authentication failed"}
        token = secrets.token_hex(20)
        self._tokens[token] = (client_id, self.monotonic() + self.token_ttl_s)
        self.tokens_issued += 1
        return 200, {
            "token_type": "Bearer",
            "expires_in": int(self.token_ttl_s),
            "access_token": token,
        }

    def authenticate(self, authorization: str | None) -> str:
        """The account behind a `Bearer` header, or a 401 refusal."""
        scheme, _, token = (authorization or "").partition(" ")
        entry = self._tokens.get(token.strip()) if scheme.lower() == "bearer" else None
        if entry is None or self.monotonic() >= entry[1]:
            raise _Outer(
                AUTH_FAILED, "Unauthenticated: access_token 无效或已过期", status=AUTH_FAILED
            )
        return entry[0]

    def check_rate(self, client_id: str, path: str) -> None:
        now = self.monotonic()
        recent = self._recent[(client_id, path)]
        while recent and now - recent[0] >= 1.0:
            recent.popleft()
        if len(recent) >= self.rate_limit:
            raise _Outer(
                RATE_LIMITED,
                f"请求过于频繁: 每个接口每秒最多{self.rate_limit}次",
                status=RATE_LIMITED,
            )
        recent.append(now)

    # --- one billed call -------------------------------------------------------------------------

    def check_params(self, body: Any) -> None:
        """vv-tool's own checks, before billing: a JSON object, an authorized shop, a vvtype."""
        if not isinstance(body, dict):
            raise _Outer(100, "请求参数错误: the body must be a JSON object")
        shop_id = body.get("shop_id")
        if not isinstance(shop_id, str) or not shop_id:
            raise _Outer(100, "请求参数错误: shop_id 必填")
        if body.get("vvtype", 1) not in (1, 2):
            raise _Outer(100, "请求参数错误: vvtype 只能是 1 或 2")
        if shop_id not in self.shops:
            raise _Outer(302, f"未授权店铺: {shop_id}")
        if self.balance is not None and self.balance < self.charge:
            raise _Outer(204, "请求异常：API 调用次数不足，请前往网站兑换次数。")

    def bill(self) -> Decimal:
        self.charged += self.charge
        if self.balance is not None:
            self.balance -= self.charge
        return self.charge

    def handle(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """Run a billed call: faults, then Kuaishou's answer (the inner envelope)."""
        fault = self._faults.take(path)
        if fault == "timeout":
            raise _Outer(101, "请求超时,请重试")
        if fault == "system":
            raise _Outer(200, "系统错误,请联系客服")
        if fault == "params":
            raise _Outer(100, "请求参数错误")
        if fault == "abnormal":
            raise _Outer(204, "请求异常：无该接口权限，请前往官网开通正式接口。")
        if fault == "inner_throttle":
            return SandboxApiError(
                Result.THROTTLED, "Exceed qps limit, KEY [appkey:vvtool] MAX_QPS hidden"
            ).envelope()
        try:
            data = self._item_new(body) if path == ITEM_NEW else self._open_item(body)
        except SandboxApiError as error:
            return error.envelope()
        if fault == "timeout_after_create":
            raise _Outer(101, "请求超时,请重试")
        return {"result": int(Result.OK), "error_msg": "success", "data": data}

    def _item_new(self, body: dict[str, Any]) -> dict[str, Any]:
        category_id = body.get("categoryId")
        config = None
        if _is_int(category_id):
            if not self.tree.is_leaf(category_id):
                raise SandboxApiError(
                    Result.CATEGORY,
                    "商品来源不可售卖",
                    sub_msg=f"categoryId {category_id} 不是可发布的叶子类目",
                )
            config = self.config_for(category_id)
        found = violations(body, category_config=config)
        if found:
            raise SandboxApiError(
                Result.INVALID_PARAM, "参数错误", sub_code="INVALID_PARAM", sub_msg=describe(found)
            )
        rel_item_id = body["relItemId"]
        if rel_item_id in self._by_rel:
            raise SandboxApiError(
                Result.DUPLICATE,
                f"relItemId已存在: {rel_item_id} 已创建过商品，不可重复创建",
                sub_code="DUPLICATE_REL_ITEM_ID",
            )
        shop_id = body["shop_id"]
        day = (shop_id, self.now().astimezone(CHINA_TZ).date())
        if self._created_per_day[day] >= self.daily_quota:
            raise SandboxApiError(
                Result.QUOTA,
                f"exceed quota limit: 每个商家每天最多新增{self.daily_quota}个商品，超过请勿重试",
                sub_msg=f"shop_id:{shop_id}",
            )
        kwai_item_id = self._next_item_id
        self._next_item_id += 1
        sku_ids = []
        for sku in body["skuList"]:
            sku_ids.append((self._next_sku_id, sku["relSkuId"], sku.get("skuNick")))
            self._next_sku_id += 1
        self.items[kwai_item_id] = VvtoolStoredItem(
            kwai_item_id=kwai_item_id,
            rel_item_id=rel_item_id,
            shop_id=shop_id,
            request=body,
            sku_ids=sku_ids,
            created_at=self.now(),
        )
        self._by_rel[rel_item_id] = kwai_item_id
        self._created_per_day[day] += 1
        return {
            "kwaiItemId": kwai_item_id,
            "relItemId": rel_item_id,
            "skuIdMapping": [
                {"kwaiSkuId": k, "relSkuId": r, **({"skuNick": n} if n else {})}
                for k, r, n in sku_ids
            ],
        }

    def _open_item(self, body: dict[str, Any]) -> dict[str, Any]:
        """By `kwaiItemId` (documented) or `relItemId` ([I], see VvtoolOpenItemRequest)."""
        kwai_item_id, rel_item_id = body.get("kwaiItemId"), body.get("relItemId")
        if _is_int(kwai_item_id):
            item = self.items.get(kwai_item_id)
        elif _is_int(rel_item_id):
            item = self.items.get(self._by_rel.get(rel_item_id, -1))
        else:
            raise _Outer(100, "请求参数错误: kwaiItemId 必填")
        if item is None or item.shop_id != body["shop_id"]:
            raise SandboxApiError(Result.NOT_FOUND, f"商品不存在: {kwai_item_id or rel_item_id}")
        return self._item_view(item)

    def _item_view(self, item: VvtoolStoredItem) -> dict[str, Any]:
        r = item.request
        node = self.tree.get(r["categoryId"])
        skus = []
        for (kwai_sku_id, rel_sku_id, nick), sku in zip(item.sku_ids, r["skuList"], strict=True):
            props = sku.get("skuProps") or []
            image = next((q.get("imageUrl") for q in props if q.get("isMainProp") == 1), None)
            skus.append(
                {
                    "kwaiSkuId": kwai_sku_id,
                    "relSkuId": rel_sku_id,
                    "skuStock": sku["skuStock"],
                    "skuSalePrice": sku["skuSalePrice"],
                    **({"skuNick": nick} if nick else {}),
                    **({"imageUrl": image} if image else {}),
                }
            )
        return {
            "itemId": item.kwai_item_id,
            "relItemId": item.rel_item_id,
            "categoryId": r["categoryId"],
            "categoryName": node.name if node else r.get("categoryName"),
            "title": r["title"],
            "details": r["details"],
            "imageUrls": r["imageUrls"],
            "detailImageUrls": [],
            "skuInfos": skus,
            "auditStatus": 0,
        }


def _endpoint(path: str) -> str:
    """`ks-item-new` or `/tool/erps/ks-item-new` (with any mount prefix) → the full path."""
    return f"/tool/erps/{path.rstrip('/').rsplit('/', 1)[-1]}"


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _json_money(amount: Decimal) -> int | float:
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def build_vvtool_app(state: VvtoolSandbox) -> Starlette:
    """The vv-tool API as an ASGI app: the token endpoints and `/tool/erps/<endpoint>`."""

    async def token(request: Request) -> Response:
        form = await read_form_or_nothing(request)
        status, body = state.issue_token(form)
        return JSONResponse(body, status_code=status)

    async def erps(request: Request) -> Response:
        started = time.perf_counter()
        path = f"/tool/erps/{request.path_params['endpoint']}"
        client_id: str | None = None
        charged = Decimal(0)
        try:
            if path not in (ITEM_NEW, OPEN_ITEM):
                raise _Outer(203, "暂不支持当前接口")
            client_id = state.authenticate(request.headers.get("authorization"))
            state.check_rate(client_id, path)
            try:
                body = safe_json.loads(await request.body())
            except safe_json.UnsafeJsonError as exc:
                raise _Outer(100, f"请求参数错误: the body is {exc}") from None
            state.check_params(body)
            charged = state.bill()
            inner = state.handle(path, body)
        except _Outer as refusal:
            state.calls.append(
                VvtoolCall(path, client_id, refusal.status, refusal.code, None, charged)
            )
            return JSONResponse(
                {
                    "code": refusal.code,
                    "msg": refusal.msg,
                    "msec": int((time.perf_counter() - started) * 1000),
                    "time": int(time.time()),
                    "data": [],
                    "withholding_money": _json_money(charged),
                },
                status_code=refusal.status,
            )
        state.calls.append(VvtoolCall(path, client_id, 200, 0, inner.get("result"), charged))
        return JSONResponse(
            {
                "code": 0,
                "msg": "操作成功",
                "msec": int((time.perf_counter() - started) * 1000),
                "time": int(time.time()),
                "data": inner,
                "withholding_money": _json_money(charged),
            }
        )

    routes = [Route(p, token, methods=["POST"]) for p in TOKEN_PATHS]
    routes.append(Route("/tool/erps/{endpoint}", erps, methods=["POST"]))
    app = Starlette(routes=routes, middleware=guarded("vvtool"))
    app.state.vvtool = state
    return app
