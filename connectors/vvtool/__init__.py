"""vv-tool (api.vv-tool.com): the paid proxy that creates Kuaishou items under vv-tool's app.

The second publishing backend beside the Kuaishou open platform (DESIGN.md). Import from here. The
submodules are split by concern: `errors`, `models`, `rules`, `convert`, `client`, `publisher`.
"""

from connectors.vvtool.client import (
    DEFAULT_RATE_PER_SECOND,
    ITEM_NEW_PATH,
    OPEN_ITEM_PATH,
    PRODUCTION_BASE_URL,
    PRODUCTION_TOKEN_URL,
    VvtoolCharge,
    VvtoolClient,
)
from connectors.vvtool.convert import Conversion, item_info, item_new_result, to_vvtool_request
from connectors.vvtool.errors import (
    VvtoolAbnormalError,
    VvtoolAuthError,
    VvtoolError,
    VvtoolKuaishouDuplicateError,
    VvtoolKuaishouError,
    VvtoolKuaishouNotFoundError,
    VvtoolKuaishouQuotaError,
    VvtoolKuaishouThrottledError,
    VvtoolParamsError,
    VvtoolRateLimitedError,
    VvtoolShopNotAuthorizedError,
    VvtoolSystemError,
    VvtoolTimeoutError,
    VvtoolTransportError,
    VvtoolUnsupportedError,
    VvtoolValidationError,
)
from connectors.vvtool.models import (
    VvtoolEnvelope,
    VvtoolInnerEnvelope,
    VvtoolItem,
    VvtoolItemNewData,
    VvtoolItemNewRequest,
    VvtoolOpenItemRequest,
    VvtoolToken,
    VvtoolType,
)
from connectors.vvtool.publisher import VvtoolPublisher

__all__ = [
    "DEFAULT_RATE_PER_SECOND",
    "ITEM_NEW_PATH",
    "OPEN_ITEM_PATH",
    "PRODUCTION_BASE_URL",
    "PRODUCTION_TOKEN_URL",
    "Conversion",
    "VvtoolAbnormalError",
    "VvtoolAuthError",
    "VvtoolCharge",
    "VvtoolClient",
    "VvtoolEnvelope",
    "VvtoolError",
    "VvtoolInnerEnvelope",
    "VvtoolItem",
    "VvtoolItemNewData",
    "VvtoolItemNewRequest",
    "VvtoolKuaishouDuplicateError",
    "VvtoolKuaishouError",
    "VvtoolKuaishouNotFoundError",
    "VvtoolKuaishouQuotaError",
    "VvtoolKuaishouThrottledError",
    "VvtoolOpenItemRequest",
    "VvtoolParamsError",
    "VvtoolPublisher",
    "VvtoolRateLimitedError",
    "VvtoolShopNotAuthorizedError",
    "VvtoolSystemError",
    "VvtoolTimeoutError",
    "VvtoolToken",
    "VvtoolTransportError",
    "VvtoolType",
    "VvtoolUnsupportedError",
    "VvtoolValidationError",
    "item_info",
    "item_new_result",
    "to_vvtool_request",
]
