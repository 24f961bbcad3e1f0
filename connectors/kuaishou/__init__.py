"""Kuaishou shop open platform (快手小店): signing, wire models, publishing rules, client.

Import from here. The submodules are split by concern: `signing`, `errors`, `models`, `rules`,
`convert`, `client`.
"""

from connectors.kuaishou.client import PRODUCTION_BASE_URL, KuaishouClient
from connectors.kuaishou.convert import (
    MissingKwaiImageError,
    build_item_new_param,
    build_supply_item,
)
from connectors.kuaishou.errors import (
    KuaishouAuthError,
    KuaishouCategoryError,
    KuaishouDuplicateItemError,
    KuaishouError,
    KuaishouNotFoundError,
    KuaishouQuotaExceededError,
    KuaishouServerError,
    KuaishouThrottledError,
    KuaishouTransportError,
    KuaishouValidationError,
    error_from_envelope,
)
from connectors.kuaishou.models import (
    AuditStatus,
    Category,
    CategoryConfig,
    Envelope,
    ImageUploadResult,
    ItemInfo,
    ItemNewParam,
    ItemNewResult,
    ItemPropValue,
    ServiceRule,
    SkuDTO,
    SkuPropDTO,
    SupplyItem,
    SupplyItemSeller,
)
from connectors.kuaishou.rules import Violation, violations
from connectors.kuaishou.signing import SignMethod, dump_param, sign, sign_string

__all__ = [
    "PRODUCTION_BASE_URL",
    "AuditStatus",
    "Category",
    "CategoryConfig",
    "Envelope",
    "ImageUploadResult",
    "ItemInfo",
    "ItemNewParam",
    "ItemNewResult",
    "ItemPropValue",
    "KuaishouAuthError",
    "KuaishouCategoryError",
    "KuaishouClient",
    "KuaishouDuplicateItemError",
    "KuaishouError",
    "KuaishouNotFoundError",
    "KuaishouQuotaExceededError",
    "KuaishouServerError",
    "KuaishouThrottledError",
    "KuaishouTransportError",
    "KuaishouValidationError",
    "MissingKwaiImageError",
    "ServiceRule",
    "SignMethod",
    "SkuDTO",
    "SkuPropDTO",
    "SupplyItem",
    "SupplyItemSeller",
    "Violation",
    "build_item_new_param",
    "build_supply_item",
    "dump_param",
    "error_from_envelope",
    "sign",
    "sign_string",
    "violations",
]
