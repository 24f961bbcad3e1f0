"""A draft's category attributes (`itemPropValues`), filled from the source listing's props.

`open.item.category.config` lists each leaf's attributes and which are required; Kuaishou
rejects an `open.item.new` that lacks a required one (connectors/kuaishou/rules.py
`_item_props`). Sources name the same attribute differently (品牌 / brand, 货号 / 款号, 材质 /
面料), so a source prop fills an attribute when its name is the attribute's name or an alias of
it (data/categories/prop_aliases.csv, docs/decisions.md §39), compared after NFKC, case folding
and trimming. Optional attributes are filled when the source has them, required ones must be:
a required attribute that nothing fills quarantines the item, naming the attribute, because a
guessed brand or material is a false claim the merchant would answer for.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence

from pydantic import BaseModel, ConfigDict

from listings.draft import DraftItemProp, KuaishouDraft
from listings.model import Listing
from listings.quarantine import Problem, Stage

__all__ = [
    "PropAliases",
    "PropSpec",
    "category_props_of",
    "fill_category_props",
    "with_category_props",
]


class PropSpec(BaseModel):
    """One attribute of a leaf as `open.item.category.config` lists it."""

    model_config = ConfigDict(frozen=True)

    prop_id: int
    name: str
    required: bool = False
    input_type: str | None = None


def _norm(name: str) -> str:
    return unicodedata.normalize("NFKC", name).casefold().strip()


class PropAliases:
    """Groups of names that mean one attribute. Any name of a group matches any other."""

    def __init__(self, pairs: Iterable[tuple[str, str]] = ()) -> None:
        self._groups: dict[str, set[str]] = {}
        for name, alias in pairs:
            group = self._groups.get(_norm(name), {_norm(name)}) | self._groups.get(
                _norm(alias), {_norm(alias)}
            )
            for member in group:
                self._groups[member] = group

    @classmethod
    def from_csv_text(cls, text: str) -> PropAliases:
        """From a CSV with columns `name, alias` (more columns, e.g. `source`, are ignored)."""
        rows = csv.DictReader(io.StringIO(text))
        return cls(
            (row["name"], row["alias"])
            for row in rows
            if (row.get("name") or "").strip() and (row.get("alias") or "").strip()
        )

    def names(self, name: str) -> set[str]:
        """Every normalized name that means `name` (itself included)."""
        return self._groups.get(_norm(name), {_norm(name)})


def fill_category_props(
    listing: Listing, specs: Sequence[PropSpec], *, aliases: PropAliases, category: str
) -> tuple[DraftItemProp, ...] | Problem:
    """The attributes `specs` asks for, valued from the listing's props; or the problem naming
    every required attribute the source cannot fill. `category` names the leaf in messages."""
    return _fill(_props_of(listing), specs, aliases=aliases, category=category)


def _props_of(listing: Listing) -> Iterator[tuple[str, str]]:
    return ((prop.name, prop.value) for prop in listing.props)


def _fill(
    props: Iterable[tuple[str, str]],
    specs: Sequence[PropSpec],
    *,
    aliases: PropAliases,
    category: str,
) -> tuple[DraftItemProp, ...] | Problem:
    values: dict[str, str] = {}
    for name, value in props:
        if value.strip():
            values.setdefault(_norm(name), value.strip())
    filled: list[DraftItemProp] = []
    missing: list[PropSpec] = []
    for spec in specs:
        own = _norm(spec.name)
        order = [own, *sorted(aliases.names(spec.name) - {own})]
        found = next((values[n] for n in order if n in values), None)
        if found is not None:
            filled.append(
                DraftItemProp(
                    prop_id=spec.prop_id, name=spec.name, value=found, input_type=spec.input_type
                )
            )
        elif spec.required:
            missing.append(spec)
    if missing:
        names = ", ".join(f"{s.name} (propId {s.prop_id})" for s in missing)
        also = "; ".join(
            f"{s.name}: any of {', '.join(sorted(aliases.names(s.name)))}" for s in missing
        )
        return Problem(
            stage=Stage.DRAFT,
            reason_code="category_prop_missing",
            detail=f"props: Kuaishou category {category} requires {names}, and the source item "
            f"has no such prop ({also}); add it on the source (e.g. 品牌 = 无品牌 for an "
            "unbranded item) or choose another category by override",
        )
    return tuple(filled)


def category_props_of(
    source_props: Iterable[tuple[str, str]],
    *,
    category_id: int,
    category_name: str,
    specs: Mapping[int, Sequence[PropSpec]],
    aliases: PropAliases,
) -> tuple[DraftItemProp, ...] | Problem:
    """The leaf's attributes valued from the listing's props, as (name, value) pairs (`specs` by
    leaf id; a leaf without known specs, e.g. through vv-tool, gets none), or the problem that
    stops the draft. Pairs, so that the drafts stage passes a listing it holds as JSON."""
    leaf_specs = specs.get(category_id, ())
    if not leaf_specs:
        return ()
    category = f"{category_id} {category_name}"
    return _fill(source_props, leaf_specs, aliases=aliases, category=category)


def with_category_props(
    draft: KuaishouDraft,
    listing: Listing,
    *,
    specs: Mapping[int, Sequence[PropSpec]],
    aliases: PropAliases,
) -> KuaishouDraft | Problem:
    """The draft with its leaf's attributes filled (`category_props_of`), or the problem."""
    props = category_props_of(
        _props_of(listing),
        category_id=draft.category_id,
        category_name=draft.category_name,
        specs=specs,
        aliases=aliases,
    )
    if isinstance(props, Problem):
        return props
    return draft.model_copy(update={"item_props": props}) if props else draft
