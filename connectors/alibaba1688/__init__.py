"""1688 through the official AOP gateway: signing, errors, wire models, client, parser."""

from connectors.alibaba1688.client import (
    CROSS_PRODUCT_API,
    MAX_PAGE_SIZE,
    PRODUCT_GET_API,
    PRODUCT_LIST_API,
    PRODUCT_NAMESPACE,
    PRODUCTION_URL,
    Alibaba1688Client,
)
from connectors.alibaba1688.errors import (
    Alibaba1688ArgumentError,
    Alibaba1688BusinessError,
    Alibaba1688Error,
    Alibaba1688PermissionError,
    Alibaba1688RateLimitError,
    Alibaba1688ResponseError,
    Alibaba1688ServiceError,
    Alibaba1688SignatureError,
    Alibaba1688TokenError,
    error_from_response,
)
from connectors.alibaba1688.models import AopProductInfo, AopSkuInfo, ProductIdPage
from connectors.alibaba1688.parse import (
    DEFAULT_IMAGE_BASE,
    MOQ_PROP,
    Mode,
    ParseProblem,
    origin_url,
    parse_product,
    yuan_amount_to_fen,
)
from connectors.alibaba1688.signing import aop_signature, prepare_params, sign_string, url_path

__all__ = [
    "CROSS_PRODUCT_API",
    "DEFAULT_IMAGE_BASE",
    "MAX_PAGE_SIZE",
    "MOQ_PROP",
    "PRODUCTION_URL",
    "PRODUCT_GET_API",
    "PRODUCT_LIST_API",
    "PRODUCT_NAMESPACE",
    "Alibaba1688ArgumentError",
    "Alibaba1688BusinessError",
    "Alibaba1688Client",
    "Alibaba1688Error",
    "Alibaba1688PermissionError",
    "Alibaba1688RateLimitError",
    "Alibaba1688ResponseError",
    "Alibaba1688ServiceError",
    "Alibaba1688SignatureError",
    "Alibaba1688TokenError",
    "AopProductInfo",
    "AopSkuInfo",
    "Mode",
    "ParseProblem",
    "ProductIdPage",
    "aop_signature",
    "error_from_response",
    "origin_url",
    "parse_product",
    "prepare_params",
    "sign_string",
    "url_path",
    "yuan_amount_to_fen",
]
