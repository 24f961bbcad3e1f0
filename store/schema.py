"""The warehouse and ledger schemas as explicit, numbered migrations.

Every change to a table is a new `SchemaMigration` at the end of its list, never an edit of an old
one, and each is applied once per database (recorded in `schema_migrations`). A file or database
made before this table existed runs them all: the early ones are written `IF NOT EXISTS`, so they
are no-ops there, and the later ones bring it up to date.

`{json}` in a statement is the JSON column type of the backend: JSON in DuckDB, TEXT in PostgreSQL
(read back as a string by both).

The warehouse migrations run on DuckDB and on PostgreSQL (`BANJIA_DATABASE_URL`, decision 73) from
this one text: write a new one in the types both spell alike (VARCHAR, INTEGER, BIGINT, BOOLEAN,
DOUBLE, TIMESTAMPTZ, JSON) with `IF NOT EXISTS`/`IF EXISTS`, and nothing only DuckDB knows
(`CREATE OR REPLACE TABLE`, `INSERT OR REPLACE`, list/struct types, macros). `DOUBLE` becomes
`DOUBLE PRECISION` in PostgreSQL (`store.backends.pg_ddl`); tests/store/test_schema_backends.py
applies every migration to both.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

__all__ = ["LEDGER_MIGRATIONS", "WAREHOUSE_MIGRATIONS", "SchemaMigration", "apply_migrations"]


@dataclass(frozen=True)
class SchemaMigration:
    """One step of a schema: applied once, in order, never edited after it shipped."""

    version: int
    name: str
    sql: str


LEDGER_MIGRATIONS: tuple[SchemaMigration, ...] = (
    SchemaMigration(
        1,
        "publish ledger, SKU map and supply outbox",
        """
CREATE TABLE IF NOT EXISTS publish_ledger (
    rel_item_id BIGINT PRIMARY KEY, migration VARCHAR NOT NULL, source_item_id VARCHAR NOT NULL,
    state VARCHAR NOT NULL, kwai_item_id BIGINT, reason VARCHAR, attempts INTEGER NOT NULL,
    created_at TIMESTAMPTZ NOT NULL, updated_at TIMESTAMPTZ NOT NULL, published_at TIMESTAMPTZ);
CREATE TABLE IF NOT EXISTS sku_map (
    rel_sku_id BIGINT PRIMARY KEY, rel_item_id BIGINT NOT NULL, kwai_sku_id BIGINT,
    source_sku_id VARCHAR, synthetic BOOLEAN NOT NULL);
CREATE TABLE IF NOT EXISTS supply_outbox (
    rel_item_id BIGINT PRIMARY KEY, migration VARCHAR NOT NULL, source_item_id VARCHAR NOT NULL,
    kwai_item_id BIGINT NOT NULL, payload {json} NOT NULL, scene INTEGER NOT NULL,
    published_at TIMESTAMPTZ NOT NULL, due_at TIMESTAMPTZ NOT NULL, state VARCHAR NOT NULL,
    attempts INTEGER NOT NULL, last_error VARCHAR, sent_at TIMESTAMPTZ);
""",
    ),
    SchemaMigration(
        2,
        "the draft version published, the offer version, the outbox's next attempt",
        """
ALTER TABLE publish_ledger ADD COLUMN IF NOT EXISTS version VARCHAR;
ALTER TABLE publish_ledger ADD COLUMN IF NOT EXISTS offer_version VARCHAR;
ALTER TABLE supply_outbox ADD COLUMN IF NOT EXISTS next_attempt_at TIMESTAMPTZ;
""",
    ),
    SchemaMigration(
        3,
        "the Kuaishou shop each item is published into: the daily quota is the shop's",
        """
ALTER TABLE publish_ledger ADD COLUMN IF NOT EXISTS target_shop VARCHAR;
""",
    ),
    SchemaMigration(
        4,
        "the batch (publish run) that created each item: `banjia batch undo` takes one off the shelf",
        """
ALTER TABLE publish_ledger ADD COLUMN IF NOT EXISTS batch VARCHAR;
""",
    ),
    SchemaMigration(
        5,
        "per Kuaishou shop, shared by every worker: its latest requests (epoch seconds, when each "
        "was admitted or answered) for the rate window, and the new items of a China day",
        """
CREATE TABLE IF NOT EXISTS shop_rate_window (
    shop VARCHAR PRIMARY KEY,
    sent DOUBLE PRECISION[] NOT NULL,
    last_at DOUBLE PRECISION
);
CREATE TABLE IF NOT EXISTS shop_daily_quota (
    shop VARCHAR NOT NULL,
    day DATE NOT NULL,
    used INTEGER NOT NULL,
    PRIMARY KEY (shop, day)
);
""",
    ),
)

WAREHOUSE_MIGRATIONS: tuple[SchemaMigration, ...] = (
    SchemaMigration(
        1,
        "stage tables, quarantine, caches, fill rates and compliance",
        """
CREATE TABLE IF NOT EXISTS raw_listings (
    migration VARCHAR NOT NULL, platform VARCHAR NOT NULL, shop_id VARCHAR NOT NULL,
    source_item_id VARCHAR NOT NULL, payload JSON NOT NULL, fetched_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (migration, source_item_id));
CREATE TABLE IF NOT EXISTS extract_cursors (
    migration VARCHAR PRIMARY KEY, cursor JSON NOT NULL, updated_at TIMESTAMPTZ NOT NULL);
CREATE TABLE IF NOT EXISTS listings (
    migration VARCHAR NOT NULL, source_item_id VARCHAR NOT NULL, title VARCHAR, status VARCHAR,
    sku_count INTEGER, price_min_fen BIGINT, price_max_fen BIGINT, main_image_count INTEGER,
    has_video BOOLEAN, has_short_title BOOLEAN, listing JSON NOT NULL,
    PRIMARY KEY (migration, source_item_id));
CREATE TABLE IF NOT EXISTS category_decisions (
    migration VARCHAR NOT NULL, source_item_id VARCHAR NOT NULL, category_id BIGINT,
    category_path VARCHAR, confidence DOUBLE, layer VARCHAR, candidates JSON,
    PRIMARY KEY (migration, source_item_id));
CREATE TABLE IF NOT EXISTS category_review (
    migration VARCHAR NOT NULL, source_item_id VARCHAR NOT NULL, title VARCHAR,
    source_category_path VARCHAR, source_category_id VARCHAR, category_id BIGINT,
    confidence DOUBLE, layer VARCHAR, candidates JSON, PRIMARY KEY (migration, source_item_id));
CREATE TABLE IF NOT EXISTS category_leaves (
    migration VARCHAR NOT NULL, category_id BIGINT NOT NULL, path VARCHAR NOT NULL,
    is_open BOOLEAN NOT NULL, PRIMARY KEY (migration, category_id));
CREATE TABLE IF NOT EXISTS kuaishou_drafts (
    migration VARCHAR NOT NULL, source_item_id VARCHAR NOT NULL, rel_item_id BIGINT NOT NULL,
    category_id BIGINT, sku_count INTEGER, synthetic_sku_count INTEGER, draft JSON NOT NULL,
    PRIMARY KEY (migration, source_item_id));
CREATE TABLE IF NOT EXISTS quarantine (
    migration VARCHAR NOT NULL, source_item_id VARCHAR NOT NULL, stage VARCHAR NOT NULL,
    reason_code VARCHAR NOT NULL, detail VARCHAR NOT NULL, recorded_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (migration, source_item_id, stage));
CREATE TABLE IF NOT EXISTS media_cache (
    sha256 VARCHAR PRIMARY KEY, kwai_url VARCHAR NOT NULL, byte_size BIGINT,
    uploaded_at TIMESTAMPTZ NOT NULL);
CREATE TABLE IF NOT EXISTS media (
    migration VARCHAR NOT NULL, source_item_id VARCHAR NOT NULL, source_url VARCHAR NOT NULL,
    sha256 VARCHAR, kwai_url VARCHAR, status VARCHAR NOT NULL, detail VARCHAR,
    PRIMARY KEY (migration, source_item_id, source_url));
CREATE TABLE IF NOT EXISTS video_cache (
    shop_key VARCHAR NOT NULL, sha256 VARCHAR NOT NULL, video_id VARCHAR NOT NULL,
    byte_size BIGINT, uploaded_at TIMESTAMPTZ NOT NULL, PRIMARY KEY (shop_key, sha256));
CREATE TABLE IF NOT EXISTS item_videos (
    migration VARCHAR NOT NULL, source_item_id VARCHAR NOT NULL, source_url VARCHAR NOT NULL,
    sha256 VARCHAR, video_id VARCHAR, status VARCHAR NOT NULL, detail VARCHAR,
    PRIMARY KEY (migration, source_item_id));
CREATE TABLE IF NOT EXISTS media_fill_rates (
    migration VARCHAR NOT NULL, run_id VARCHAR NOT NULL, computed_at TIMESTAMPTZ NOT NULL,
    items INTEGER NOT NULL, rate_main_images_3 DOUBLE, rate_ratio_34 DOUBLE, rate_video DOUBLE,
    rate_short_title DOUBLE, white_border_images_left INTEGER, PRIMARY KEY (migration, run_id));
CREATE TABLE IF NOT EXISTS compliance_summary (
    migration VARCHAR NOT NULL, iso_week VARCHAR NOT NULL, published INTEGER, reported INTEGER,
    reported_on_time INTEGER, overdue INTEGER, report_rate DOUBLE, on_time_rate DOUBLE,
    rate_main_images_3 DOUBLE, rate_video DOUBLE, rate_short_title DOUBLE,
    computed_at TIMESTAMPTZ NOT NULL, PRIMARY KEY (migration, iso_week));
""",
    ),
    SchemaMigration(
        2,
        "incremental extraction, prepared-image facts, compliance details",
        """
ALTER TABLE raw_listings ADD COLUMN IF NOT EXISTS version VARCHAR;
ALTER TABLE raw_listings ADD COLUMN IF NOT EXISTS modified_at TIMESTAMPTZ;
ALTER TABLE raw_listings ADD COLUMN IF NOT EXISTS source_state VARCHAR DEFAULT 'listed';
ALTER TABLE media_cache ADD COLUMN IF NOT EXISTS source_sha256 VARCHAR;
ALTER TABLE media_cache ADD COLUMN IF NOT EXISTS role VARCHAR;
ALTER TABLE media_cache ADD COLUMN IF NOT EXISTS facts JSON;
ALTER TABLE media ADD COLUMN IF NOT EXISTS role VARCHAR;
ALTER TABLE media ADD COLUMN IF NOT EXISTS ratio_34 BOOLEAN;
ALTER TABLE media ADD COLUMN IF NOT EXISTS white_border_left BOOLEAN;
ALTER TABLE media ADD COLUMN IF NOT EXISTS trimmed BOOLEAN;
ALTER TABLE compliance_summary ADD COLUMN IF NOT EXISTS counted INTEGER;
ALTER TABLE compliance_summary ADD COLUMN IF NOT EXISTS reported_late INTEGER;
ALTER TABLE compliance_summary ADD COLUMN IF NOT EXISTS not_yet_due INTEGER;
ALTER TABLE compliance_summary ADD COLUMN IF NOT EXISTS rejected INTEGER;
ALTER TABLE compliance_summary ADD COLUMN IF NOT EXISTS rate_main_images_over_3 DOUBLE;
ALTER TABLE compliance_summary ADD COLUMN IF NOT EXISTS rate_3_4_images DOUBLE;
ALTER TABLE compliance_summary ADD COLUMN IF NOT EXISTS rate_white_border_left DOUBLE;
ALTER TABLE compliance_summary ADD COLUMN IF NOT EXISTS late_items JSON;
ALTER TABLE compliance_summary ADD COLUMN IF NOT EXISTS missing_items JSON;
ALTER TABLE compliance_summary ADD COLUMN IF NOT EXISTS rejected_reports JSON;
ALTER TABLE compliance_summary ADD COLUMN IF NOT EXISTS white_border_images_left INTEGER;
ALTER TABLE compliance_summary ADD COLUMN IF NOT EXISTS fill_rates_source VARCHAR;
""",
    ),
    SchemaMigration(
        3,
        "OAuth tokens and category suggestions (were created by their own modules)",
        """
CREATE TABLE IF NOT EXISTS oauth_tokens (
    seller_key VARCHAR PRIMARY KEY,
    access_token VARCHAR, refresh_token VARCHAR,
    access_expires_at TIMESTAMPTZ, refresh_expires_at TIMESTAMPTZ,
    open_id VARCHAR, scopes JSON, updated_at TIMESTAMPTZ,
    lock_state VARCHAR NOT NULL DEFAULT 'free', lock_holder VARCHAR, lock_expires_at TIMESTAMPTZ);
CREATE TABLE IF NOT EXISTS category_suggestions (
    seller_key VARCHAR NOT NULL, source_category_key VARCHAR NOT NULL,
    suggestions JSON NOT NULL, title VARCHAR, fetched_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (seller_key, source_category_key));
""",
    ),
    SchemaMigration(
        4,
        "drop compliance columns nothing writes; the fill_rates asset's table is fill_rates",
        """
ALTER TABLE compliance_summary DROP COLUMN IF EXISTS rate_main_images_over_3;
ALTER TABLE compliance_summary DROP COLUMN IF EXISTS rate_white_border_left;
ALTER TABLE media_fill_rates RENAME TO fill_rates;
""",
    ),
    SchemaMigration(
        5,
        "quarantine history: how many items were quarantined, per run, against which source",
        """
CREATE TABLE IF NOT EXISTS quarantine_history (
    migration VARCHAR NOT NULL, recorded_at TIMESTAMPTZ NOT NULL,
    source_fingerprint VARCHAR NOT NULL, quarantined INTEGER NOT NULL,
    PRIMARY KEY (migration, recorded_at));
""",
    ),
    SchemaMigration(
        6,
        "Kuaishou's review of each created item (the review_status asset's table)",
        """
CREATE TABLE IF NOT EXISTS review_status (
    migration VARCHAR NOT NULL, rel_item_id BIGINT NOT NULL, source_item_id VARCHAR NOT NULL,
    kwai_item_id BIGINT NOT NULL, audit_status INTEGER, audit_reason VARCHAR,
    reason_code VARCHAR, fix VARCHAR, first_checked_at TIMESTAMPTZ NOT NULL,
    checked_at TIMESTAMPTZ NOT NULL, decided_at TIMESTAMPTZ, checks INTEGER NOT NULL,
    last_error VARCHAR, PRIMARY KEY (migration, rel_item_id));
""",
    ),
    SchemaMigration(
        7,
        "the publish plan (what a run would do per item) and the operator's approvals of it",
        """
CREATE TABLE IF NOT EXISTS publish_plan (
    migration VARCHAR NOT NULL, source_item_id VARCHAR NOT NULL, action VARCHAR NOT NULL,
    reason VARCHAR, changed_fields VARCHAR, title VARCHAR, category_path VARCHAR,
    price_min_yuan VARCHAR, price_max_yuan VARCHAR, sku_count INTEGER, main_images JSON,
    content_version VARCHAR, offer_version VARCHAR, snapshot JSON, planned_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (migration, source_item_id));
CREATE TABLE IF NOT EXISTS plan_approvals (
    migration VARCHAR NOT NULL, source_item_id VARCHAR NOT NULL, approved BOOLEAN NOT NULL,
    excluded BOOLEAN NOT NULL, decided_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (migration, source_item_id));
""",
    ),
    SchemaMigration(
        8,
        "shelf status beside each review; the one automatic resubmission of a sent-back item",
        """
ALTER TABLE review_status ADD COLUMN IF NOT EXISTS on_shelf BOOLEAN;
ALTER TABLE review_status ADD COLUMN IF NOT EXISTS offline_reason VARCHAR;
ALTER TABLE review_status ADD COLUMN IF NOT EXISTS shelf_changed_at TIMESTAMPTZ;
CREATE TABLE IF NOT EXISTS review_resubmissions (
    migration VARCHAR NOT NULL, rel_item_id BIGINT NOT NULL, source_item_id VARCHAR NOT NULL,
    kwai_item_id BIGINT NOT NULL, state VARCHAR NOT NULL, reason_code VARCHAR NOT NULL,
    audit_reason VARCHAR, change VARCHAR NOT NULL, edit {json}, sends INTEGER NOT NULL,
    holder VARCHAR, decided_at TIMESTAMPTZ NOT NULL, sent_at TIMESTAMPTZ, last_error VARCHAR,
    PRIMARY KEY (migration, rel_item_id));
""",
    ),
    SchemaMigration(
        9,
        "the operator's per-item edits from the plan CSV, and the plan showing them",
        """
CREATE TABLE IF NOT EXISTS plan_edits (
    migration VARCHAR NOT NULL, source_item_id VARCHAR NOT NULL, title VARCHAR,
    short_title VARCHAR, price_fen BIGINT, edited_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (migration, source_item_id));
ALTER TABLE publish_plan ADD COLUMN IF NOT EXISTS short_title VARCHAR;
ALTER TABLE publish_plan ADD COLUMN IF NOT EXISTS category_id BIGINT;
ALTER TABLE publish_plan ADD COLUMN IF NOT EXISTS edited_fields VARCHAR;
""",
    ),
    SchemaMigration(
        10,
        "image uploads per Kuaishou shop: an image is uploaded once per shop, its preparation once",
        """
CREATE TABLE IF NOT EXISTS image_uploads (
    shop_key VARCHAR NOT NULL, sha256 VARCHAR NOT NULL, kwai_url VARCHAR NOT NULL,
    byte_size BIGINT, uploaded_at TIMESTAMPTZ NOT NULL, source_sha256 VARCHAR, role VARCHAR,
    facts {json}, PRIMARY KEY (shop_key, sha256));
INSERT INTO image_uploads (shop_key, sha256, kwai_url, byte_size, uploaded_at, source_sha256,
    role, facts)
SELECT '', sha256, kwai_url, byte_size, uploaded_at, source_sha256, role, facts FROM media_cache
ON CONFLICT (shop_key, sha256) DO NOTHING;
DROP TABLE IF EXISTS media_cache;
""",
    ),
    SchemaMigration(
        11,
        "one extraction's listing of the source shop, page by page, instead of in memory",
        """
CREATE TABLE IF NOT EXISTS listed_items (
    migration VARCHAR NOT NULL, position BIGINT NOT NULL, source_item_id VARCHAR NOT NULL,
    version VARCHAR NOT NULL, modified VARCHAR, state VARCHAR);
""",
    ),
)

_VERSIONS = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    component VARCHAR NOT NULL, version INTEGER NOT NULL, name VARCHAR NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL, PRIMARY KEY (component, version))
"""


def apply_migrations(
    con: Any,
    *,
    component: str,
    migrations: Sequence[SchemaMigration],
    json_type: str = "JSON",
    placeholder: str = "?",
    ddl: Callable[[str], str] | None = None,
) -> list[int]:
    """Apply the migrations of `component` that this database has not had yet; their versions.

    `con` is a DuckDB or psycopg connection; the caller holds whatever lock keeps two processes
    from migrating at once (DuckDB: the file; PostgreSQL: an advisory lock). `ddl` rewrites each
    statement for the backend (PostgreSQL: `store.backends.pg_ddl`).
    """
    con.execute(_VERSIONS)
    done = {
        row[0]
        for row in con.execute(
            f"SELECT version FROM schema_migrations WHERE component = {placeholder}", [component]
        ).fetchall()
    }
    applied = []
    for step in migrations:
        if step.version in done:
            continue
        for statement in step.sql.format(json=json_type).split(";"):
            if statement.strip():
                con.execute(ddl(statement) if ddl else statement)
        con.execute(
            "INSERT INTO schema_migrations VALUES "
            f"({placeholder}, {placeholder}, {placeholder}, {placeholder})",
            [component, step.version, step.name, datetime.now(UTC)],
        )
        applied.append(step.version)
    return applied
