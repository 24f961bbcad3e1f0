"""One batch of listings turned into `kuaishou_drafts` rows and quarantine rows, here or in worker
processes.

A batch depends on nothing but its own listings and the migration's rules, so batches can be
drafted by a pool of worker processes while this process reads the next batches and writes the
finished ones, in the order read: the rows are the same, whichever process drafted them (issue
19, decision 82). The stage does not: drafting is about half of its work on a 100,000-item shop;
the reads and writes of the warehouse, which only this process can do, and with workers the
sending of each listing to them, are the rest (four fifths of the one-process time, so workers
cannot pay at any size and cost memory: decision 102). The drafts bench prints both ways.

The hot path reads each listing row with a JSON parser and serializes the draft as
`listings.drafting.draft_data_of` returns it, building no model on either side: the row is a
listing validated when the normalize stage wrote it, and the draft's values are checked in
`listings.drafting` (`build_draft` validates the same data for every other caller, and the
golden test compares the bytes).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import msgspec
from pydantic import BaseModel

from listings.category_decision import CategoryDecision
from listings.category_props import PropAliases, PropSpec, category_props_of
from listings.draft import DraftData, KuaishouDraft
from listings.drafting import draft_data_of
from listings.migrations import Migration
from listings.non_product import not_a_product_problem
from listings.plan_edits import ItemEdits, apply_edits
from listings.quarantine import Problem
from pipeline import worker_pool
from pipeline.gc_policy import paused_collector

__all__ = [
    "DraftRules",
    "DraftedBatch",
    "ListingToDraft",
    "data_row",
    "draft_batch",
    "draft_row",
    "drafted_batches",
]


@dataclass(frozen=True)
class DraftRules:
    """What every listing of a migration is drafted with: sent once to each worker process."""

    migration: Migration
    forbidden_words: tuple[str, ...] = ()
    refund_rules: Mapping[int, Sequence[str]] = field(default_factory=dict)
    prop_specs: Mapping[int, Sequence[PropSpec]] = field(default_factory=dict)
    aliases: PropAliases = field(default_factory=PropAliases)


class ListingToDraft(NamedTuple):
    """One listing as the warehouse holds it (JSON), with what the stage knows of it."""

    source_item_id: str
    listing_json: str
    decision: CategoryDecision
    edits: ItemEdits | None = None
    known_rel_item_id: int | None = None


@dataclass
class DraftedBatch:
    """The `kuaishou_drafts` rows of a batch, and the quarantine rows of the rest, in order."""

    rows: list[dict[str, Any]]
    problems: list[dict[str, str]]


def _as_plain_data(value: object) -> object:
    """What msgspec does not write itself, as pydantic writes it: a `str` subclass (a draft's
    `platform`, `SourcePlatform`) as the plain string, a model (the category props,
    `DraftItemProp`) as its fields. Anything else is refused."""
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, BaseModel):
        return value.model_dump()
    raise NotImplementedError(f"a draft holds a {type(value).__name__}, not plain data")


# msgspec reads a listing row in 3/4 of pydantic-core's `from_json` time and writes a draft in a
# third of `to_json`'s, byte for byte what `KuaishouDraft.model_dump_json` writes (compact, UTF-8
# unescaped, the same escapes: the drafts have no floats): decision 86.
_read_json = msgspec.json.Decoder().decode
_write_json = msgspec.json.Encoder(enc_hook=_as_plain_data).encode


def data_row(migration_key: str, data: DraftData) -> dict[str, Any]:
    """The `kuaishou_drafts` row of a draft held as plain data (`draft_data_of`)."""
    skus = data["skus"]
    return {
        "migration": migration_key,
        "source_item_id": data["source_item_id"],
        "rel_item_id": data["rel_item_id"],
        "category_id": data["category_id"],
        "sku_count": len(skus),
        "synthetic_sku_count": sum(1 for s in skus if s["synthetic"]),
        "draft": _write_json(data).decode(),
    }


def draft_row(migration_key: str, draft: KuaishouDraft) -> dict[str, Any]:
    """The `kuaishou_drafts` row of a draft model (the same bytes as `model_dump_json`)."""
    return data_row(migration_key, draft.model_dump())


def _quarantine_row(source_item_id: str, problem: Problem) -> dict[str, str]:
    return {
        "source_item_id": source_item_id,
        "stage": problem.stage.value,
        "reason_code": problem.reason_code,
        "detail": problem.detail,
    }


def _drafted(rules: DraftRules, item: ListingToDraft) -> DraftData | Problem:
    # The row as normalize wrote it from a validated `Listing`: read as JSON, not validated again
    # into ~40 models (issue 19, decision 86).
    listing = _read_json(item.listing_json)
    # A link that sells nothing (补差价, 邮费, 入会专拍) is quarantined as such (issue 14).
    if item.decision.layer == "not_a_product":
        junk = not_a_product_problem(listing["title"])
        if junk is not None:
            return junk
    data = draft_data_of(
        listing,
        decision=item.decision,
        migration=rules.migration,
        forbidden_words=rules.forbidden_words,
        allowed_refund_rules=rules.refund_rules.get(item.decision.category_id or 0),
        known_rel_item_id=item.known_rel_item_id,
    )
    if isinstance(data, Problem):
        return data
    props = category_props_of(
        ((prop["name"], prop["value"]) for prop in listing.get("props", ())),
        category_id=data["category_id"],
        category_name=data["category_name"],
        specs=rules.prop_specs,
        aliases=rules.aliases,
    )
    if isinstance(props, Problem):
        return props
    data["item_props"] = props
    if item.edits is not None:  # the merchant's, from `banjia plan import`: rare, so validated
        draft = KuaishouDraft.model_validate(data)
        data = apply_edits(draft, item.edits, pricing=rules.migration.pricing).model_dump()
    return data


def draft_batch(rules: DraftRules, items: Iterable[ListingToDraft]) -> DraftedBatch:
    """Draft rows for the listings that can be drafted, quarantine rows (with why) for the rest."""
    batch = DraftedBatch(rows=[], problems=[])
    with paused_collector():  # no cycles made: reference counting frees all (decision 98)
        for item in items:
            drafted = _drafted(rules, item)
            if isinstance(drafted, Problem):
                batch.problems.append(_quarantine_row(item.source_item_id, drafted))
            else:
                batch.rows.append(data_row(rules.migration.key, drafted))
    return batch


def _rules_of(rules: DraftRules) -> DraftRules:
    """A worker's state: the rules as sent (nothing to build)."""
    return rules


def drafted_batches(
    rules: DraftRules, batches: Iterable[list[ListingToDraft]], *, workers: int = 1
) -> Iterator[DraftedBatch]:
    """Each batch drafted, in the order given. With `workers` > 1, by that many spawned
    processes, at most two batches per worker read ahead (pipeline/worker_pool.py), so memory
    still holds a few batches, not the shop."""
    return worker_pool.ordered_results(
        draft_batch, batches, build=_rules_of, spec=rules, workers=workers, here=rules
    )
