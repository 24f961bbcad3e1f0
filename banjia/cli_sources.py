"""`banjia sources parse|sign`: what an integrator runs on a source platform's payloads and requests.

Both reuse the connectors' own code (the parsers `parse_item` / `parse_goods` / `parse_product`,
the error classifiers, the signing functions), never a second implementation, so what they print is
what the pipeline would make of the same input.

`parse` reads detail responses as the platform returns them and prints one JSON line per input
item, on stdout:

    {"platform": "taobao", "source_item_id": "623917802188", ...}        a parsed listing
    {"quarantine": {"file": F, "item_id": I, "field": P, "reason": R}}   a problem, per item

A listing line is `Listing.model_dump_json()` without `raw` (`--with-raw` keeps it). A quarantine
line names the field as the parsers do (`skus.sku[1].price`); `item_id` is null when the payload
has none. An error envelope (`error_response`, 1688's `error_code` / `success: false`) is a
quarantine line whose reason carries the platform's code and message. Unreadable files (missing,
not UTF-8 JSON, JSON nested deeper than 64 levels, not a JSON object) are reported on stderr and
the other files are still parsed. JSON is read through `connectors.safe_json`, which replaces lone
surrogates, so every line printed can be encoded. A parser bug on one item is a quarantine line
for that item (field `(item)`, the exception's type, "please report it"), never the end of the
batch.
Exit status: 2 if any file was unreadable (or on usage errors), else 1 if anything was
quarantined, else 0.

`sign` prints exactly two lines, the sign last:

    <the string that is hashed, the secret shown as ***>
    <sign>

The secret is read from the env var named by `--secret-env` (never from an argument, which would
land in shell history and `ps`) and is masked wherever it would appear. A missing or empty
variable, a sign method the platform does not have, 1688 without a well-formed `--url-path`, or
input that is not a JSON object of string/number/null values exits 2.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, cast

import click

if TYPE_CHECKING:
    from connectors.content import ParseProblem
    from listings.model import Listing

__all__ = ["sources"]

PLATFORMS = ("taobao", "pinduoduo", "alibaba1688")
SIGN_METHODS: dict[str, tuple[str, ...]] = {
    "taobao": ("md5", "hmac", "hmac-sha256"),
    "pinduoduo": ("md5",),
    "alibaba1688": ("hmac-sha1",),
}
"""Each platform's own names for its sign methods (what its `sign_method` param would say)."""

_MASK = "***"
_AOP_PATH = re.compile(r"^param2/\d+/[^/?]+/[^/?]+/[^/?]+$")
_PARSE_OPTIONS = {
    "tmall": ("--tmall", "taobao"),
    "pdd_price": ("--pdd-price", "pinduoduo"),
    "mode": ("--mode", "alibaba1688"),
    "supplier_name": ("--supplier-name", "alibaba1688"),
    "image_base": ("--image-base", "alibaba1688"),
}
"""Parser options that only one platform has: giving one for another platform is a usage error
(it would be silently ignored, and the output not what the caller meant)."""

Parser = Callable[[dict[str, Any]], "Listing"]


@click.group()
def sources() -> None:
    """Source-platform tools for integrators: parse detail payloads, sign a request."""


# -- parse -------------------------------------------------------------------------------------------


@sources.command("parse")
@click.option("--platform", type=click.Choice(PLATFORMS), required=True)
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--shop-id", default="cli", show_default=True, help="The listings' shop_id.")
@click.option(
    "--tmall", is_flag=True, help="taobao: the items are on Tmall (origin URL, platform)."
)
@click.option(
    "--pdd-price",
    type=click.Choice(["single", "group"]),
    help="pinduoduo: the base price, single = 单买价 price (default), group = 团购价 multi_price.",
)
@click.option(
    "--mode",
    type=click.Choice(["move", "distribute"]),
    help="alibaba1688: move (default) or distribute (prefers consignPrice, needs a supplier name).",
)
@click.option("--supplier-name", help="alibaba1688: the supplier's company or shop name.")
@click.option(
    "--image-base",
    help="alibaba1688: the host of relative img/ibank/... paths [default: https://cbu01.alicdn.com/].",
)
@click.option("--with-raw", is_flag=True, help="Keep each listing's raw payload in its line.")
def parse_command(
    platform: str, files: tuple[Path, ...], shop_id: str, with_raw: bool, **options: Any
) -> None:
    """Parse detail responses (whole envelopes) into canonical listings, one JSON line each.

    \b
    Accepted per platform (the bare item object is accepted too):
      taobao       {"item_seller_get_response": {"item": {...}}}
                   {"items_seller_list_get_response": {"items": {"item": [...]}}}
      pinduoduo    {"goods_detail_get_response": {...}}
      alibaba1688  {"productInfo": {...}} or {"result": {"productInfo": {...}}}

    \b
    Output on stdout, one JSON object per line:
      a listing     Listing.model_dump_json() without "raw" (unless --with-raw)
      a problem     {"quarantine": {"file", "item_id", "field", "reason"}}
    An error envelope is a quarantine line with the platform's code and message.

    Exit 2 if a file is unreadable (reported on stderr), else 1 if anything was quarantined,
    else 0.
    """
    from connectors.content import ParseProblem

    parser = _parser_for(platform, shop_id=shop_id, options=options)
    unwrap = _UNWRAP[platform]
    dump_options: dict[str, Any] = {} if with_raw else {"exclude": {"raw"}}
    unreadable = quarantined = False
    for path in files:
        try:
            body = _read_object(path)
        except ValueError as exc:
            click.echo(f"{path}: {exc}", err=True)
            unreadable = True
            continue
        try:
            payloads = unwrap(body)
        except ParseProblem as problem:
            _echo_quarantine(path, problem)
            quarantined = True
            continue
        except Exception as exc:  # an unwrap bug: this file is quarantined, the batch goes on
            _echo_quarantine(path, _crash_problem(body, exc))
            quarantined = True
            continue
        if not payloads:
            click.echo(f"{path}: the response holds no item", err=True)
        for payload in payloads:
            try:
                line = parser(payload).model_dump_json(**dump_options)
            except ParseProblem as problem:
                _echo_quarantine(path, problem)
                quarantined = True
                continue
            except Exception as exc:  # a parser bug: this item is quarantined, the batch goes on
                _echo_quarantine(path, _crash_problem(payload, exc))
                quarantined = True
                continue
            click.echo(line)
    sys.exit(2 if unreadable else 1 if quarantined else 0)


def _parser_for(platform: str, *, shop_id: str, options: Mapping[str, Any]) -> Parser:
    """The connector's parser with the options bound; options of another platform are refused."""
    for name, (flag, owner) in _PARSE_OPTIONS.items():
        if options.get(name) not in (None, False) and owner != platform:
            raise click.UsageError(f"{flag} only applies to --platform {owner}")
    if platform == "taobao":
        from connectors.taobao.parse import parse_item

        return partial(parse_item, shop_id=shop_id, tmall=options["tmall"])
    if platform == "pinduoduo":
        from connectors.pinduoduo.parse import parse_goods

        return partial(parse_goods, shop_id=shop_id, price=options["pdd_price"] or "single")
    from connectors.alibaba1688.parse import DEFAULT_IMAGE_BASE, parse_product

    return partial(
        parse_product,
        shop_id=shop_id,
        mode=options["mode"] or "move",
        supplier_name=options["supplier_name"],
        image_base=options["image_base"] or DEFAULT_IMAGE_BASE,
    )


def _read_object(path: Path) -> dict[str, Any]:
    """The file's JSON object; ValueError (with a sentence) when it cannot be one."""
    from connectors import safe_json

    try:
        body = safe_json.load_file(path)
    except OSError as exc:
        raise ValueError(f"cannot read the file ({exc.strerror or exc})") from None
    if not isinstance(body, dict):
        raise ValueError(f"not a JSON object (a response envelope), but a {type(body).__name__}")
    return body


def _echo_quarantine(path: Path, problem: ParseProblem) -> None:
    record = {
        "file": str(path),
        "item_id": None if problem.item_id == "?" else problem.item_id,
        "field": problem.field,
        "reason": problem.reason,
    }
    click.echo(json.dumps({"quarantine": record}, ensure_ascii=False, separators=(",", ":")))


def _crash_problem(payload: Any, exc: Exception) -> ParseProblem:
    """The quarantine of an item the parser failed on: the item's id, if it has one, and the fix."""
    from connectors.content import ParseProblem

    item_id = "?"
    if isinstance(payload, dict):
        for key in ("num_iid", "goods_id", "productID", "productId"):
            if isinstance(payload.get(key), int | str) and not isinstance(payload.get(key), bool):
                item_id = str(payload[key])[:40]
                break
    return ParseProblem(
        item_id=item_id,
        field="(item)",
        reason=f"the parser failed on this item ({type(exc).__name__}); the other items were "
        "parsed. Please report it with the payload",
    )


def _envelope_problem(field: str, reason: str) -> ParseProblem:
    from connectors.content import ParseProblem

    return ParseProblem(item_id="?", field=field, reason=reason)


def _taobao_items(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The items of an item.seller.get / items.seller.list.get response (or of a bare item)."""
    if "error_response" in body:
        from connectors.taobao.errors import error_from_response

        raise _envelope_problem("error_response", str(error_from_response(body)))
    if isinstance(body.get("item_seller_get_response"), dict):
        body = body["item_seller_get_response"]
    elif isinstance(body.get("items_seller_list_get_response"), dict):
        items = body["items_seller_list_get_response"].get("items") or {}
        if not isinstance(items, dict):
            raise _envelope_problem(
                "items_seller_list_get_response.items",
                'must be an object {"item": [...]} (TOP wraps arrays in a singular key)',
            )
        rows = items.get("item") or []
        return _objects(rows, field="items_seller_list_get_response.items.item")
    if isinstance(body.get("item"), dict):
        return [body["item"]]
    if "num_iid" in body:
        return [body]
    raise _envelope_problem(
        "item_seller_get_response",
        "not a taobao.item.seller.get or taobao.items.seller.list.get response: expected "
        "item_seller_get_response.item or items_seller_list_get_response.items.item",
    )


def _objects(rows: Any, *, field: str) -> list[dict[str, Any]]:
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise _envelope_problem(field, "must be a list of item objects")
    return rows


def _pdd_goods(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The goods of a pdd.goods.detail.get response (or a bare goods object)."""
    if "error_response" in body:
        from connectors.pinduoduo.errors import error_from_response

        raise _envelope_problem("error_response", str(error_from_response(body)))
    if isinstance(body.get("goods_detail_get_response"), dict):
        return [body["goods_detail_get_response"]]
    if "goods_id" in body:
        return [body]
    raise _envelope_problem(
        "goods_detail_get_response",
        "not a pdd.goods.detail.get response: expected goods_detail_get_response",
    )


def _aop_products(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The productInfo of an alibaba.product.get / cross.productInfo body (or a bare one).

    The gateway's errors are top-level `error_code`; the API's own are `success: false`, at the
    top or inside `result`; either is reported with its code and message.
    """
    prefix = ""
    _raise_aop_error(body, prefix)
    if "productInfo" not in body and isinstance(body.get("result"), dict):
        prefix, body = "result.", body["result"]
        _raise_aop_error(body, prefix)
    if isinstance(body.get("productInfo"), dict):
        return [body["productInfo"]]
    if "productID" in body:
        return [body]
    raise _envelope_problem(
        f"{prefix}productInfo",
        "not an alibaba.product.get or alibaba.cross.productInfo response: expected productInfo "
        "or result.productInfo",
    )


def _raise_aop_error(body: Mapping[str, Any], prefix: str) -> None:
    """A quarantine when `body` is an AOP error, naming the key that says so as the field."""
    from connectors.alibaba1688.errors import error_from_response, is_error_body

    if is_error_body(body):
        key = next((key for key in ("error_code", "errorCode") if body.get(key)), "success")
        raise _envelope_problem(prefix + key, str(error_from_response(body)))


_UNWRAP: dict[str, Callable[[dict[str, Any]], list[dict[str, Any]]]] = {
    "taobao": _taobao_items,
    "pinduoduo": _pdd_goods,
    "alibaba1688": _aop_products,
}


# -- sign --------------------------------------------------------------------------------------------


class _Signed(NamedTuple):
    shown: str
    """The string that is hashed, with the secret as *** where it is part of it."""
    sign: str
    signs_key: Callable[[str, str], bool]
    """Whether the connector signs this key with this value (to name what it leaves out)."""


@sources.command("sign")
@click.option("--platform", type=click.Choice(PLATFORMS), required=True)
@click.option(
    "--sign-method",
    type=click.Choice(sorted({m for methods in SIGN_METHODS.values() for m in methods})),
    required=True,
    help="taobao: md5, hmac or hmac-sha256; pinduoduo: md5; alibaba1688: hmac-sha1.",
)
@click.option(
    "--secret-env",
    required=True,
    metavar="VAR",
    help="Name of the env var holding the app secret (TOP app secret, PDD client_secret, "
    "1688 appSecret).",
)
@click.option(
    "--url-path",
    metavar="P",
    help="alibaba1688 (required): the signed path, param2/1/{namespace}/{api}/{appKey}.",
)
def sign_command(platform: str, sign_method: str, secret_env: str, url_path: str | None) -> None:
    """Sign request params read as a JSON object on stdin; print the signed string, then the sign.

    Give every param that is sent (system and business, access token and timestamp included) as
    the exact string sent; numbers become strings, a null value means the param is not sent (and
    not signed).

    \b
    Output on stdout, two lines, the sign last:
      taobao md5, pinduoduo   ***key1value1key2value2...***   (the secret wraps the text)
      taobao hmac(-sha256)    key1value1key2value2...         (the secret is the HMAC key)
      alibaba1688             param2/1/.../appKey + sorted key+value strings
      <the upper-case hex sign>
    Params the platform does not sign (`sign`, TOP's empty values) are named on stderr.
    """
    if sign_method not in SIGN_METHODS[platform]:
        raise click.UsageError(
            f"{platform} has no sign method {sign_method!r}: use "
            f"{' or '.join(SIGN_METHODS[platform])}"
        )
    path = _checked_url_path(platform, url_path)
    from banjia.config import checked_env_name

    secret = os.environ.get(checked_env_name(secret_env), "")
    if not secret:
        raise click.UsageError(
            f"environment variable {secret_env} is not set or empty: export the app secret in it "
            "(the value is never printed)"
        )
    params = _read_params(sys.stdin.read())
    sent_method = params.get("sign_method")
    if platform == "taobao" and sent_method is not None and sent_method != sign_method:
        raise click.UsageError(
            f"the params say sign_method={sent_method} but --sign-method is {sign_method}: "
            "TOP would verify with the other method"
        )
    signed = _SIGNERS[platform](params, secret=secret, method=sign_method, path=path)
    unsigned = [
        key
        for key, value in params.items()
        if value is not None and not signed.signs_key(key, value)
    ]
    if unsigned:
        click.echo(f"note: sent but not signed: {', '.join(sorted(unsigned))}", err=True)
    if platform == "alibaba1688":
        _note_aop_dropped(params)
    click.echo(signed.shown.replace(secret, _MASK))
    click.echo(signed.sign)


def _checked_url_path(platform: str, url_path: str | None) -> str:
    if platform != "alibaba1688":
        if url_path is not None:
            raise click.UsageError("--url-path only applies to --platform alibaba1688")
        return ""
    if not url_path:
        raise click.UsageError(
            "alibaba1688 signs the URL path too: pass --url-path param2/1/{namespace}/{api}/{appKey}"
        )
    if not _AOP_PATH.match(url_path):
        raise click.UsageError(
            f"--url-path {url_path!r} is not param2/{{version}}/{{namespace}}/{{api}}/{{appKey}}: "
            "the signed path starts at param2, with no leading / and no openapi/"
        )
    return url_path


def _read_params(text: str) -> dict[str, str | None]:
    try:
        raw = json.loads(text)
    except ValueError as exc:
        raise click.UsageError(f"stdin is not JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise click.UsageError("stdin must be one JSON object of request params")
    params: dict[str, str | None] = {}
    for key, value in raw.items():
        if value is None or isinstance(value, str):
            params[key] = value
        elif isinstance(value, int | float) and not isinstance(value, bool):
            params[key] = str(value)
        else:
            raise click.UsageError(
                f"{key}: give the exact string that is sent (a JSON value is signed as its "
                "serialized text, whose separators matter), a number or null"
            )
    return params


def _note_aop_dropped(params: Mapping[str, str | None]) -> None:
    """1688's official SDK (and banjia's client) never send falsy values: say so for those given."""
    from connectors.alibaba1688.signing import prepare_params

    given = {key: value for key, value in params.items() if value is not None}
    dropped = sorted(set(given) - set(prepare_params(given)))
    if dropped:
        click.echo(
            f"note: signed as given, but 1688's SDK and banjia would not send these empty values: "
            f"{', '.join(dropped)}",
            err=True,
        )


def _sign_taobao(
    params: Mapping[str, str | None], *, secret: str, method: str, path: str
) -> _Signed:
    from connectors.taobao.signing import SignMethod, sign, sign_string

    text = sign_string(params)
    return _Signed(
        shown=f"{_MASK}{text}{_MASK}" if method == "md5" else text,
        sign=sign(params, secret=secret, sign_method=cast(SignMethod, method)),
        signs_key=lambda key, value: bool(sign_string({key: value})),
    )


def _sign_pdd(params: Mapping[str, str | None], *, secret: str, method: str, path: str) -> _Signed:
    from connectors.pinduoduo.signing import sign, sign_string

    return _Signed(
        shown=f"{_MASK}{sign_string(params)}{_MASK}",
        sign=sign(params, client_secret=secret),
        signs_key=lambda key, value: bool(sign_string({key: value})),
    )


def _sign_aop(params: Mapping[str, str | None], *, secret: str, method: str, path: str) -> _Signed:
    from connectors.alibaba1688.signing import aop_signature, sign_string

    return _Signed(
        shown=sign_string(path, params),
        sign=aop_signature(path, params, secret=secret),
        signs_key=lambda key, value: bool(sign_string("", {key: value})),
    )


_SIGNERS: dict[str, Callable[..., _Signed]] = {
    "taobao": _sign_taobao,
    "pinduoduo": _sign_pdd,
    "alibaba1688": _sign_aop,
}
