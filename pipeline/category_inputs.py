"""The category stage's inputs and its one network layer.

- the Kuaishou tree (`open.item.category`, or the migration's CSV export for vv-tool);
- the migration's files: the mapping table and the merchant's overrides CSV (relative paths are
  read from the project root, as `target.category_tree_file` is);
- `suggested.get` for the source categories the offline layers are unsure of: Kuaishou backend
  only, at most `category.suggestions_per_run` calls, each answer cached per source category
  (`store.suggestions`), stopping cleanly when the daily quota runs out.

The CLI (`banjia categories ...`) reads the same files through these helpers, so what a merchant
checks is what a run uses.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path

from connectors.http import PlatformError
from connectors.kuaishou import KuaishouClient
from connectors.kuaishou.errors import KuaishouQuotaExceededError
from connectors.kuaishou.models import CategoryConfig, CategorySuggestion
from listings.categories import (
    OVERRIDE_COLUMNS,
    CategoryMapping,
    CategoryNode,
    CategoryTree,
    OverridesFileError,
    parse_overrides_csv,
    source_category_key,
)
from listings.category_props import PropSpec
from listings.migrations import Migration, PublishBackend
from listings.model import Listing
from listings.spreadsheet_text import SpreadsheetEncodingError, decode_spreadsheet_csv
from pipeline.clients import Platforms
from pipeline.media import rehost_images
from pipeline.migrations_file import project_path
from store.suggestions import SuggestionCache
from store.warehouse import Warehouse

__all__ = [
    "append_overrides",
    "cached_suggestions",
    "category_tree",
    "load_mapping",
    "load_overrides",
    "open_leaf_ids",
    "platform_category_key",
    "prop_specs_of",
    "stored_tree",
    "suggested_leaves",
    "suggestion_key",
]

log = logging.getLogger(__name__)


async def category_tree(
    platforms: Platforms, migration: Migration, store: Warehouse
) -> CategoryTree:
    """Kuaishou's tree from `open.item.category`, or from the migration's CSV export (vv-tool)."""
    if migration.target.category_tree_file:
        text = project_path(migration.target.category_tree_file).read_text(encoding="utf-8")
        return CategoryTree.from_csv_text(text)
    async with platforms.kuaishou(migration, warehouse=store) as client:
        categories = await client.categories()
    return CategoryTree.from_nodes(
        CategoryNode(category_id=c.category_id, name=c.category_name, parent_id=c.category_pid or 0)
        for c in categories
    )


def stored_tree(warehouse: Warehouse, key: str) -> CategoryTree | None:
    """The tree a migration's last categories run decided on, from `category_leaves`: every leaf
    with its path (None before any run). What a merchant's labels of their own shop name."""
    rows = warehouse.query(
        "SELECT category_id, path FROM category_leaves WHERE migration = ?", [key]
    )
    if not rows:
        return None
    return CategoryTree.from_leaf_paths({int(r["category_id"]): r["path"] for r in rows})


def open_leaf_ids(tree: CategoryTree, migration: Migration) -> set[int]:
    """The leaves this shop may publish to: those under `category.open_categories`, else all."""
    opened = migration.category.open_categories
    return tree.leaves_under(opened) if opened else set(tree.leaves)


def prop_specs_of(config: CategoryConfig) -> list[PropSpec]:
    """A leaf's attributes from its open.item.category.config, in the domain's terms."""
    return [
        PropSpec(
            prop_id=pc.prop_id,
            name=pc.prop_name,
            required=pc.required,
            input_type=pc.prop_input_type,
        )
        for pc in config.prop_configs
    ]


def load_mapping(migration: Migration) -> CategoryMapping:
    """The migration's mapping table (the shipped one by default; none when set to null)."""
    if not migration.category.mapping_file:
        return CategoryMapping()
    path = project_path(migration.category.mapping_file)
    return CategoryMapping.from_csv_text(path.read_text(encoding="utf-8"))


def load_overrides(migration: Migration) -> dict[str, int]:
    """Inline overrides, then the overrides CSV on top (the file is what review import edits).

    Raises:
        OverridesFileError: a bad row, naming the file and the line.
    """
    overrides = dict(migration.category.overrides)
    name = migration.category.overrides_file
    if name:
        path = project_path(name)
        if path.exists():
            overrides.update(parse_overrides_csv(_overrides_text(path), source=str(path)))
    return overrides


def _overrides_text(path: Path) -> str:
    """An overrides CSV as text: merchants edit it in a spreadsheet, which may save it as GBK
    (listings/spreadsheet_text.py, decision 171)."""
    try:
        return decode_spreadsheet_csv(path.read_bytes(), source=str(path))
    except SpreadsheetEncodingError as exc:
        raise OverridesFileError(str(exc)) from None


def append_overrides(target: Path, rows: Sequence[Sequence[str]]) -> None:
    """Append `(source_category, kuaishou_category_id, note)` rows to an overrides CSV, writing
    its header first when the file is new or empty. Appending keeps the merchant's history; the
    later row of a key wins (decision 38). The category review import and the plan import both
    write through here. The existing text is written back first as UTF-8 ending in a newline, so
    that rows appended to a file a spreadsheet saved as GBK, or whose last line has no newline, do
    not mix two encodings or join that line.

    Raises:
        OverridesFileError: the existing file is neither UTF-8 nor GBK text.
    """
    existing = _overrides_text(target) if target.exists() else ""
    new_file = not existing.strip()
    target.parent.mkdir(parents=True, exist_ok=True)
    if existing:  # as UTF-8, ending in a newline: a GBK file or a last line without one
        target.write_text(existing if existing.endswith("\n") else existing + "\n", "utf-8")
    with target.open("a", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, lineterminator="\n")
        if new_file:
            out.writerow([*OVERRIDE_COLUMNS, "note"])
        out.writerows(rows)


def suggestion_key(listing: Listing) -> str:
    """The cache key of a listing's source category, platform-qualified (`taobao:50010850`)."""
    return platform_category_key(
        platform=listing.platform.value,
        source_item_id=listing.source_item_id,
        source_category_ids=listing.category.ids,
        source_category_path=listing.category.path,
    )


def platform_category_key(
    *,
    platform: str,
    source_item_id: str,
    source_category_ids: Sequence[str],
    source_category_path: Sequence[str],
) -> str:
    """`suggestion_key` of a listing given by its parts (the categories stage reads only those
    of a listing row)."""
    key = source_category_key(
        source_item_id=source_item_id,
        source_category_ids=source_category_ids,
        source_category_path=source_category_path,
    )
    return f"{platform}:{key}"


async def suggested_leaves(
    platforms: Platforms,
    migration: Migration,
    store: Warehouse,
    listings: Sequence[Listing],
) -> dict[str, list[int]]:
    """Kuaishou's suggested leaves (open ones, in its order) per source category of `listings`.

    Cached answers cost nothing and are always used. New questions are asked for at most
    `category.suggestions_per_run` source categories, one listing each (its first main image
    is uploaded through the media cache first: suggested.get takes Kuaishou URLs only, and the
    media stage then finds it uploaded). A spent daily quota stops the asking, not the run; any
    other platform error skips that source category, which then stays with the text layer.
    """
    if migration.target.backend is not PublishBackend.KUAISHOU or not listings:
        return {}
    cache = SuggestionCache(store)
    seller = migration.kuaishou_shop_key
    first: dict[str, Listing] = {}
    for listing in listings:
        first.setdefault(suggestion_key(listing), listing)
    found: dict[str, list[int]] = {}
    to_ask: list[tuple[str, Listing]] = []
    for key, listing in first.items():
        cached = cache.get(seller_key=seller, source_category_key=key)
        if cached is None:
            to_ask.append((key, listing))
        else:
            found[key] = _open_ids(cached)
    budget = migration.category.suggestions_per_run
    to_ask = [(k, item) for k, item in to_ask if item.main_images][:budget]
    if not to_ask:
        return found
    async with platforms.kuaishou(migration, warehouse=store) as client:
        async with platforms.media_fetcher() as fetcher:
            hosted = await rehost_images(
                [item.main_images[0] for _, item in to_ask],
                fetch_client=fetcher,
                kuaishou=client,
                warehouse=store,
                shop_key=migration.kuaishou_shop_key,
            )
        for key, listing in to_ask:
            image = hosted.kwai_urls.get(listing.main_images[0])
            if image is None:
                continue
            try:
                answer = await cached_suggestions(
                    client,
                    cache,
                    seller_key=seller,
                    source_category_key=key,
                    title=listing.title,
                    image_urls=[image],
                )
            except KuaishouQuotaExceededError:
                log.warning("suggested.get quota spent; the rest stays with the text layer")
                break
            except PlatformError as exc:
                log.warning("suggested.get failed for %s: %s", key, exc)
                continue
            found[key] = _open_ids(answer)
    return found


def _open_ids(suggestions: Iterable[CategorySuggestion]) -> list[int]:
    """The suggested leaves the merchant may publish into (`open`), in the platform's order."""
    return [s.category_id for s in suggestions if s.open and s.category_id is not None]


async def cached_suggestions(
    client: KuaishouClient,
    cache: SuggestionCache,
    *,
    seller_key: str,
    source_category_key: str,
    title: str,
    image_urls: Sequence[str],
) -> list[CategorySuggestion]:
    """The suggestions for a source category: from the cache, or asked once and then cached.

    Raises what `KuaishouClient.suggest_categories` raises (the quota error included); nothing
    is cached then, so the next run asks again.
    """
    async with cache.lock(seller_key=seller_key, source_category_key=source_category_key):
        cached = cache.get(seller_key=seller_key, source_category_key=source_category_key)
        if cached is not None:
            return cached
        suggestions = await client.suggest_categories(title=title, image_urls=image_urls)
        cache.put(
            seller_key=seller_key,
            source_category_key=source_category_key,
            suggestions=suggestions,
            title=title,
        )
        return suggestions
