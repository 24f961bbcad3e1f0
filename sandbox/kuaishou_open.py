"""A strict local emulator of the Kuaishou shop open platform (DESIGN.md, "The sandbox").

It is strict so that banjia learns the rules here, not on a live shop. It checks the appkey, the
signature (MD5 and HMAC_SHA256, through the same `signing` module as the client) and the access
token. It runs `rules.violations` on every `open.item.new`, with the category's config and "was this
image uploaded here" as the Kuaishou-image check. It accepts only leaf categories, never accepts a
relItemId twice, counts the per-merchant daily quota, and validates supply reports per scene.
`open.item.image.upload` refuses what the image rules forbid: a file over 2 MB or not png/jpeg
[C, kuaishou-api.md §4], and a main, detail or SKU image with a white border [C rule: "没有白边";
I: that the upload itself refuses it, and the wording], judged by `listings.images.has_white_border`,
the same detector the media stage trims with. White-background (5) and transparent (6) images are
white around the goods by definition and are exempt.

`KuaishouSandbox` is plain Python: state, business logic and fault switches, which tests inspect
directly. `build_kuaishou_app` wraps it in the HTTP gateway (paths, form and multipart bodies,
signing, faults), served in-process with `httpx.ASGITransport` or on loopback with uvicorn.

Result codes: only `1` (success) and `24` (authorization) are documented. The other codes below are
invented. The client classifies errors by their documented phrases (验签失败, 商品来源不可售卖,
Exceed qps limit, ...), never by these numbers.

OAuth (codes, 48 h tokens, rotation: kuaishou_oauth.py), the QPS limits (100/s per app, 50/s per
merchant, hidden per-method throttles; on by default, a sliding 1 s window of `now()`) and the
review rules live in the section "OAuth, QPS, review" of `KuaishouSandbox`.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import math
import random
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import IntEnum
from pathlib import Path
from typing import Any, Literal, TypeGuard, get_args

from PIL import Image
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from connectors import safe_json
from connectors.kuaishou.methods import spec_for
from connectors.kuaishou.models import CategoryConfig, CategoryConfigDetail, PropConfig
from connectors.kuaishou.rules import describe, violations
from connectors.kuaishou.signing import SignMethod, sign
from listings.china_time import CHINA_TZ
from listings.images import white_border
from sandbox import kuaishou_material as material  # read only when called: a cycle
from sandbox.category_tree import DEFAULT_TREE_PATH, CategoryTree
from sandbox.credentials import (
    KUAISHOU_ACCESS_TOKEN,
    KUAISHOU_APP_KEY,
    KUAISHOU_APP_SECRET,
    KUAISHOU_SELLER_ID,
    KUAISHOU_SIGN_SECRET,
)
from sandbox.faults import FaultQueue
from sandbox.forms import (
    FORM,
    MULTIPART,
    FormError,
    UploadedFile,
    content_type,
    multipart,
    urlencoded,
)
from sandbox.guard import guarded
from sandbox.kuaishou_oauth import DEFAULT_SCOPES, SandboxOAuth, oauth_routes

__all__ = [
    "IMAGE_HOST",
    "REQUIRED_PROPS_BY_ROOT",
    "FaultKind",
    "KuaishouSandbox",
    "Result",
    "ReviewRule",
    "SandboxApiError",
    "StoredItem",
    "SupplyReportRecord",
    "TakedownRule",
    "UploadedImage",
    "build_kuaishou_app",
    "reject_title_keywords",
    "required_category_config",
]

IMAGE_HOST = "https://p1.sandbox-kwaixiaodian.local/ufile/"
MAX_IMAGE_BYTES = 2 * 1024 * 1024
BORDERLESS_UPLOAD_TYPES = frozenset({1, 2, 3})  # main, detail, SKU images: no white borders [I]
MAX_BODY_BYTES = 10 * 1024 * 1024
MAX_URL_CHARS = 2000  # an image URL's documented length limit (kuaishou-api.md §1.2)

FaultKind = Literal["5xx", "throttle", "timeout", "lose_response"]

# --- OAuth, QPS, review: module-level parts (the class section of the same name) ---------------

# kuaishou-api.md §1 (API限流说明): 100 requests/s per app, 50/s per user (merchant).
DEFAULT_APP_QPS = 100
DEFAULT_USER_QPS = 50
_QPS_WINDOW = timedelta(seconds=1)

ReviewRule = Callable[[dict[str, Any]], str | tuple[int, str] | None]
"""A review rule: the item's param → None (no objection), a reason (auditStatus 3 审核拒绝), or
(status, reason) for another outcome, e.g. (1, reason): 审核待修改, sent back to be edited."""

TakedownRule = Callable[["StoredItem", datetime], str | None]
"""A shelf rule: an approved item and the clock → the reason Kuaishou took it off the shelf, or
None. Asked on every read, so an item goes off the shelf once the rule says so (onOfflineStatus 0)."""


def reject_title_keywords(*keywords: str, reason: str = "标题含违禁词: {keyword}") -> ReviewRule:
    """A review rule rejecting titles that contain any keyword (e.g. 最, 第一: 广告法 words)."""

    def rule(param: dict[str, Any]) -> str | None:
        title = str(param.get("title") or "")
        hit = next((k for k in keywords if k and k in title), None)
        return None if hit is None else reason.format(keyword=hit)

    return rule


class Result(IntEnum):
    """Envelope `result` codes. OK and AUTH are documented; the rest are invented (module doc)."""

    OK = 1
    INVALID_PARAM = 10
    CATEGORY = 22
    AUTH = 24
    SIGN = 25
    APPKEY = 26
    QUOTA = 27
    THROTTLED = 28
    DUPLICATE = 29
    NOT_FOUND = 30
    UNKNOWN_METHOD = 31
    TOKEN_EXPIRED = 40  # an expired OAuth access token: 鉴权失败/TOKEN过期 (kuaishou_oauth.py)


class SandboxApiError(Exception):
    """A business error the gateway answers with HTTP 200 and `result != 1`, like the real one."""

    def __init__(
        self, result: Result, error_msg: str, *, sub_code: str | None = None, sub_msg: str = ""
    ) -> None:
        super().__init__(f"{error_msg} {sub_msg}".strip())
        self.result = result
        self.error_msg = error_msg
        self.sub_code = sub_code
        self.sub_msg = sub_msg

    def envelope(self) -> dict[str, Any]:
        body: dict[str, Any] = {"result": int(self.result), "error_msg": self.error_msg}
        if self.sub_code:
            body["sub_code"] = self.sub_code
        if self.sub_msg:
            body["sub_msg"] = self.sub_msg
        return body


def _invalid(sub_msg: str) -> SandboxApiError:
    return SandboxApiError(
        Result.INVALID_PARAM, "参数错误", sub_code="INVALID_PARAM", sub_msg=sub_msg
    )


@dataclass(frozen=True, slots=True)
class UploadedImage:
    url: str
    sha256: str
    format: str
    width: int
    height: int
    size: int
    upload_type: int
    seller: int


@dataclass(slots=True)
class StoredItem:
    """An item created through `open.item.new`, with the param exactly as received."""

    kwai_item_id: int
    rel_item_id: int
    seller: int
    param: dict[str, Any]
    sku_ids: list[tuple[int, int, str | None]]  # (kwaiSkuId, relSkuId, skuNick)
    created_at: datetime
    audit_status: int = 0
    audit_reason: str = ""
    gets: int = 0
    taken_down: bool = False  # shelfStatus 0 through `open.item.shelf.status.update`
    submitted_at: datetime | None = None  # when an edit sent it back to review (else created_at)


@dataclass(frozen=True, slots=True)
class SupplyReportRecord:
    """The accepted `open.supply.item.sync` report of one item, and when it arrived.

    The method is an upsert per (merchant, kwaiItemId) [I, docs/sandbox.md]: a later report of the
    same item replaces this record; `versions` counts the reports accepted for it and
    `first_received_at` keeps when the first arrived (the 24 h rule is met by the first).
    """

    seller: int
    item: dict[str, Any]
    received_at: datetime
    versions: int = 1
    first_received_at: datetime | None = None


def default_category_config() -> CategoryConfig:
    """The config of every leaf a test does not override: refund rules 1 and 4, no required prop."""
    return CategoryConfig(
        category_config=CategoryConfigDetail(refund_rule_list=["1", "4"], pre_sale_time=1_296_000),
        category_prop_switch=True,
        prop_configs=[
            PropConfig(prop_id=1001, prop_name="品牌", prop_input_type="RADIO", sort_num=1),
            PropConfig(prop_id=1002, prop_name="产地", prop_input_type="TEXT", sort_num=2),
            PropConfig(prop_id=1003, prop_name="材质", prop_input_type="TEXT", sort_num=3),
        ],
    )


REQUIRED_PROPS_BY_ROOT: dict[str, tuple[str, ...]] = {
    "美妆": ("品牌",),
    "手机数码": ("品牌",),
    "女鞋": ("品牌",),
}
"""Category attributes the emulator requires, by the leaf's root name, as Kuaishou requires a
brand where it polices brands (cosmetics, electronics, shoes). Tests override per leaf with
`category_configs`. A name the default config lacks is added as a TEXT attribute."""


def required_category_config(names: Iterable[str]) -> CategoryConfig:
    """`default_category_config()` with the attributes `names` marked required."""
    config = default_category_config()
    wanted = list(dict.fromkeys(names))
    props = [
        pc.model_copy(update={"required": pc.prop_name in wanted}) for pc in config.prop_configs
    ]
    known = {pc.prop_name for pc in props}
    for offset, name in enumerate(n for n in wanted if n not in known):
        props.append(
            PropConfig(
                prop_id=1100 + offset,
                prop_name=name,
                required=True,
                prop_input_type="TEXT",
                sort_num=len(props) + 1,
            )
        )
    return config.model_copy(update={"prop_configs": props})


class KuaishouSandbox:
    """The emulated platform's state and business logic. Tests read its fields directly.

    - `items`: created items by kwaiItemId.
    - `reports`: the accepted supply report of each item, the latest replacing earlier ones
      (`open.supply.item.sync` is an upsert per kwaiItemId; `SupplyReportRecord.versions`).
    - `uploads`: uploaded images by kwaiImgUrl.
    - `calls`: every request as `(method, seller or None)`.
    - `duplicate_creates`: every relItemId sent to `open.item.new` again after it was created (a
      blind retry: refused, and what a chaos test counts); `faults_injected`: the faults handed out
      by `fail_next` and `fail_randomly`, by (method, kind).
    - `category_configs`: per-category overrides of `default_category_config()`;
      `required_props_by_root`: the attributes required under a root (REQUIRED_PROPS_BY_ROOT).
    - `materials`, `suggestions`: item videos and the suggested.get quota (kuaishou_material.py).
    - `oauth`: codes and tokens of the OAuth endpoints (kuaishou_oauth.py); `issue_code`,
      `revoke`, `advance` and `refreshes` are its switches ("OAuth, QPS, review" below).
    - `app_qps`, `user_qps`, `hidden_qps`: the QPS limits over a sliding 1 s window of `now()`;
      `review_rules`: what sends an item to auditStatus 3 (or 1) on review; `takedown_rules`:
      what takes an approved item off the shelf later (kuaishou_review.py).
    """

    def __init__(
        self,
        *,
        app_key: str = KUAISHOU_APP_KEY,
        sign_secret: str = KUAISHOU_SIGN_SECRET,
        tokens: Mapping[str, int] | None = None,
        category_tree: Path = DEFAULT_TREE_PATH,
        daily_quota: int = 500,
        faults: Iterable[tuple[str, FaultKind]] = (),
        qps_limit: int | None = None,
        review_after_gets: int = 1,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.app_key = app_key
        self.sign_secret = sign_secret
        self.tokens: dict[str, int] = (
            dict(tokens) if tokens is not None else {KUAISHOU_ACCESS_TOKEN: KUAISHOU_SELLER_ID}
        )
        self.tree = CategoryTree.load(category_tree)
        self.daily_quota = daily_quota
        self.qps_limit = qps_limit
        self.review_after_gets = review_after_gets
        self.now: Callable[[], datetime] = now or (lambda: datetime.now(CHINA_TZ))
        self.category_configs: dict[int, CategoryConfig] = {}
        self.required_props_by_root: dict[str, tuple[str, ...]] = dict(REQUIRED_PROPS_BY_ROOT)
        self.items: dict[int, StoredItem] = {}
        self.reports: list[SupplyReportRecord] = []
        self.uploads: dict[str, UploadedImage] = {}
        self.calls: list[tuple[str, int | None]] = []
        self.materials = material.MaterialStore()
        self.suggestions = material.SuggestionQuota()
        # OAuth, QPS limits and review rules (the section "OAuth, QPS, review" below).
        self.oauth = SandboxOAuth(
            app_id=app_key, app_secret=KUAISHOU_APP_SECRET, now=lambda: self.now()
        )
        self.app_qps: int | None = DEFAULT_APP_QPS
        self.user_qps: int | None = DEFAULT_USER_QPS
        self.hidden_qps: dict[str, int] = {}
        self.review_rules: list[ReviewRule] = []
        # how long an item waits in 待审核 on `now()` before it is reviewed (kuaishou_review.py)
        self.review_delay = timedelta(0)
        self.takedown_rules: list[TakedownRule] = []
        self._qps_windows: dict[tuple[str, object], deque[datetime]] = defaultdict(deque)
        self._faults: FaultQueue[FaultKind] = FaultQueue(get_args(FaultKind))
        self._fault_rates: dict[str, dict[FaultKind, float]] = {}
        self._fault_rng = random.Random(0)
        self.faults_injected: Counter[tuple[str, FaultKind]] = Counter()
        self.duplicate_creates: list[int] = []
        self.throttled = 0  # requests refused by the QPS limits (`check_qps`)
        self._by_rel: dict[int, int] = {}
        self._created_per_day: dict[tuple[int, date], int] = defaultdict(int)
        self._next_item_id = 2_004_000_000_001
        self._next_sku_id = 5_004_000_000_001
        for method, kind in faults:
            self.fail_next(method, kind)

    # --- switches for tests ----------------------------------------------------------------------

    def fail_next(self, method: str, kind: FaultKind, *, times: int = 1) -> None:
        """Make the next `times` calls of `method` fail with `kind`.

        - "5xx": HTTP 500 before processing.
        - "timeout": HTTP 504, as a gateway timeout.
        - "throttle": the hidden throttle, "Exceed qps limit".
        - "lose_response": the request is processed (an item is created), then HTTP 500 is answered.
        """
        self._faults.queue(method, kind, times=times)

    def fail_randomly(
        self, method: str, rates: Mapping[FaultKind, float], *, seed: int | None = None
    ) -> None:
        """Make each call of `method` fail with `kind` at probability `rates[kind]` (chaos tests).

        Drawn from one seeded generator, so a seed reproduces the same sequence of faults for the
        same sequence of calls. `fail_next` queues still come first.
        """
        unknown = set(rates) - set(get_args(FaultKind))
        if unknown or sum(rates.values()) > 1 or min(rates.values(), default=0) < 0:
            raise ValueError(f"fault rates must be known kinds summing to ≤ 1, got {rates!r}")
        if seed is not None:
            self._fault_rng.seed(seed)
        self._fault_rates[method] = dict(rates)

    def take_fault(self, method: str) -> FaultKind | None:
        """The fault of this call, if any; every one handed out is counted in `faults_injected`."""
        kind = self._faults.take(method)
        rates = self._fault_rates.get(method)
        if kind is None and rates:
            roll, edge = self._fault_rng.random(), 0.0
            for candidate, rate in rates.items():
                edge += rate
                if roll < edge:
                    kind = candidate
                    break
        if kind is not None:
            self.faults_injected[(method, kind)] += 1
        return kind

    def set_audit(self, kwai_item_id: int, status: int, reason: str = "") -> None:
        """Force a review outcome, e.g. 3 (rejected) with a reason."""
        item = self.items[kwai_item_id]
        item.audit_status, item.audit_reason = status, reason

    def is_kwai_image(self, url: str) -> bool:
        """True for URLs this sandbox handed out: the only ones items may use."""
        return url in self.uploads

    def config_for(self, category_id: int) -> CategoryConfig:
        """A test's override, else the default with the attributes the leaf's root requires."""
        if category_id in self.category_configs:
            return self.category_configs[category_id]
        node = self.tree.get(category_id)
        root = node.path.split(">")[0] if node is not None else ""
        required = self.required_props_by_root.get(root, ())
        return required_category_config(required) if required else default_category_config()

    def created_today(self, seller: int) -> int:
        return self._created_per_day[(seller, self.now().astimezone(CHINA_TZ).date())]

    # --- gateway checks --------------------------------------------------------------------------

    def check_qps(self, seller: int, method: str | None = None) -> None:
        """Throttle above `app_qps`, `user_qps` (or the stricter `qps_limit`) or `hidden_qps`.

        Each is a sliding 1 s window of `now()`, so `advance` moves it. Only accepted requests
        count. The answer is the documented "Exceed qps limit ... MAX_QPS" (§5.4).
        """
        user_limits = [q for q in (self.user_qps, self.qps_limit) if q]
        checks: list[tuple[tuple[str, object], int, str]] = []
        if self.app_qps:
            checks.append((("app", None), self.app_qps, self.app_key))
        if user_limits:
            checks.append(
                (("user", seller), min(user_limits), f"{self.app_key};primaryUserId:{seller}")
            )
        if method is not None and self.hidden_qps.get(method):
            checks.append(
                (("api", method), self.hidden_qps[method], f"{self.app_key};api:{method}")
            )
        now = self.now()
        for key, limit, label in checks:
            window = self._qps_windows[key]
            while window and now - window[0] >= _QPS_WINDOW:
                window.popleft()
            if len(window) >= limit:
                self.throttled += 1
                raise _throttled(label, "hidden" if key[0] == "api" else limit)
        for key, _, _ in checks:
            self._qps_windows[key].append(now)

    # --- OAuth, QPS, review (kuaishou_oauth.py) ---------------------------------------------------

    def advance(self, delta: timedelta) -> None:
        """Move the sandbox clock: token expiry, code lifetime, QPS windows and daily quotas."""
        current = self.now
        self.now = lambda: current() + delta

    def issue_code(self, seller: int = KUAISHOU_SELLER_ID, *, scopes: Iterable[str] = ()) -> str:
        """An authorization code for `seller` (valid 2 minutes, single use)."""
        return self.oauth.issue_code(seller, scopes=tuple(scopes) or DEFAULT_SCOPES)

    def revoke(self, token: str) -> None:
        """Revoke an access or refresh token: the gateway answers `result 24`."""
        self.oauth.revoke(token)

    @property
    def refreshes(self) -> int:
        """Successful refresh-token rotations."""
        return self.oauth.refreshes

    def seller_of(self, token: str) -> int | None:
        """The merchant a token names, valid or not (for `calls`)."""
        static = self.tokens.get(token)
        if static is not None:
            return static
        issued = self.oauth.access_tokens.get(token)
        return None if issued is None else issued.seller

    def seller_for_token(self, token: str) -> int:
        """The merchant of a usable token, else the auth error the gateway answers.

        The static tokens (credentials.py) never expire; OAuth ones expire after 48 h.
        """
        revoked = token in self.oauth.revoked
        seller = None if revoked else self.tokens.get(token)
        if seller is not None:
            return seller
        status = None if revoked else self.oauth.access_token_status(token)
        if status is not None and status[1] == "ok":
            return status[0]
        if status is not None and status[1] == "expired":
            raise SandboxApiError(
                Result.TOKEN_EXPIRED,
                "鉴权失败/TOKEN过期",
                sub_code="ACCESS_TOKEN_EXPIRED",
                sub_msg="access_token已过期，请使用refresh_token刷新",
            )
        raise SandboxApiError(
            Result.AUTH, "AUTHORIZATION_REVOKED", sub_msg="鉴权失败/TOKEN过期: access_token无效"
        )

    def _review_due(self, item: StoredItem) -> bool:
        return self.now() - (item.submitted_at or item.created_at) >= self.review_delay

    def review(self, item: StoredItem) -> None:
        """Decide a pending review: the first `review_rules` hit rejects (3, or the status the
        rule names, e.g. 1 审核待修改), else approved (2)."""
        for rule in self.review_rules:
            verdict = rule(item.param)
            if verdict:
                status, reason = verdict if isinstance(verdict, tuple) else (3, verdict)
                item.audit_status, item.audit_reason = status, reason
                return
        item.audit_status, item.audit_reason = 2, ""

    def platform_takedown(self, item: StoredItem) -> str | None:
        """Why Kuaishou took this approved item off the shelf (`takedown_rules`), or None."""
        if item.audit_status != 2:
            return None
        now = self.now()
        return next((r for rule in self.takedown_rules if (r := rule(item, now))), None)

    # --- methods ---------------------------------------------------------------------------------

    def handle(
        self, method: str, *, seller: int, param: dict[str, Any], files: Mapping[str, UploadedFile]
    ) -> Any:
        """Run one API method for `seller` and return its `data`, or raise `SandboxApiError`."""
        handler = _HANDLERS.get(method) or material.HANDLERS.get(method)
        if handler is None:
            raise SandboxApiError(Result.UNKNOWN_METHOD, f"api不存在: {method}")
        return handler(self, seller, param, files)

    def _categories(self, seller: int, param: dict[str, Any], files: Any) -> Any:
        return [
            {"categoryId": n.category_id, "categoryName": n.name, "categoryPid": n.parent_id}
            for n in self.tree.nodes
        ]

    def _category_config(self, seller: int, param: dict[str, Any], files: Any) -> Any:
        category_id = param.get("categoryId")
        if not _is_int(category_id):
            raise _invalid("categoryId: required, a leaf category id")
        if not self.tree.is_leaf(category_id):
            raise SandboxApiError(Result.CATEGORY, f"类目不存在或非叶子类目: {category_id}")
        data = self.config_for(category_id).model_dump(by_alias=True, exclude_none=True)
        detail = data.get("categoryConfig") or {}
        # int[] in the schema [C, §3]; the model keeps them as strings to compare with refundRule.
        detail["refundRuleList"] = [
            int(rule) for rule in detail.get("refundRuleList", []) if str(rule).isdigit()
        ]
        return data

    def _image_upload(
        self, seller: int, param: dict[str, Any], files: Mapping[str, UploadedFile]
    ) -> Any:
        upload_type = param.get("uploadType")
        if upload_type not in (1, 2, 3, 4, 5, 6, 9):
            raise _invalid(f"uploadType: must be 1, 2, 3, 4, 5, 6 or 9, got {upload_type!r}")
        part = files.get("imgBytes")
        if part is None:
            if "imgUrl" in param:
                return self._image_url_upload(seller, param.get("imgUrl"), upload_type)
            raise _invalid("imgBytes or imgUrl: required, the image as a file part or its URL")
        image = _inspect_image(part.data, upload_type)
        digest = hashlib.sha256(part.data).hexdigest()
        ext = "png" if image[0] == "PNG" else "jpg"
        url = f"{IMAGE_HOST}{seller}/{digest[:32]}.{ext}"  # a shop's upload is its own (issue 17)
        self.uploads.setdefault(
            url,
            UploadedImage(
                url=url,
                sha256=digest,
                format=image[0],
                width=image[1],
                height=image[2],
                size=len(part.data),
                upload_type=upload_type,
                seller=seller,
            ),
        )
        data: dict[str, Any] = {"kwaiImgUrl": url}
        if param.get("imgUrl"):
            data["originImgUrl"] = param["imgUrl"]
        return data

    def _image_url_upload(self, seller: int, img_url: Any, upload_type: int) -> Any:
        """The documented `imgUrl` form: Kuaishou fetches the image itself [C, §4].

        The sandbox reaches no network, so it cannot fetch or inspect the pixels: it checks the URL
        (http(s), at most 2,000 characters, the limit of an image URL in §1.2) and hands out a
        stable kwaiImgUrl derived from it [I: the real platform may refuse what it fetches].
        """
        if not isinstance(img_url, str) or not img_url.startswith(("https://", "http://")):
            raise _invalid("imgUrl: must be an http(s) URL of the image")
        if len(img_url) > MAX_URL_CHARS or any(c.isspace() for c in img_url):
            raise _invalid(f"imgUrl: at most {MAX_URL_CHARS} characters, no spaces")
        if img_url in self.uploads:  # already a Kuaishou URL
            return {"originImgUrl": img_url, "kwaiImgUrl": img_url}
        digest = hashlib.sha256(img_url.encode("utf-8", "surrogatepass")).hexdigest()
        path = img_url.split("?", 1)[0].lower()
        fmt, ext = ("PNG", "png") if path.endswith(".png") else ("JPEG", "jpg")
        url = f"{IMAGE_HOST}u{digest[:31]}.{ext}"
        self.uploads.setdefault(
            url,
            UploadedImage(
                url=url,
                sha256=digest,
                format=fmt,
                width=0,
                height=0,
                size=0,
                upload_type=upload_type,
                seller=seller,
            ),
        )
        return {"originImgUrl": img_url, "kwaiImgUrl": url}

    def _item_new(self, seller: int, param: dict[str, Any], files: Any) -> Any:
        category_id = param.get("categoryId")
        config = None
        if _is_int(category_id):
            if not self.tree.is_leaf(category_id):
                raise SandboxApiError(
                    Result.CATEGORY,
                    "商品来源不可售卖",
                    sub_msg=f"categoryId {category_id} 不是可发布的叶子类目",
                )
            config = self.config_for(category_id)
        found = violations(param, category_config=config, is_kwai_image=self.is_kwai_image)
        found += material.item_video_problems(self, seller, param)
        if found:
            raise _invalid(describe(found))
        rel_item_id = param["relItemId"]
        if rel_item_id in self._by_rel:
            self.duplicate_creates.append(rel_item_id)
            raise SandboxApiError(
                Result.DUPLICATE,
                f"relItemId已存在: {rel_item_id} 已创建过商品，不可重复创建",
                sub_code="DUPLICATE_REL_ITEM_ID",
            )
        day = (seller, self.now().astimezone(CHINA_TZ).date())
        if self._created_per_day[day] >= self.daily_quota:
            raise SandboxApiError(
                Result.QUOTA,
                f"exceed quota limit: 每个商家每天最多新增{self.daily_quota}个商品，超过请勿重试",
                sub_msg=f"primaryUserId:{seller}",
            )
        kwai_item_id = self._next_item_id
        self._next_item_id += 1
        sku_ids = []
        for sku in param["skuList"]:
            sku_ids.append((self._next_sku_id, sku["relSkuId"], sku.get("skuNick")))
            self._next_sku_id += 1
        self.items[kwai_item_id] = StoredItem(
            kwai_item_id=kwai_item_id,
            rel_item_id=rel_item_id,
            seller=seller,
            param=param,
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

    def _item_get(self, seller: int, param: dict[str, Any], files: Any) -> Any:
        kwai_item_id = param.get("kwaiItemId")
        if not _is_int(kwai_item_id):
            raise _invalid("kwaiItemId: required, a Kuaishou item id")
        item = self.items.get(kwai_item_id)
        if item is None or item.seller != seller:
            raise SandboxApiError(Result.NOT_FOUND, f"商品不存在: {kwai_item_id}")
        if item.audit_status == 0 and self.review_delay and self._review_due(item):
            self.review(item)  # a timed review has happened by now: this look sees its outcome
        view = self._item_view(item, id_field="itemId", skus_field="skuInfos")
        item.gets += 1
        if (
            item.audit_status == 0
            and item.gets >= self.review_after_gets
            and self._review_due(item)
        ):
            self.review(item)
        return view

    def _item_shelf_status(self, seller: int, param: dict[str, Any], files: Any) -> Any:
        """`open.item.shelf.status.update`: shelfStatus 0 takes the item off the shelf, 1 puts it
        back [I: which value is which]. Off the shelf it stays findable by relItemId, and its
        relItemId still refuses a create (a relItemId is never reused)."""
        kwai_item_id, status = param.get("kwaiItemId"), param.get("shelfStatus")
        if not _is_int(kwai_item_id):
            raise _invalid("kwaiItemId: required, a Kuaishou item id")
        if status not in (0, 1) or isinstance(status, bool):
            raise _invalid("shelfStatus: required, 0 (下架) or 1 (上架)")
        item = self.items.get(kwai_item_id)
        if item is None or item.seller != seller:
            raise SandboxApiError(Result.NOT_FOUND, f"商品不存在: {kwai_item_id}")
        if status == 1 and item.audit_status != 2:
            raise SandboxApiError(
                Result.INVALID_PARAM,
                "商品审核状态为通过后，才允许操作商品上架",
                sub_msg=f"auditStatus {item.audit_status}",
            )
        item.taken_down = status == 0
        return {}

    def _item_list(self, seller: int, param: dict[str, Any], files: Any) -> Any:
        rel_item_id, kwai_item_id = param.get("relItemId"), param.get("kwaiItemId")
        page_number = param.get("pageNumber", 1)
        page_size = param.get("pageSize", 100)
        if not _is_int(page_number) or page_number < 1:
            raise _invalid("pageNumber: must be ≥ 1")
        if not _is_int(page_size) or not 10 <= page_size <= 100:
            page_size = 100
        mine = [item for item in self.items.values() if item.seller == seller]
        if kwai_item_id is not None:
            mine = [item for item in mine if item.kwai_item_id == kwai_item_id]
        elif rel_item_id is not None:
            mine = [item for item in mine if item.rel_item_id == rel_item_id]
        start = (page_number - 1) * page_size
        page = mine[start : start + page_size]
        return {
            "totalItemCount": len(mine),
            "currentPageItemCount": len(page),
            "currentPageNumber": page_number,
            "totalPage": math.ceil(len(mine) / page_size),
            "items": [
                self._item_view(item, id_field="kwaiItemId", skus_field="skuList") for item in page
            ],
        }

    def _supply_sync(self, seller: int, param: dict[str, Any], files: Any) -> Any:
        item = param.get("item")
        if not isinstance(item, dict):
            raise _invalid('item: required, one report as {"item": {...}}')
        problems = list(self._supply_problems(seller, item))
        if problems:
            raise _invalid("; ".join(problems))
        now, kwai_item_id = self.now(), item["kwaiItemId"]
        for index, earlier in enumerate(self.reports):
            if earlier.seller == seller and earlier.item.get("kwaiItemId") == kwai_item_id:
                self.reports[index] = SupplyReportRecord(
                    seller=seller,
                    item=item,
                    received_at=now,
                    versions=earlier.versions + 1,
                    first_received_at=earlier.first_received_at or earlier.received_at,
                )
                return None
        self.reports.append(SupplyReportRecord(seller=seller, item=item, received_at=now))
        return None

    def _supply_problems(self, seller: int, item: dict[str, Any]) -> Iterable[str]:
        scene = item.get("scene")
        if scene not in (1, 2, 3):
            yield f"item.scene: must be 1 (分销铺货), 2 (商品搬家) or 3 (其他发品), got {scene!r}"
            return
        item_id = item.get("itemId")
        # A string in the Java DTO; a JSON number is what a Java String field takes too [I].
        if not (isinstance(item_id, str) and item_id) and not _is_int(item_id):
            yield "item.itemId: required, the source item id (a string)"
        kwai_item_id = item.get("kwaiItemId")
        stored = self.items.get(kwai_item_id) if _is_int(kwai_item_id) else None
        if stored is None or stored.seller != seller:
            yield f"item.kwaiItemId: {kwai_item_id!r} is not an item this merchant created"
        earlier = self.reported_scene(seller, kwai_item_id)
        if earlier is not None and earlier != scene:
            yield (
                f"item.scene: kwaiItemId {kwai_item_id} was already reported as scene {earlier}; "
                f"an item has one true scene, so scene {scene} contradicts it (供应信息不真实)"
            )
            return
        if scene == 3:
            if not _is_int(item.get("uploadMethod")):
                yield "item.uploadMethod: required for scene 3"
            return
        url = item.get("originItemUrl")
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            yield "item.originItemUrl: required, the public URL of the source item"
        seller_info = item.get("seller")
        if seller_info is not None and not isinstance(seller_info, dict):
            yield "item.seller: must be an object {name, platform, platformName}"
        seller_info = seller_info if isinstance(seller_info, dict) else {}
        # The Java DTO has platform/platformName inside `seller`; the rule document lists them as
        # item fields. Either place is accepted, `seller` first (kuaishou-api.md §2) [I].
        platform = seller_info.get("platform", item.get("platform"))
        platform_name = seller_info.get("platformName", item.get("platformName"))
        if not isinstance(platform_name, str) or not platform_name:
            yield "item.seller.platformName: required, the source platform name (e.g. 淘宝)"
        if scene == 2:
            if platform != 3:
                yield f"item.seller.platform: scene 2 (商品搬家) must report 3, got {platform!r}"
            return
        if platform not in (1, 2, 3):
            yield f"item.seller.platform: must be 1, 2 or 3, got {platform!r}"
        if not isinstance(seller_info.get("name"), str) or not seller_info.get("name"):
            yield "item.seller.name: required for scene 1, the supplier company or shop"
        if not isinstance(item.get("title"), str) or not item.get("title"):
            yield "item.title: required for scene 1"
        low, high = item.get("priceMin"), item.get("priceMax")
        if not (_is_int(low) and _is_int(high) and 0 < low <= high):
            yield f"item.priceMin/priceMax: required for scene 1, fen with min ≤ max: {low}/{high}"
        image = item.get("imageUrl")
        if not isinstance(image, str) or not image.startswith("https://"):
            yield "item.imageUrl: required for scene 1, an https URL of the first main image"
        category_id = item.get("categoryId")
        if not _is_int(category_id):
            yield "item.categoryId: required for scene 1, the Kuaishou category"
        elif stored is not None and stored.param.get("categoryId") != category_id:
            yield f"item.categoryId: {category_id} is not the category the item was published to"

    def reported_scene(self, seller: int, kwai_item_id: object) -> int | None:
        """The scene this merchant first reported for the item, if any (one scene per item [I])."""
        for record in self.reports:
            if record.seller == seller and record.item.get("kwaiItemId") == kwai_item_id:
                scene = record.item.get("scene")
                return scene if _is_int(scene) else None
        return None

    def _item_view(self, item: StoredItem, *, id_field: str, skus_field: str) -> dict[str, Any]:
        p = item.param
        node = self.tree.get(p["categoryId"])
        skus = []
        for (kwai_sku_id, rel_sku_id, nick), sku in zip(item.sku_ids, p["skuList"], strict=True):
            props = sku.get("skuProps") or []
            main_image = next((q.get("imageUrl") for q in props if q.get("isMainProp") == 1), None)
            skus.append(
                {
                    "kwaiSkuId": kwai_sku_id,
                    "relSkuId": rel_sku_id,
                    "kwaiItemId": item.kwai_item_id,
                    "skuStock": sku["skuStock"],
                    "skuSalePrice": sku["skuSalePrice"],
                    "specification": ";".join(
                        f"{q['propName']}:{q['propValueName']}" for q in props
                    ),
                    **({"skuNick": nick} if nick else {}),
                    **({"imageUrl": main_image} if main_image else {}),
                }
            )
        view: dict[str, Any] = {
            id_field: item.kwai_item_id,
            "relItemId": item.rel_item_id,
            "title": p["title"],
            "details": p["details"],
            "categoryId": p["categoryId"],
            "categoryName": node.name if node else p.get("categoryName"),
            "imageUrls": p["imageUrls"],
            "detailImageUrls": p["detailImageUrls"],
            skus_field: skus,
            "serviceRule": p["serviceRule"],
            "auditStatus": item.audit_status,
            "auditReason": item.audit_reason,
            "expressTemplateId": p.get("expressTemplateId", 0),
            "linkUrl": f"https://sandbox-kwaixiaodian.local/item/{item.kwai_item_id}",
            "createdTime": int(item.created_at.timestamp() * 1000),
            **self._documented_get_fields(item, node),
        }
        if p.get("shortTitle"):
            view["shortTitle"] = p["shortTitle"]
        return view

    def _documented_get_fields(self, item: StoredItem, node: Any) -> dict[str, Any]:
        """The fields of `open.item.get` data listed in kuaishou-api.md §1.6 beyond the basics.

        onOfflineStatus: 1 on the shelf, 0 off it [I: the values are not in the reference]. An
        item is on the shelf once approved, unless `immediatelyOnOfflineFlag` was 1, the merchant
        took it down, or a `takedown_rules` rule took it off later (offlineReason says which).
        """
        p = item.param
        parent = self.tree.get(node.parent_id) if node is not None and node.parent_id else None
        root = node
        while root is not None and root.parent_id and self.tree.get(root.parent_id) is not None:
            root = self.tree.get(root.parent_id)
        rule = p.get("serviceRule")
        held = isinstance(rule, dict) and rule.get("immediatelyOnOfflineFlag") == 1
        pulled = self.platform_takedown(item)
        on_shelf = item.audit_status == 2 and not held and not item.taken_down and not pulled
        reasons = {0: "审核中", 1: "审核待修改", 3: "审核未通过"}
        offline_reason = "" if on_shelf else ("商家设置暂不上架" if held else "")
        offline_reason = pulled or offline_reason
        offline_reason = "商家下架" if item.taken_down else offline_reason
        offline_reason = offline_reason or reasons.get(item.audit_status, "")
        return {
            "parentCategoryId": parent.category_id if parent else 0,
            "parentCategoryName": parent.name if parent else "",
            "rootCategoryId": root.category_id if root else p["categoryId"],
            "rootCategoryName": root.name if root else "",
            "onOfflineStatus": 1 if on_shelf else 0,
            "offlineReason": offline_reason,
            "itemPropValues": p.get("itemPropValues") or [],
            "spuId": p.get("spuId", 0),
            "shortTitle": p.get("shortTitle", ""),
            "threeQuartersImageUrls": p.get("threeQuartersImageUrls") or [],
        }


_Handler = Callable[[KuaishouSandbox, int, dict[str, Any], Mapping[str, UploadedFile]], Any]
_HANDLERS: dict[str, _Handler] = {
    "open.item.category": KuaishouSandbox._categories,
    "open.item.category.config": KuaishouSandbox._category_config,
    "open.item.image.upload": KuaishouSandbox._image_upload,
    "open.item.new": KuaishouSandbox._item_new,
    "open.item.get": KuaishouSandbox._item_get,
    "open.item.list.get": KuaishouSandbox._item_list,
    "open.item.shelf.status.update": KuaishouSandbox._item_shelf_status,
    "open.supply.item.sync": KuaishouSandbox._supply_sync,
}


def _documented_get(method: str) -> bool:
    """Documented as GET (connectors/kuaishou/methods.py); POST is accepted for them too [I]."""
    return spec_for(method).http_method == "GET"


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _throttled(app_key: str, qps: int | str) -> SandboxApiError:
    return SandboxApiError(
        Result.THROTTLED, f"Exceed qps limit, KEY [appkey:{app_key}] MAX_QPS {qps}"
    )


def _inspect_image(data: bytes, upload_type: int) -> tuple[str, int, int]:
    """(format, width, height) of a decodable PNG/JPEG of at most 2 MB, else a param error."""
    if len(data) > MAX_IMAGE_BYTES:
        raise _invalid(f"imgBytes: {len(data)} bytes, at most {MAX_IMAGE_BYTES} (2 MB)")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            fmt, (width, height) = image.format or "", image.size
            border = white_border(image) if upload_type in BORDERLESS_UPLOAD_TYPES else None
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise _invalid(f"imgBytes: not a decodable image ({type(exc).__name__})") from None
    if fmt not in ("PNG", "JPEG"):
        raise _invalid(f"imgBytes: {fmt or 'unknown'} is not allowed, use png or jpeg")
    if border is not None:
        left, top, right, bottom = border
        raise _invalid(
            f"imgBytes: 图片存在白边 (a white border: {left}/{top}/{width - right}/{height - bottom} "
            f"px left/top/right/bottom of {width}×{height}); 商品图片不能有白边: trim it and upload again"
        )
    if upload_type in (5, 6) and (width != height or width < 480):
        raise _invalid(
            f"imgBytes: uploadType {upload_type} needs 1:1 ≥480×480, got {width}×{height}"
        )
    if upload_type == 6 and fmt != "PNG":
        raise _invalid("imgBytes: a transparent image (uploadType 6) must be png")
    return fmt, width, height


# --- the HTTP gateway ----------------------------------------------------------------------------


async def _read_params(
    request: Request, method: str
) -> tuple[dict[str, str], dict[str, UploadedFile]]:
    if request.method == "GET":
        if not _documented_get(method):
            raise _invalid(f"{method}: documented as POST; send the params as a form body")
        return dict(request.query_params), {}
    # System params may travel in the query of a POST too (API调用说明: "query, or form body");
    # the body wins where both carry one.
    query = dict(request.query_params)
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        raise _invalid("request body larger than 10 MB")
    kind, header = content_type(request)
    if method == "open.item.image.upload":
        if kind != MULTIPART:
            raise _invalid("Content-Type: open.item.image.upload needs multipart/form-data")
        try:
            fields, files = multipart(body, header)
        except FormError as exc:
            raise _invalid(str(exc)) from None
        return {**query, **fields}, files
    if not body and query:
        return query, {}
    if kind != FORM:
        raise _invalid(f"Content-Type: only {FORM} is accepted, got {kind}")
    try:
        return {**query, **urlencoded(body, strict=True)}, {}
    except FormError as exc:
        raise _invalid(str(exc)) from None


def _authenticate(state: KuaishouSandbox, params: Mapping[str, str], method: str) -> int:
    """Check appkey, system params, signature and token, in that order; return the seller id."""
    if params.get("method") != method:
        raise _invalid(f"method: {params.get('method')!r} does not match the path ({method})")
    if params.get("appkey") != state.app_key:
        raise SandboxApiError(Result.APPKEY, "appkey不存在", sub_msg="invalid appkey")
    sign_method: SignMethod
    if params.get("signMethod") == "MD5":
        sign_method = "MD5"
    elif params.get("signMethod") == "HMAC_SHA256":
        sign_method = "HMAC_SHA256"
    else:
        raise _invalid(f"signMethod: must be MD5 or HMAC_SHA256, got {params.get('signMethod')!r}")
    if params.get("version") != "1":
        raise _invalid(f"version: must be 1, got {params.get('version')!r}")
    if not (params.get("timestamp") or "").isdigit():
        raise _invalid("timestamp: required, milliseconds since the epoch")
    expected = sign(params, sign_secret=state.sign_secret, sign_method=sign_method)
    if not hmac.compare_digest(expected.encode(), (params.get("sign") or "").encode()):
        raise SandboxApiError(Result.SIGN, "验签失败", sub_msg="签名校验失败")
    return state.seller_for_token(params.get("access_token") or "")


def _decode_param(raw: str | None) -> dict[str, Any]:
    if raw is None or raw == "":
        return {}
    try:
        value = safe_json.loads(raw)
    except safe_json.UnsafeJsonError as exc:
        raise _invalid(f"param: {exc}") from None
    if not isinstance(value, dict):
        raise _invalid("param: must be a JSON object")
    return value


def build_kuaishou_app(state: KuaishouSandbox) -> Starlette:
    """The gateway as an ASGI app: `/` + method with dots as slashes, e.g. `/open/item/new`."""

    async def gateway(request: Request) -> Response:
        method = request.path_params["path"].strip("/").replace("/", ".")
        try:
            params, files = await _read_params(request, method)
        except SandboxApiError as error:
            state.calls.append((method, None))
            return JSONResponse(error.envelope())
        state.calls.append((method, state.seller_of(params.get("access_token") or "")))
        fault: FaultKind | None = None
        try:
            seller = _authenticate(state, params, method)
            state.check_qps(seller, method)
            fault = state.take_fault(method)
            if fault == "5xx":
                return PlainTextResponse("Internal Server Error", status_code=500)
            if fault == "timeout":
                return PlainTextResponse("Gateway Timeout", status_code=504)
            if fault == "throttle":
                raise _throttled(state.app_key, "hidden")
            param = _decode_param(params.get("param"))
            data = state.handle(method, seller=seller, param=param, files=files)
        except SandboxApiError as error:
            return JSONResponse(error.envelope())
        if fault == "lose_response":
            return PlainTextResponse("Internal Server Error", status_code=500)
        body: dict[str, Any] = {"result": int(Result.OK), "error_msg": "success"}
        if data is not None:
            body["data"] = data
        return JSONResponse(body)

    app = Starlette(
        # The item-video upload host takes files up to the material cap; its handler checks it.
        middleware=guarded(
            "kuaishou", larger={material.UPLOAD_PATH: state.materials.max_video_bytes + 65_536}
        ),
        routes=[
            material.upload_route(state),
            *oauth_routes(state.oauth, default_seller=KUAISHOU_SELLER_ID),
            Route("/{path:path}", gateway, methods=["GET", "POST"]),
        ],
    )
    app.state.sandbox = state
    return app
