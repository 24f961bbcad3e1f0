"""The migration report: one self-contained HTML file a merchant can be handed (DESIGN.md, "The
merchant stays in control": "a report to hand over").

It says where every source item stands, with counts that add up (`store.migration_status`), charts
(status by stage, quarantine reasons, Kuaishou's outcomes, fill rates over runs) and a row per item
(source link, Kuaishou id, title and price before and after, category and confidence, state, reason
and fix, images banjia trimmed or re-framed). It is rendered with Jinja2 from
`pipeline/templates/`; the charts are inline SVG (`pipeline.charts`), there is no script and no
external stylesheet, so it opens offline. Thumbnails are referenced by URL (the source's and
Kuaishou's CDN), not embedded: embedding would mean fetching every image again, and a report of a
large shop would weigh as much as its pictures. Without network the layout holds; only the pictures
are missing.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2
import msgspec
from pydantic import BaseModel, ConfigDict

from connectors.kuaishou import AuditStatus
from listings.china_time import CHINA_TZ
from listings.merchant_fixes import fix_for
from listings.migrations import Migration
from pipeline.charts import STATE_COLOURS, BarChart, LineChart, bar_chart, line_chart
from pipeline.resubmit import review_answer
from pipeline.results import Breakdown, CheckVerdict, StageResult
from pipeline.review import review_label, shelf_label
from pipeline.settings import load_settings
from store.item_states import ItemState, ItemStatus, ItemTally, item_state_batches
from store.ledger import Ledger
from store.warehouse import Warehouse, status_of

__all__ = [
    "ImagePair",
    "MigrationReport",
    "ReportItem",
    "build_report",
    "render_report",
    "report_items",
    "report_path",
    "reports_dir",
    "write_migration_report",
]

TEMPLATES = Path(__file__).parent / "templates"
MAX_THUMBNAILS = 4  # per item: the report shows what changed, not the whole gallery
# Rows the HTML lists per state; every item is in the CSV beside it. A browser opens a few
# thousand rows; 100,000 made a 100 MB page that had to be held whole to be written.
MAX_ITEMS_SHOWN = 1000

_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=jinja2.select_autoescape(("html", "j2")),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _yuan(fen: int | None) -> str:
    return "—" if fen is None else f"¥{fen / 100:,.2f}"


def _price_range(low: int | None, high: int | None) -> str:
    return _yuan(low) if low == high else f"{_yuan(low)} – {_yuan(high)}"


_ENV.filters["yuan"] = _yuan
_ENV.filters["price_range"] = _price_range


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class ImagePair(_Model):
    """One image as the source had it and as Kuaishou got it (trimmed and/or framed to 3:4)."""

    source_url: str
    kwai_url: str
    trimmed: bool
    ratio_34: bool


class ReportItem(_Model):
    source_item_id: str
    state: ItemStatus
    origin_url: str | None = None
    kwai_item_id: int | None = None
    ledger_state: str | None = None
    title_before: str | None = None
    title_after: str | None = None
    price_before_min_fen: int | None = None
    price_before_max_fen: int | None = None
    price_after_min_fen: int | None = None
    price_after_max_fen: int | None = None
    category_path: str | None = None
    category_confidence: float | None = None
    stage: str | None = None
    reason_code: str | None = None
    detail: str | None = None
    fix: str | None = None
    images: tuple[ImagePair, ...] = ()
    review: str | None = None  # Kuaishou's review (review_status), e.g. "审核拒绝 rejected"
    review_reason: str | None = None  # auditReason, in Kuaishou's words
    review_reason_code: str | None = None
    review_fix: str | None = None
    review_answer: str | None = None  # who answers a sent-back item: banjia's resubmission or you
    shelf: str | None = None  # onOfflineStatus of a created item, e.g. "下架 off the shelf"
    offline_reason: str | None = None  # offlineReason, in Kuaishou's words


class FillRun(_Model):
    run_id: str
    computed_at: datetime
    items: int
    rate_main_images_3: float | None = None
    rate_ratio_34: float | None = None
    rate_video: float | None = None
    rate_short_title: float | None = None
    white_border_images_left: int | None = None


class MigrationReport(_Model):
    """Everything the template shows, read from the warehouse and the ledger at one moment.

    `items` are the rows the HTML lists: per state at most `MAX_ITEMS_SHOWN`, the ones Kuaishou's
    review sent back first; `items_by_state` counts every item, and the CSV written beside the
    HTML (`items_csv`) lists every one (decision 92).
    """

    migration: str
    mode: str
    source_platform: str
    source_shop: str
    run_id: str
    generated_at: datetime
    status: dict[str, Any]
    items: tuple[ReportItem, ...]
    item_count: int
    items_by_state: dict[str, int]
    off_shelf: int  # created items Kuaishou shows off the shelf (下架), whatever the reason
    fill_runs: tuple[FillRun, ...]
    charts: tuple[BarChart, ...]
    fill_chart: LineChart | None
    items_csv: str | None = None  # the CSV's file name, beside the HTML

    def not_shown(self, state: str) -> int:
        """Items in `state` the HTML does not list (they are in the CSV)."""
        shown = sum(1 for item in self.items if item.state.value == state)
        return self.items_by_state.get(state, 0) - shown

    @property
    def counts_add_up(self) -> bool:
        s = self.status
        return s["source_items"] == s["published"] + s["quarantined"] + s["pending"]


# the review's outcomes in the colours of the item states they resemble
REVIEW_COLOURS = {
    review_label(AuditStatus.APPROVED): STATE_COLOURS["published"],
    review_label(AuditStatus.REJECTED): STATE_COLOURS["quarantined"],
    review_label(AuditStatus.NEEDS_CHANGES): "#CC79A7",
    review_label(AuditStatus.PENDING): STATE_COLOURS["pending"],
}


class _DraftSku(msgspec.Struct):
    price_fen: int


class _DraftFacts(msgspec.Struct):
    """The fields of a `kuaishou_drafts.draft` the report shows; the rest is skipped unread."""

    title: str
    origin_url: str
    skus: list[_DraftSku]


_DRAFT_FACTS = msgspec.json.Decoder(_DraftFacts)


@dataclass
class _BatchFacts:
    """What the report shows of one batch of items, each table read for the batch's range."""

    listings: dict[str, dict[str, Any]]
    decisions: dict[str, dict[str, Any]]
    drafts: dict[str, _DraftFacts]
    images: dict[str, list[ImagePair]]
    reviews: dict[str, dict[str, Any]]
    resubmissions: dict[str, dict[str, Any]]


def _by_item(
    warehouse: Warehouse, sql: str, migration: str, ids: Sequence[str]
) -> dict[str, dict[str, Any]]:
    """`sql`'s rows for the batch (ids sorted by the warehouse: one range of its key); where an
    item has several rows, the last in `sql`'s order."""
    wanted = set(ids)
    return {
        row["source_item_id"]: row
        for row in warehouse.query(sql, [migration, ids[0], ids[-1]])
        if row["source_item_id"] in wanted
    }


_RANGE = "migration = ? AND source_item_id >= ? AND source_item_id <= ?"


def _images(warehouse: Warehouse, migration: str, ids: Sequence[str]) -> dict[str, list[ImagePair]]:
    """The hosted images banjia changed: trimmed of white borders, or main images framed to 3:4."""
    pairs: dict[str, list[ImagePair]] = {}
    wanted = set(ids)
    for row in warehouse.query(
        "SELECT source_item_id, source_url, kwai_url, coalesce(trimmed, false) AS trimmed, "
        "coalesce(ratio_34, false) AND role = 'main' AS ratio_34 FROM media "
        f"WHERE {_RANGE} AND status = 'hosted' AND kwai_url IS NOT NULL "
        "AND (trimmed OR (ratio_34 AND role = 'main')) ORDER BY source_item_id, source_url",
        [migration, ids[0], ids[-1]],
    ):
        if row["source_item_id"] not in wanted:
            continue
        found = pairs.setdefault(row["source_item_id"], [])
        if len(found) < MAX_THUMBNAILS:
            found.append(ImagePair.model_validate(row))
    return pairs


def _batch_facts(warehouse: Warehouse, migration: str, ids: Sequence[str]) -> _BatchFacts:
    """Only the columns shown, JSON read in SQL (`->>`) or by msgspec for just the fields shown."""
    drafts = _by_item(
        warehouse,
        f"SELECT source_item_id, draft FROM kuaishou_drafts WHERE {_RANGE}",
        migration,
        ids,
    )
    return _BatchFacts(
        listings=_by_item(
            warehouse,
            "SELECT source_item_id, title, price_min_fen, price_max_fen, "
            f"listing ->> 'origin_url' AS origin_url FROM listings WHERE {_RANGE}",
            migration,
            ids,
        ),
        decisions=_by_item(
            warehouse,
            "SELECT source_item_id, category_path, confidence FROM category_decisions "
            f"WHERE {_RANGE}",
            migration,
            ids,
        ),
        drafts={item: _DRAFT_FACTS.decode(row["draft"]) for item, row in drafts.items()},
        images=_images(warehouse, migration, ids),
        reviews=_by_item(
            warehouse,
            "SELECT source_item_id, audit_status, audit_reason, reason_code, fix, on_shelf, "
            f"offline_reason FROM review_status WHERE {_RANGE} ORDER BY checked_at, rel_item_id",
            migration,
            ids,
        ),
        resubmissions=_by_item(
            warehouse,
            "SELECT source_item_id, state, change, last_error FROM review_resubmissions "
            f"WHERE {_RANGE} ORDER BY decided_at, rel_item_id",
            migration,
            ids,
        ),
    )


def _report_item(state: ItemState, facts: _BatchFacts) -> ReportItem:
    item_id = state.source_item_id
    listing = facts.listings.get(item_id, {})
    decision = facts.decisions.get(item_id, {})
    draft = facts.drafts.get(item_id)
    review = facts.reviews.get(item_id, {})
    prices = [sku.price_fen for sku in draft.skus] if draft else []
    return ReportItem(
        source_item_id=item_id,
        state=state.state,
        origin_url=listing.get("origin_url") or (draft.origin_url if draft else None),
        kwai_item_id=state.kwai_item_id,
        ledger_state=state.ledger_state,
        title_before=listing.get("title"),
        title_after=draft.title if draft else None,
        price_before_min_fen=listing.get("price_min_fen"),
        price_before_max_fen=listing.get("price_max_fen"),
        price_after_min_fen=min(prices) if prices else None,
        price_after_max_fen=max(prices) if prices else None,
        category_path=decision.get("category_path"),
        category_confidence=decision.get("confidence"),
        stage=state.stage,
        reason_code=state.reason_code,
        detail=state.detail,
        fix=fix_for(state.reason_code, state.detail),
        images=tuple(facts.images.get(item_id, ())),
        review=review_label(review["audit_status"]) if review else None,
        review_reason=review.get("audit_reason"),
        review_reason_code=review.get("reason_code"),
        review_fix=review.get("fix"),
        review_answer=review_answer(review, facts.resubmissions.get(item_id)) if review else None,
        shelf=shelf_label(review.get("on_shelf")),
        offline_reason=review.get("offline_reason"),
    )


def report_items(
    warehouse: Warehouse, migration: str, *, ledger: Ledger, tally: ItemTally
) -> Iterator[ReportItem]:
    """Every source item's row, a batch at a time in the warehouse's order of ids; `tally`
    counts them as `migration_status` does, complete once the items are consumed."""
    for states in item_state_batches(warehouse, migration, ledger=ledger, tally=tally):
        facts = _batch_facts(warehouse, migration, [s.source_item_id for s in states])
        for state in states:
            yield _report_item(state, facts)


def _stage_counts(warehouse: Warehouse, migration: str, status: dict[str, Any]) -> dict[str, int]:
    """How far items got: each stage's table for the migration, in pipeline order."""

    def count(table: str) -> int:
        return int(
            warehouse.scalar(f"SELECT count(*) FROM {table} WHERE migration = ?", [migration]) or 0
        )

    return {
        "listed on the source": status["source_items"],
        "fetched (raw_listings)": status["fetched"],
        "parsed (listings)": count("listings"),
        "drafted (kuaishou_drafts)": count("kuaishou_drafts"),
        "published (ledger)": status["published"],
    }


def _needs_you_first(item: ReportItem) -> tuple[bool, str]:
    # within each state, the items Kuaishou's review sent back come first: they need the merchant
    return (item.review_reason_code is None, item.source_item_id)


@dataclass
class _Shown:
    """The rows the HTML lists per state (at most `limit`, sent-back ones first), and the counts
    of the charts that are about every item."""

    limit: int
    sent_back: dict[str, list[ReportItem]] = field(default_factory=dict)
    others: dict[str, list[ReportItem]] = field(default_factory=dict)
    reviews: Counter[str] = field(default_factory=Counter)
    review_reasons: Counter[str] = field(default_factory=Counter)
    off_shelf: Counter[str] = field(default_factory=Counter)

    def add(self, item: ReportItem) -> None:
        kept = self.sent_back if item.review_reason_code else self.others
        rows = kept.setdefault(item.state.value, [])
        if len(rows) < self.limit:
            rows.append(item)
        if item.review:
            self.reviews[item.review] += 1
        if item.review_reason_code:
            self.review_reasons[item.review_reason_code] += 1
        if item.shelf == shelf_label(False):
            self.off_shelf[item.offline_reason or "?"] += 1

    def items(self) -> tuple[ReportItem, ...]:
        shown: list[ReportItem] = []
        for state in {*self.sent_back, *self.others}:
            first = sorted(self.sent_back.get(state, []), key=_needs_you_first)
            then = sorted(self.others.get(state, []), key=_needs_you_first)
            shown.extend((first + then)[: self.limit])
        return tuple(sorted(shown, key=_needs_you_first))


def build_report(
    migration: Migration,
    *,
    warehouse: Warehouse,
    ledger: Ledger,
    run_id: str,
    now: datetime | None = None,
    every_item: Callable[[ReportItem], None] | None = None,
    max_items_shown: int = MAX_ITEMS_SHOWN,
) -> MigrationReport:
    """Read everything the report shows. Pure reading: nothing is written.

    The items are read a batch at a time and counted as they pass; the report keeps only the rows
    it lists (`max_items_shown` per state) and `every_item` is handed each row (the CSV).
    """
    key = migration.key
    tally = ItemTally()
    shown = _Shown(limit=max_items_shown)
    for item in report_items(warehouse, key, ledger=ledger, tally=tally):
        shown.add(item)
        if every_item is not None:
            every_item(item)
    status = status_of(warehouse, key, tally=tally, ledger=ledger)
    fill_runs = tuple(
        FillRun.model_validate(row)
        for row in warehouse.query(
            "SELECT * FROM fill_rates WHERE migration = ? ORDER BY computed_at", [key]
        )
    )
    by_state = tally.by_state
    charts = (
        bar_chart(
            "Where every item stands",
            {s.value: by_state.get(s.value, 0) for s in ItemStatus if by_state.get(s.value)}
            or {"no items": 0},
            colours=STATE_COLOURS,
            keep_order=True,
        ),
        bar_chart(
            "How far items got, stage by stage",
            _stage_counts(warehouse, key, status),
            keep_order=True,
            parts_of_a_whole=False,
        ),
        bar_chart("Quarantined, by the stage that stopped them", tally.quarantined_by_stage),
        bar_chart("Quarantined, by reason", status["quarantined_by_reason"]),
        bar_chart("Kuaishou's answers (publish ledger)", ledger.ledger_state_counts(key)),
        bar_chart("Kuaishou's review of created items", shown.reviews, colours=REVIEW_COLOURS),
        bar_chart("Review rejections, by reason", shown.review_reasons),
        bar_chart("Created items off the shelf, by Kuaishou's reason", shown.off_shelf),
    )
    fill_chart = (
        line_chart(
            "Fill rates over runs (what Kuaishou's audit ranks)",
            {
                "≥3 main images": [r.rate_main_images_3 for r in fill_runs],
                "3:4 main images": [r.rate_ratio_34 for r in fill_runs],
                "item video": [r.rate_video for r in fill_runs],
                "short title": [r.rate_short_title for r in fill_runs],
            },
            run_labels=[
                r.computed_at.astimezone(CHINA_TZ).strftime("%m-%d %H:%M") for r in fill_runs
            ],
        )
        if fill_runs
        else None
    )
    return MigrationReport(
        migration=key,
        mode=migration.mode.value,
        source_platform=str(migration.source.platform.value),
        source_shop=migration.source.shop_name or migration.source.shop_id,
        run_id=run_id,
        generated_at=now or datetime.now(UTC),
        status=status,
        items=shown.items(),
        item_count=tally.source_items,
        items_by_state=dict(by_state),
        off_shelf=sum(shown.off_shelf.values()),
        fill_runs=fill_runs,
        charts=tuple(c for c in charts if c.bars),
        fill_chart=fill_chart,
    )


def render_report(report: MigrationReport) -> str:
    """The report as one HTML document (the template: templates/migration_report.html.j2)."""
    return _ENV.get_template("migration_report.html.j2").render(
        report=report,
        generated=report.generated_at.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M (China time)"),
        states=[s.value for s in ItemStatus],
        state_colours=STATE_COLOURS,
    )


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def reports_dir(warehouse: Warehouse) -> Path:
    """$BANJIA_REPORTS_DIR, else `reports/` beside the warehouse file: a test's temporary
    warehouse keeps its reports beside it, and the default is data/reports. A PostgreSQL
    warehouse has no file: its reports go beside where the file would be (BANJIA_WAREHOUSE)."""
    settings = load_settings()
    if settings.reports_dir is not None:
        return settings.reports_dir
    beside = settings.warehouse if warehouse.is_postgres else Path(warehouse.path)
    return beside.resolve().parent / "reports"


def report_path(out_dir: Path, *, migration_key: str, run_id: str) -> Path:
    """`<out_dir>/<migration>/<run>.html`, with both names made safe for a file system."""
    return out_dir / _UNSAFE.sub("_", migration_key) / f"{_UNSAFE.sub('_', run_id)}.html"


CSV_COLUMNS = (
    "source_item_id",
    "state",
    "origin_url",
    "kwai_item_id",
    "ledger_state",
    "title_before",
    "title_after",
    "price_before_min_yuan",
    "price_before_max_yuan",
    "price_after_min_yuan",
    "price_after_max_yuan",
    "category_path",
    "category_confidence",
    "stage",
    "reason_code",
    "detail",
    "fix",
    "images_changed",
    "review",
    "review_reason",
    "review_reason_code",
    "review_fix",
    "review_answer",
    "shelf",
    "offline_reason",
)


def _csv_yuan(fen: int | None) -> str:
    return "" if fen is None else f"{fen / 100:.2f}"


def csv_row(item: ReportItem) -> dict[str, Any]:
    """An item as the CSV beside the report holds it (prices in yuan, as the report shows them)."""
    row = item.model_dump(exclude={"images", "state"})
    for side in ("before", "after"):
        for end in ("min", "max"):
            row[f"price_{side}_{end}_yuan"] = _csv_yuan(row.pop(f"price_{side}_{end}_fen"))
    return {**row, "state": item.state.value, "images_changed": len(item.images)}


def write_migration_report(
    migration: Migration,
    *,
    warehouse: Warehouse,
    ledger: Ledger,
    out_dir: Path,
    run_id: str,
    out_file: Path | None = None,
    max_items_shown: int = MAX_ITEMS_SHOWN,
) -> StageResult:
    """Write the migration's report for this run, and beside it the CSV of every item; the
    report's path and the counts it shows.

    `out_file` overrides the path (`banjia report --out`); otherwise it is `report_path(...)`.
    The HTML lists `max_items_shown` items per state; the CSV of every item is the HTML's path
    with `.csv`, written row by row as the items are read.
    """
    path = out_file or report_path(out_dir, migration_key=migration.key, run_id=run_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    csv_path = path.with_suffix(".csv")
    with csv_path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        report = build_report(
            migration,
            warehouse=warehouse,
            ledger=ledger,
            run_id=run_id,
            every_item=lambda item: writer.writerow(csv_row(item)),
            max_items_shown=max_items_shown,
        )
    report = report.model_copy(update={"items_csv": csv_path.name})
    path.write_text(render_report(report), encoding="utf-8")
    status = report.status
    return StageResult(
        figures={
            "report_path": str(path.resolve()),
            "source_items": status["source_items"],
            "published": status["published"],
            "quarantined": status["quarantined"],
            "pending": status["pending"],
            "off_shelf": report.off_shelf,
            "fill_rate_runs": len(report.fill_runs),
            "report_bytes": path.stat().st_size,
            "items_csv_path": str(csv_path.resolve()),
            "items_listed_in_html": len(report.items),
        },
        breakdowns={"items_by_state": Breakdown("state", Counter(report.items_by_state))},
        preview=[
            {
                "source_item_id": i.source_item_id,
                "state": i.state.value,
                "kwai_item_id": i.kwai_item_id,
                "reason_code": i.reason_code,
                "fix": i.fix,
            }
            for i in report.items
            if i.state is not ItemStatus.PUBLISHED
        ][:50],
        row_count=report.item_count,
        checks=[
            CheckVerdict(
                name="report_counts_add_up",
                passed=report.counts_add_up and not status["unaccounted"],
                metadata={
                    "source_items": status["source_items"],
                    "published_quarantined_pending": status["published"]
                    + status["quarantined"]
                    + status["pending"],
                    "unaccounted": json.dumps(status["unaccounted"][:20]),
                },
            )
        ],
    )
