"""Truthful supply reports: which scene and platform enum a migration must report, and what.

Kuaishou expels an app whose report names the wrong scene, so the decision is one table (DESIGN.md,
"Truthful supply reports") turned into code, and a migration whose configuration cannot be reported truthfully
is refused before anything is published.
"""

from __future__ import annotations

from datetime import timedelta
from enum import IntEnum, StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from listings.model import SourcePlatform
from listings.source_platforms import identity_of

__all__ = [
    "MigrationMode",
    "ReportScene",
    "SupplyOrigin",
    "SupplyPlatform",
    "SupplyReport",
    "SupplySeller",
    "UntruthfulReportError",
    "decide_seller",
    "report_retry_delay",
]


class MigrationMode(StrEnum):
    MOVE = "move"  # 搬家: the merchant's own shop elsewhere
    DISTRIBUTE = "distribute"  # 铺货: a supplier's goods


class ReportScene(IntEnum):
    DISTRIBUTION = 1  # 分销铺货
    MOVE = 2  # 商品搬家
    OTHER = 3  # 其他发品


class SupplyOrigin(StrEnum):
    """Where the goods of a distribution come from (the rows of the DESIGN.md table).

    `source`: the source platform itself (the merchant's own shop for `move`, 1688 offers for
    `distribute`). `own`: the operator's own supply platform (自有货源). `other`: another channel,
    which must be named.
    """

    SOURCE = "source"
    OWN = "own"
    OTHER = "other"


class SupplyPlatform(IntEnum):
    ALIBABA_1688 = 1  # 1688 货源
    OWN_SUPPLY = 2  # 自有货源
    OTHER = 3  # other channel; for scene 2 always 3


class UntruthfulReportError(ValueError):
    """The migration's source and mode cannot be reported truthfully: fix the migration, not the report."""


class SupplySeller(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    scene: ReportScene
    platform: SupplyPlatform
    platform_name: str = Field(min_length=1)


def decide_seller(
    *,
    source: SourcePlatform,
    mode: MigrationMode,
    origin: SupplyOrigin = SupplyOrigin.SOURCE,
    origin_name: str | None = None,
) -> SupplySeller:
    """The scene and seller platform enum for a source platform and mode (the DESIGN.md table).

    `origin` and `origin_name` say where distributed goods come from when it is not the source
    platform itself: the operator's own supply platform (named by the operator's name) or another
    channel (named concretely).

    Raises:
        UntruthfulReportError: the combination has no truthful report (e.g. distributing a Taobao
            shop, a moved shop with a supply origin, an unnamed channel).
    """
    name = (origin_name or "").strip()
    identity = identity_of(source)
    if origin is not SupplyOrigin.SOURCE:
        if mode is MigrationMode.MOVE:
            raise UntruthfulReportError(
                f"supply.origin '{origin.value}' with mode 'move': a moved shop (scene 2) reports "
                "its source platform; a supply origin is only for mode 'distribute' (scene 1)"
            )
        if not name:
            what = "the operator's name" if origin is SupplyOrigin.OWN else "the channel's name"
            raise UntruthfulReportError(
                f"supply.origin '{origin.value}' needs supply.name ({what}): scene 1 reports "
                "platformName, and an empty or generic name is not truthful"
            )
        if origin is SupplyOrigin.OTHER and name.lower() in _GENERIC_CHANNEL_NAMES:
            raise UntruthfulReportError(
                f"supply.name {name!r} is not a concrete channel: name the channel the goods "
                "come from (1688 offers are origin 'source' with platform 1688, platform enum 1)"
            )
        return SupplySeller(
            scene=ReportScene.DISTRIBUTION,
            platform=SupplyPlatform.OWN_SUPPLY
            if origin is SupplyOrigin.OWN
            else SupplyPlatform.OTHER,
            platform_name=name,
        )
    if name:
        raise UntruthfulReportError(
            f"supply.name {name!r} is set but supply.origin is 'source', where the platform name "
            f"is the source's ({identity.report_name}): remove supply.name or set supply.origin"
        )
    if mode is MigrationMode.MOVE:
        return SupplySeller(
            scene=ReportScene.MOVE,
            platform=SupplyPlatform.OTHER,
            platform_name=identity.report_name,
        )
    if identity.distribution_platform is not None:
        return SupplySeller(
            scene=ReportScene.DISTRIBUTION,
            platform=SupplyPlatform(identity.distribution_platform),
            platform_name=identity.report_name,
        )
    raise UntruthfulReportError(
        f"mode 'distribute' with source '{source}': a {identity.report_name} shop is the "
        "merchant's own shop, so its goods are moved (mode: move, scene 2), not distributed; "
        "distribution (scene 1) is for 1688 suppliers' offers, the operator's own supply platform "
        "(supply.origin: own) or another named channel (supply.origin: other)"
    )


# Names that describe no channel at all, or a channel that has its own row (1688 → platform 1).
_GENERIC_CHANNEL_NAMES = frozenset(
    {"other", "others", "其他", "其它", "unknown", "未知", "n/a", "none", "-", "1688", "阿里巴巴"}
)

REPORT_RETRY_FIRST = timedelta(minutes=2)
REPORT_RETRY_CAP = timedelta(minutes=50)


def report_retry_delay(attempts: int) -> timedelta:
    """How long a failed report waits before its next attempt: 2, 4, 8, 16, 32, then 50 minutes.

    Exponential so a platform outage is not hammered; capped below an hour so the hourly flush picks a
    failing report up at every run, about 20 more times before its 24 h deadline.
    """
    if attempts < 1:
        return timedelta(0)
    return min(REPORT_RETRY_FIRST * 2 ** min(attempts - 1, 20), REPORT_RETRY_CAP)


class SupplyReport(BaseModel):
    """One `open.supply.item.sync` report in domain terms (fen prices, https image)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    scene: ReportScene
    item_id: str = Field(min_length=1)
    kwai_item_id: int = Field(gt=0)
    origin_item_url: str = Field(min_length=1)
    platform: SupplyPlatform
    platform_name: str = Field(min_length=1)
    title: str | None = None
    price_min_fen: int | None = None
    price_max_fen: int | None = None
    image_url: str | None = None
    category_id: int | None = None
    seller_name: str | None = None

    @model_validator(mode="after")
    def _scene_requirements(self) -> SupplyReport:
        if self.scene is ReportScene.MOVE and self.platform is not SupplyPlatform.OTHER:
            raise ValueError(
                "scene 2 (商品搬家) reports platform 3: the rule says to always fill 3"
            )
        if self.scene is ReportScene.DISTRIBUTION:
            missing = [
                name
                for name in ("title", "price_min_fen", "price_max_fen", "image_url", "category_id")
                if getattr(self, name) in (None, "")
            ]
            if not self.seller_name:
                missing.append("seller_name")
            if missing:
                raise ValueError(f"scene 1 (分销铺货) report lacks {', '.join(missing)}")
            if self.image_url and not self.image_url.startswith("https://"):
                raise ValueError("scene 1 imageUrl must be https")
        return self
