"""The canonical listing: one model for every source platform.

Every source connector parses its platform's payload into a `Listing`; every later stage reads only this
model. Prices are integer fen (分) everywhere, so no float ever touches money. The verbatim source payload
rides along in `raw`, so a merchant (or we) can always see what the platform actually said.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar, TypeAlias

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    field_validator,
    model_validator,
)
from pydantic_core import core_schema

from listings.source_platforms import identity_of

__all__ = [
    "ItemProp",
    "Listing",
    "ListingData",
    "ListingStatus",
    "Sku",
    "SkuStatus",
    "SourceCategory",
    "SourcePlatform",
    "SpecValue",
    "listing_data",
]


class SourcePlatform(str):
    """Where a listing comes from: the name of a registered source platform (`taobao`, ...).

    A string, not a closed enum, so that a new source connector registers its platform without an
    edit here (`listings.source_platforms`). Validation refuses names nobody registered. Tmall is told
    apart from Taobao because its origin URL differs.
    """

    TAOBAO: ClassVar[SourcePlatform]
    TMALL: ClassVar[SourcePlatform]
    PINDUODUO: ClassVar[SourcePlatform]
    ALIBABA1688: ClassVar[SourcePlatform]

    def __new__(cls, name: str) -> SourcePlatform:
        identity_of(str(name))  # raises UnknownSourcePlatformError, naming the known ones
        return super().__new__(cls, name)

    @property
    def value(self) -> str:
        return str(self)

    def __repr__(self) -> str:
        return f"SourcePlatform({str(self)!r})"

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source_type: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(
            cls,
            core_schema.str_schema(),
            serialization=core_schema.plain_serializer_function_ser_schema(str),
        )


SourcePlatform.TAOBAO = SourcePlatform("taobao")
SourcePlatform.TMALL = SourcePlatform("tmall")
SourcePlatform.PINDUODUO = SourcePlatform("pinduoduo")
SourcePlatform.ALIBABA1688 = SourcePlatform("alibaba1688")


class ListingStatus(StrEnum):
    """The source-side state of a listing; only `onsale` listings are moved."""

    ONSALE = "onsale"
    OFFSHELF = "offshelf"
    SOLDOUT = "soldout"
    DELETED = "deleted"


class SkuStatus(StrEnum):
    NORMAL = "normal"
    DELETED = "deleted"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SpecValue(_Frozen):
    """One spec dimension's value on one SKU, e.g. 颜色分类 = 奶油白, with the value's image if any."""

    name: str = Field(min_length=1)
    value: str = Field(min_length=1)
    image_url: str | None = None


class Sku(_Frozen):
    """A purchasable variant. `specs` is ordered: the same dimension names in the same order on every SKU."""

    source_sku_id: str = Field(min_length=1)
    specs: tuple[SpecValue, ...] = ()
    price_fen: int = Field(ge=0)
    stock: int = Field(ge=0)
    outer_id: str | None = None
    status: SkuStatus = SkuStatus.NORMAL

    @property
    def spec_key(self) -> tuple[str, ...]:
        """The SKU's values in dimension order: its coordinates in the SKU matrix."""
        return tuple(spec.value for spec in self.specs)


class SourceCategory(_Frozen):
    """The source platform's category: ids from root to leaf where known, and the names path."""

    ids: tuple[str, ...] = ()
    path: tuple[str, ...] = ()

    @property
    def leaf_id(self) -> str | None:
        return self.ids[-1] if self.ids else None

    @property
    def path_text(self) -> str:
        return ">".join(self.path)


class ItemProp(_Frozen):
    """An item-level property as the source names it (品牌 = 无, 材质 = 纯棉)."""

    name: str = Field(min_length=1)
    value: str


class Listing(BaseModel):
    """One source listing in platform-neutral form."""

    model_config = ConfigDict(extra="forbid")

    platform: SourcePlatform
    shop_id: str = Field(min_length=1)
    source_item_id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    short_title: str | None = None
    selling_point: str | None = None
    category: SourceCategory = SourceCategory()
    props: tuple[ItemProp, ...] = ()
    skus: tuple[Sku, ...] = Field(min_length=1)
    main_images: tuple[str, ...] = ()
    detail_images: tuple[str, ...] = ()
    video_url: str | None = None
    description_html: str | None = None
    origin_url: str = Field(min_length=1)
    status: ListingStatus = ListingStatus.ONSALE
    seller_name: str | None = None
    modified_at: datetime | None = None
    listed_at: datetime | None = Field(
        default=None, description="When the item went on sale on the source (newest first)."
    )
    sales: int | None = Field(
        default=None, ge=0, description="Units sold on the source, where it says (best sellers)."
    )
    raw: dict[str, Any] = Field(default_factory=dict, repr=False)

    @field_validator("title")
    @classmethod
    def _strip_title(cls, value: str) -> str:
        stripped = value.strip()
        if not stripped:
            raise ValueError("title is blank: give the item a title on the source platform")
        return stripped

    @model_validator(mode="after")
    def _skus_share_dimensions(self) -> Listing:
        if not self._same_dimension_names():
            dimension_sets = {tuple(spec.name for spec in sku.specs) for sku in self.skus}
            shapes = sorted(" × ".join(dims) or "(none)" for dims in dimension_sets)
            raise ValueError(
                "skus disagree on their spec dimensions "
                f"({'; '.join(shapes)}): every SKU must carry the same specs in the same order"
            )
        ids = [sku.source_sku_id for sku in self.skus]
        if len(set(ids)) != len(ids):
            raise ValueError("skus repeat a source_sku_id: each SKU must have its own id")
        return self

    def _same_dimension_names(self) -> bool:
        """Whether every SKU names the first SKU's dimensions in its order, checked without a
        container per SKU: items have hundreds of SKUs, and the garbage collector's passes cost
        in proportion to the containers made (issue 19)."""
        first = self.skus[0].specs
        width = len(first)
        for sku in self.skus:
            specs = sku.specs
            if specs is first:
                continue
            if len(specs) != width:
                return False
            for position in range(width):
                if specs[position].name != first[position].name:
                    return False
        return True

    @property
    def active_skus(self) -> tuple[Sku, ...]:
        """SKUs that still exist on the source (deleted ones are never moved)."""
        return tuple(sku for sku in self.skus if sku.status is SkuStatus.NORMAL)

    @property
    def spec_dimensions(self) -> tuple[str, ...]:
        """Dimension names in order (empty for a single-SKU listing without specs)."""
        return tuple(spec.name for spec in self.skus[0].specs)

    @property
    def price_min_fen(self) -> int:
        return min(sku.price_fen for sku in self.active_skus or self.skus)

    @property
    def price_max_fen(self) -> int:
        return max(sku.price_fen for sku in self.active_skus or self.skus)

    @property
    def total_stock(self) -> int:
        return sum(sku.stock for sku in self.active_skus)


ListingData: TypeAlias = dict[str, Any]
"""A listing as its JSON holds it: a row of the `listings` table read with a JSON parser, or
`listing_data(listing)`. The drafts stage drafts from it without building the ~40 models of a
listing again: normalize validated the listing before writing it (issue 19, decision 86)."""


def listing_data(listing: Listing) -> ListingData:
    """The listing as the `listings` table holds it (the verbatim payload left out)."""
    return listing.model_dump(mode="json", exclude={"raw"})
