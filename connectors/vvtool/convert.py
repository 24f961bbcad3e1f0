"""Between the official `open.item.new` models and vv-tool's 2022 variant: pure, no I/O.

The pipeline drafts one official `ItemNewParam` whatever the backend. For vv-tool it is trimmed to
the fields the 2022 variant has (models.py lists the differences). Nothing is dropped silently: every
field that has no place in the variant is counted, per wire path, so a run can report e.g. how many
3:4 images the vv-tool route could not publish (3:4 images and video are audited fill rates,
kuaishou-api.md §0). A Kuaishou short video is kept, as `itemVideoId`. The trimming follows the
vv-tool models, not a list of names, so a field added to `ItemNewParam` later is dropped and
counted too, never sent to a vendor that would reject it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, get_args

from pydantic import BaseModel

from connectors.kuaishou.models import ItemInfo, ItemNewParam, ItemNewResult
from connectors.vvtool.models import VvtoolItem, VvtoolItemNewData, VvtoolItemNewRequest, VvtoolType

__all__ = ["Conversion", "item_info", "item_new_result", "to_vvtool_request"]


@dataclass(frozen=True)
class Conversion:
    """The vv-tool request, and how many values of each official field had no place in it.

    `dropped` keys are wire paths (`threeQuartersImageUrls`, `skuList[].skuProps[].propSortNum`); a
    list counts its elements (images), anything else counts 1.
    """

    request: VvtoolItemNewRequest
    dropped: Counter[str]


def to_vvtool_request(param: ItemNewParam, *, shop_id: str, vvtype: VvtoolType = 1) -> Conversion:
    """`param` as a ks-item-new request for `shop_id`, with what was dropped."""
    dropped: Counter[str] = Counter()
    official = param.model_dump(by_alias=True, exclude_none=True, mode="json")
    _move_short_video(official, dropped)
    body = _trim(official, VvtoolItemNewRequest, "", dropped)
    body.update({"shop_id": shop_id, "vvtype": vvtype})
    return Conversion(VvtoolItemNewRequest.model_validate(body), dropped)


def item_new_result(data: VvtoolItemNewData) -> ItemNewResult:
    """vv-tool forwards Kuaishou's AddItemResponseParam unchanged: same fields, same meaning."""
    return ItemNewResult.model_validate(data.model_dump(by_alias=True))


def item_info(item: VvtoolItem) -> ItemInfo:
    """ks-open-item's ItemGetResponseParam is open.item.get's `data`."""
    return ItemInfo.model_validate(item.model_dump(by_alias=True))


def _move_short_video(official: dict[str, Any], dropped: Counter[str]) -> None:
    """`itemVideo{videoType: 2}` (a Kuaishou short video) becomes the variant's `itemVideoId`.

    Both name a short-video (photo) id (kuaishou-api.md §1.1) [I: that the 2022 field takes the same
    id]. An uploaded material (videoType 1) has no place in the variant: dropped and counted.
    """
    video = official.pop("itemVideo", None)
    if video is None:
        return
    video_id = str(video.get("videoId", "")) if isinstance(video, Mapping) else ""
    if isinstance(video, Mapping) and video.get("videoType") == 2 and video_id.isdigit():
        official.setdefault("itemVideoId", int(video_id))
    else:
        dropped["itemVideo"] += 1


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        if (found := _nested_model(arg)) is not None:
            return found
    return None


def _trim(
    obj: Mapping[str, Any], model: type[BaseModel], path: str, dropped: Counter[str]
) -> dict[str, Any]:
    """`obj` without the keys `model` has no field for, recursively; count what was removed."""
    fields = {(info.alias or name): info for name, info in model.model_fields.items()}
    kept: dict[str, Any] = {}
    for key, value in obj.items():
        where = f"{path}.{key}" if path else key
        info = fields.get(key)
        if info is None:
            dropped[where] += len(value) if isinstance(value, list) else 1
            continue
        sub = _nested_model(info.annotation)
        if sub is not None and isinstance(value, Mapping):
            value = _trim(value, sub, where, dropped)
        elif sub is not None and isinstance(value, list):
            value = [
                _trim(v, sub, f"{where}[]", dropped) if isinstance(v, Mapping) else v for v in value
            ]
        kept[key] = value
    return kept
