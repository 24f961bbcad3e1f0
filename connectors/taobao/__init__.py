"""Taobao / Tmall through the official TOP API: signing, errors, wire models, client, parser."""

from connectors.taobao.client import (
    DETAIL_FIELDS,
    ONSALE_FIELDS,
    PRODUCTION_URL,
    ItemDetails,
    TaobaoClient,
)
from connectors.taobao.errors import (
    TaobaoArgumentError,
    TaobaoBusinessError,
    TaobaoCallLimitError,
    TaobaoDepthLimitError,
    TaobaoError,
    TaobaoPermissionError,
    TaobaoResponseError,
    TaobaoServiceError,
    TaobaoSessionError,
    TaobaoSignatureError,
    error_from_response,
)
from connectors.taobao.models import OnsalePage, TopItem, TopSku
from connectors.taobao.parse import ParseProblem, origin_url, parse_item, yuan_to_fen
from connectors.taobao.signing import SignMethod, sign, sign_string

__all__ = [
    "DETAIL_FIELDS",
    "ONSALE_FIELDS",
    "PRODUCTION_URL",
    "ItemDetails",
    "OnsalePage",
    "ParseProblem",
    "SignMethod",
    "TaobaoArgumentError",
    "TaobaoBusinessError",
    "TaobaoCallLimitError",
    "TaobaoClient",
    "TaobaoDepthLimitError",
    "TaobaoError",
    "TaobaoPermissionError",
    "TaobaoResponseError",
    "TaobaoServiceError",
    "TaobaoSessionError",
    "TaobaoSignatureError",
    "TopItem",
    "TopSku",
    "error_from_response",
    "origin_url",
    "parse_item",
    "sign",
    "sign_string",
    "yuan_to_fen",
]
