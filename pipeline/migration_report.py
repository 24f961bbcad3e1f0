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

import json
import re
from collections import Counter
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
from store.item_states import ItemStatus, classify_items, item_states
from store.ledger import Ledger
from store.resubmissions import load_resubmissions
from store.reviews import load_reviews
from store.warehouse import Warehouse, migration_status

__all__ = [
    "ImagePair",
    "MigrationReport",
    "ReportItem",
    "build_report",
    "render_report",
    "report_path",
    "reports_dir",
    "write_migration_report",
]

TEMPLATES = Path(__file__).parent / "templates"
MAX_THUMBNAILS = 4  # per item: the report shows what changed, not the whole gallery

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
    """Everything the template shows, read from the warehouse and the ledger at one moment."""

    migration: str
    mode: str
    source_platform: str
    source_shop: str
    run_id: str
    generated_at: datetime
    status: dict[str, Any]
    items: tuple[ReportItem, ...]
    fill_runs: tuple[FillRun, ...]
    charts: tuple[BarChart, ...]
    fill_chart: LineChart | None

    @property
    def off_shelf(self) -> int:
        """Created items Kuaishou shows off the shelf (下架), whatever the reason."""
        return sum(1 for item in self.items if item.shelf == shelf_label(False))

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


def _by_item(warehouse: Warehouse, sql: str, migration: str) -> dict[str, dict[str, Any]]:
    return {row["source_item_id"]: row for row in warehouse.query(sql, [migration])}


def _images(warehouse: Warehouse, migration: str) -> dict[str, list[ImagePair]]:
    """The hosted images banjia changed: trimmed of white borders, or main images framed to 3:4."""
    pairs: dict[str, list[ImagePair]] = {}
    for row in warehouse.query(
        "SELECT source_item_id, source_url, kwai_url, coalesce(trimmed, false) AS trimmed, "
        "coalesce(ratio_34, false) AND role = 'main' AS ratio_34 FROM media "
        "WHERE migration = ? AND status = 'hosted' AND kwai_url IS NOT NULL "
        "AND (trimmed OR (ratio_34 AND role = 'main')) ORDER BY source_item_id, source_url",
        [migration],
    ):
        found = pairs.setdefault(row["source_item_id"], [])
        if len(found) < MAX_THUMBNAILS:
            found.append(ImagePair.model_validate(row))
    return pairs


class _SkuPrice(msgspec.Struct):
    price_fen: int


class _DraftFacts(msgspec.Struct):
    """What the report shows of a draft: its title, its origin and its price range."""

    title: str
    origin_url: str
    skus: list[_SkuPrice]

    @property
    def price_range_fen(self) -> tuple[int, int]:
        prices = [sku.price_fen for sku in self.skus]
        return min(prices), max(prices)


_read_draft_facts = msgspec.json.Decoder(_DraftFacts).decode


def _draft_facts(warehouse: Warehouse, migration: str) -> dict[str, _DraftFacts]:
    """The report's facts of every draft, a batch of rows at a time.

    Not a `KuaishouDraft` per draft: those (every SKU, image and prop as a model) made the report
    of a 100,000-item shop peak at 3.2 GB (decision 87); the draft was validated when it was
    written, and msgspec reads just these fields, skipping the rest of the JSON.
    """
    return {
        row["source_item_id"]: _read_draft_facts(row["draft"])
        for batch in warehouse.partition_batches(
            "kuaishou_drafts", migration=migration, columns=("source_item_id", "draft")
        )
        for row in batch
    }


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


def build_report(
    migration: Migration,
    *,
    warehouse: Warehouse,
    ledger: Ledger,
    run_id: str,
    now: datetime | None = None,
) -> MigrationReport:
    """Read everything the report shows. Pure reading: nothing is written."""
    key = migration.key
    status = migration_status(warehouse, key, ledger=ledger)
    sets = classify_items(warehouse, key, ledger=ledger)
    states = item_states(warehouse, key, ledger=ledger, sets=sets)
    listings = _by_item(
        warehouse,
        "SELECT source_item_id, title, price_min_fen, price_max_fen, "
        "listing ->> 'origin_url' AS origin_url FROM listings "
        "WHERE migration = ?",
        key,
    )
    decisions = _by_item(
        warehouse,
        "SELECT source_item_id, category_path, confidence FROM category_decisions "
        "WHERE migration = ?",
        key,
    )
    drafts = _draft_facts(warehouse, key)
    images = _images(warehouse, key)
    reviews = {row["source_item_id"]: row for row in load_reviews(warehouse, key).values()}
    resubmissions = {
        row["source_item_id"]: row for row in load_resubmissions(warehouse, key).values()
    }
    items = []
    for state in states:
        listing = listings.get(state.source_item_id, {})
        decision = decisions.get(state.source_item_id, {})
        draft = drafts.get(state.source_item_id)
        review = reviews.get(state.source_item_id, {})
        items.append(
            ReportItem(
                source_item_id=state.source_item_id,
                state=state.state,
                origin_url=listing.get("origin_url") or (draft.origin_url if draft else None),
                kwai_item_id=state.kwai_item_id,
                ledger_state=state.ledger_state,
                title_before=listing.get("title"),
                title_after=draft.title if draft else None,
                price_before_min_fen=listing.get("price_min_fen"),
                price_before_max_fen=listing.get("price_max_fen"),
                price_after_min_fen=draft.price_range_fen[0] if draft else None,
                price_after_max_fen=draft.price_range_fen[1] if draft else None,
                category_path=decision.get("category_path"),
                category_confidence=decision.get("confidence"),
                stage=state.stage,
                reason_code=state.reason_code,
                detail=state.detail,
                fix=fix_for(state.reason_code, state.detail),
                images=tuple(images.get(state.source_item_id, ())),
                review=review_label(review["audit_status"]) if review else None,
                review_reason=review.get("audit_reason"),
                review_reason_code=review.get("reason_code"),
                review_fix=review.get("fix"),
                review_answer=review_answer(review, resubmissions.get(state.source_item_id))
                if review
                else None,
                shelf=shelf_label(review.get("on_shelf")),
                offline_reason=review.get("offline_reason"),
            )
        )
    fill_runs = tuple(
        FillRun.model_validate(row)
        for row in warehouse.query(
            "SELECT * FROM fill_rates WHERE migration = ? ORDER BY computed_at", [key]
        )
    )
    by_state = Counter(item.state.value for item in items)
    quarantined_by_stage = Counter(item.stage or "?" for item in items if item.stage)
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
        bar_chart("Quarantined, by the stage that stopped them", quarantined_by_stage),
        bar_chart("Quarantined, by reason", status["quarantined_by_reason"]),
        bar_chart(
            "Kuaishou's answers (publish ledger)",
            Counter(str(row["state"]) for row in sets.book.values()),
        ),
        bar_chart(
            "Kuaishou's review of created items",
            Counter(i.review for i in items if i.review),
            colours=REVIEW_COLOURS,
        ),
        bar_chart(
            "Review rejections, by reason",
            Counter(i.review_reason_code for i in items if i.review_reason_code),
        ),
        bar_chart(
            "Created items off the shelf, by Kuaishou's reason",
            Counter(i.offline_reason or "?" for i in items if i.shelf == shelf_label(False)),
        ),
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
        # within each state, the items Kuaishou's review sent back come first: they need the merchant
        items=tuple(sorted(items, key=lambda i: (i.review_reason_code is None, i.source_item_id))),
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


def write_migration_report(
    migration: Migration,
    *,
    warehouse: Warehouse,
    ledger: Ledger,
    out_dir: Path,
    run_id: str,
    out_file: Path | None = None,
) -> StageResult:
    """Write the migration's report for this run; its path and the counts it shows.

    `out_file` overrides the path (`banjia report --out`); otherwise it is `report_path(...)`.
    """
    report = build_report(migration, warehouse=warehouse, ledger=ledger, run_id=run_id)
    path = out_file or report_path(out_dir, migration_key=migration.key, run_id=run_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_report(report), encoding="utf-8")
    status = report.status
    by_state = Counter(item.state.value for item in report.items)
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
        },
        breakdowns={"items_by_state": Breakdown("state", by_state)},
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
        row_count=len(report.items),
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
