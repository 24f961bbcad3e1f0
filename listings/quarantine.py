"""Why an item stops at a stage: a reason code for counting and a sentence a merchant can act on."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict

__all__ = ["Problem", "Stage"]


class Stage(StrEnum):
    EXTRACT = "extract"
    NORMALIZE = "normalize"
    CATEGORY = "category"
    DRAFT = "draft"
    MEDIA = "media"
    PUBLISH = "publish"
    REPORT = "report"


class Problem(BaseModel):
    """One reason an item is quarantined. `detail` names the field and what to do about it."""

    model_config = ConfigDict(frozen=True)

    stage: Stage
    reason_code: str
    detail: str
