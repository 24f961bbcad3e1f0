"""What the category stage decided for a listing, and the one rule that sends it to review.

Kept apart from `listings.categories` (the matcher, which imports scikit-learn and numpy) so that
what only reads decisions, the drafts stage and its spawned worker processes above all, imports
pydantic alone: a worker otherwise spent seconds importing scikit-learn before its first batch
(issue 19, decision 86). `listings.categories` re-exports every name here.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["Candidate", "CategoryDecision", "needs_review"]


class Candidate(BaseModel):
    model_config = ConfigDict(frozen=True)

    category_id: int
    path: str
    score: float


class CategoryDecision(BaseModel):
    """The chosen leaf (or none), the layer and reason, how sure, and runners-up for a human."""

    model_config = ConfigDict(frozen=True)

    category_id: int | None
    path: str | None
    confidence: float
    layer: str  # "override" | "mapping" | "text" | "suggested" | "none" | "not_a_product"
    candidates: tuple[Candidate, ...] = ()
    reason: str = ""


def needs_review(decision: CategoryDecision, *, min_confidence: float) -> bool:
    """The one rule that sends an item to the review queue (and quarantines it until a merchant
    confirms a leaf): no leaf at all, or a leaf less sure than the migration's threshold.
    A `not_a_product` item is not reviewed: it is quarantined as such."""
    if decision.layer == "not_a_product":
        return False
    return decision.category_id is None or decision.confidence < min_confidence
