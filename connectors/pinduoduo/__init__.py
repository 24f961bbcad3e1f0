"""Pinduoduo through the official open platform: signing, errors, wire models, client, parser."""

from connectors.pinduoduo.client import (
    DETAIL_CONCURRENCY,
    MAX_PAGE_SIZE,
    MAX_WINDOW,
    PRODUCTION_URL,
    GoodsDetails,
    PinduoduoClient,
    created_at_windows,
)
from connectors.pinduoduo.errors import (
    PinduoduoArgumentError,
    PinduoduoBusinessError,
    PinduoduoError,
    PinduoduoPermissionError,
    PinduoduoRateLimitError,
    PinduoduoResponseError,
    PinduoduoServiceError,
    PinduoduoSignatureError,
    PinduoduoTokenError,
    error_from_response,
)
from connectors.pinduoduo.models import GoodsPage, PddGoods, PddGoodsListItem, PddSku, PddSpec
from connectors.pinduoduo.parse import (
    PRICE_KINDS,
    ParseProblem,
    PriceKind,
    origin_url,
    parse_goods,
)
from connectors.pinduoduo.signing import sign, sign_string

__all__ = [
    "DETAIL_CONCURRENCY",
    "MAX_PAGE_SIZE",
    "MAX_WINDOW",
    "PRICE_KINDS",
    "PRODUCTION_URL",
    "GoodsDetails",
    "GoodsPage",
    "ParseProblem",
    "PddGoods",
    "PddGoodsListItem",
    "PddSku",
    "PddSpec",
    "PinduoduoArgumentError",
    "PinduoduoBusinessError",
    "PinduoduoClient",
    "PinduoduoError",
    "PinduoduoPermissionError",
    "PinduoduoRateLimitError",
    "PinduoduoResponseError",
    "PinduoduoServiceError",
    "PinduoduoSignatureError",
    "PinduoduoTokenError",
    "PriceKind",
    "created_at_windows",
    "error_from_response",
    "origin_url",
    "parse_goods",
    "sign",
    "sign_string",
]
