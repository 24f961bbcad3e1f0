"""What every stage relies on the warehouse for, on both backends (decision 73).

Each test runs against a DuckDB file and a scratch PostgreSQL schema (`warehouse_factory`); two
handles from one factory are two workers on the same store. A test that passes on DuckDB and
fails on PostgreSQL is SQL only one of them speaks.
"""

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr

from connectors.kuaishou.models import CategorySuggestion
from connectors.kuaishou.tokens import TokenSet
from store import open_ledger
from store.item_states import ItemStatus, item_states
from store.oauth_tokens import open_token_store
from store.plan_approvals import Approval, load_approvals, save_approvals
from store.quarantine_history import last_snapshot, record_snapshot, take_snapshot
from store.reviews import load_reviews, save_reviews
from store.suggestions import SuggestionCache
from store.warehouse import Warehouse
from tests.conftest import WarehouseFactory

M = "tb-contract"
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def _raw(item_id: str, version: str) -> dict[str, object]:
    return {
        "migration": M,
        "platform": "taobao",
        "shop_id": "s",
        "source_item_id": item_id,
        "payload": {"num_iid": item_id, "title": "50% off?"},
        "fetched_at": NOW,
        "version": version,
    }


def test_a_second_worker_reads_the_first_ones_extraction_and_cursor(
    warehouse_factory: WarehouseFactory,
) -> None:
    first, second = warehouse_factory(), warehouse_factory()
    first.save_extraction(
        migration=M, rows=[_raw("1", "v1"), _raw("2", "v1")], gone_ids=[], cursor_json='{"p": 1}'
    )
    second.save_extraction(
        migration=M, rows=[_raw("2", "v2")], gone_ids=["1"], cursor_json='{"p": 2}'
    )
    assert first.known_versions(M) == {"2": "v2"}
    assert first.load_cursor(M) == '{"p": 2}'
    payload = first.scalar("SELECT payload FROM raw_listings WHERE source_item_id = ?", ["2"])
    assert payload == '{"num_iid": "2", "title": "50% off?"}'  # JSON reads back as text


def test_rewriting_a_stage_partition_keeps_other_migrations(
    warehouse_factory: WarehouseFactory,
) -> None:
    store = warehouse_factory()
    store.replace_partition("raw_listings", migration=M, rows=[_raw("1", "v1")])
    store.replace_partition(
        "raw_listings", migration="other", rows=[{**_raw("9", "v1"), "migration": "other"}]
    )
    store.delete_partition("raw_listings", migration=M)
    store.append_rows("raw_listings", [_raw("3", "v1"), _raw("4", "v1")])
    assert store.scalar("SELECT count(*) FROM raw_listings") == 3
    batches = list(
        store.query_batches(
            "SELECT source_item_id FROM raw_listings WHERE migration = ? ORDER BY 1",
            [M],
            batch_size=1,
        )
    )
    assert batches == [[{"source_item_id": "3"}], [{"source_item_id": "4"}]]


def test_a_partition_is_read_in_id_order_one_batch_at_a_time(
    warehouse_factory: WarehouseFactory,
) -> None:
    store = warehouse_factory()
    ids = ["10", "07", "02", "05", "01", "09", "03"]  # inserted out of order, in two writes
    store.append_rows("raw_listings", [_raw(i, "v1") for i in ids[:4]])
    store.append_rows("raw_listings", [_raw(i, "v1") for i in ids[4:]])
    store.append_rows("raw_listings", [{**_raw("04", "v1"), "migration": "other"}])
    batches = list(
        store.partition_batches(
            "raw_listings", migration=M, columns=("source_item_id", "version"), batch_size=3
        )
    )
    assert [[row["source_item_id"] for row in batch] for batch in batches] == [
        ["01", "02", "03"],
        ["05", "07", "09"],
        ["10"],
    ]
    assert batches[0][0] == {"source_item_id": "01", "version": "v1"}
    assert (
        list(store.partition_batches("raw_listings", migration="none", columns=("version",))) == []
    )


def test_replacing_some_items_rows_leaves_the_others(warehouse_factory: WarehouseFactory) -> None:
    store = warehouse_factory()
    store.append_rows("raw_listings", [_raw(i, "v1") for i in ("1", "2", "3")])
    store.replace_items(
        "raw_listings", migration=M, source_item_ids=["1", "2"], rows=[_raw("2", "v2")]
    )
    assert store.known_versions(M) == {"2": "v2", "3": "v1"}


def test_a_failed_write_leaves_the_partition_as_it_was(warehouse_factory: WarehouseFactory) -> None:
    store = warehouse_factory()
    store.replace_partition("raw_listings", migration=M, rows=[_raw("1", "v1")])
    with store.held(), pytest.raises(Exception):  # noqa: B017 - each backend raises its own
        store.replace_partition(
            "raw_listings", migration=M, rows=[_raw("2", "v1"), _raw("2", "v1")]
        )
    assert store.known_versions(M) == {"1": "v1"}


def test_the_latest_quarantine_row_of_an_item_wins(warehouse_factory: WarehouseFactory) -> None:
    store = warehouse_factory()
    store.replace_partition("raw_listings", migration=M, rows=[_raw("1", "v1")])
    store.replace_quarantine(
        migration=M,
        stages=["media"],
        rows=[{"source_item_id": "1", "stage": "media", "reason_code": "old", "detail": "x"}],
    )
    store.replace_quarantine(
        migration=M,
        stages=["draft"],
        rows=[{"source_item_id": "1", "stage": "draft", "reason_code": "new", "detail": "y"}],
    )

    ledger = open_ledger(store)
    try:
        (item,) = item_states(store, M, ledger=ledger)
    finally:
        ledger.close()
    assert (item.state, item.stage, item.reason_code) == (ItemStatus.QUARANTINED, "draft", "new")


def test_the_quarantine_snapshot_fingerprints_the_source_alike_on_both_backends(
    warehouse_factory: WarehouseFactory,
) -> None:
    store = warehouse_factory()
    store.save_extraction(
        migration=M, rows=[_raw("2", "b"), _raw("1", "a")], gone_ids=["2"], cursor_json="{}"
    )
    snapshot = take_snapshot(store, M)
    # md5 of "1:a:listed,2:b:gone", as both DuckDB and PostgreSQL compute it
    assert snapshot.source_fingerprint == "0ae95f6072a2895e4d6bab4b17d78d99"
    record_snapshot(store, M, snapshot)
    last = last_snapshot(store, M)
    assert last is not None and last.source_fingerprint == snapshot.source_fingerprint


def test_an_image_uploaded_by_one_worker_is_cached_for_the_other(
    warehouse_factory: WarehouseFactory,
) -> None:
    first, second = warehouse_factory(), warehouse_factory()
    entry = {
        "sha256": "k1",
        "kwai_url": "https://kwai/1.jpg",
        "byte_size": 10,
        "source_sha256": "s1",
        "role": "main",
        "facts": '{"w": 800}',
    }
    first.cache_media_many([entry], shop_key="shop-a")
    late_racer = {**entry, "kwai_url": "https://kwai/other.jpg"}
    second.cache_media_many([late_racer], shop_key="shop-a")
    assert second.cached_media(shop_key="shop-a", sha256s=["k1", "k2"]) == {
        "k1": "https://kwai/1.jpg"
    }
    prepared = second.prepared_media([("s1", "main"), ("s1", "detail")])
    assert list(prepared) == [("s1", "main")] and prepared[("s1", "main")]["facts"] == '{"w": 800}'


def test_an_image_upload_belongs_to_its_shop_its_preparation_to_every_shop(
    warehouse_factory: WarehouseFactory,
) -> None:
    store = warehouse_factory()
    entry = {"sha256": "k1", "kwai_url": "https://kwai/a.jpg", "byte_size": 10}
    entry |= {"source_sha256": "s1", "role": "main", "facts": '{"w": 800}'}
    store.cache_media_many([entry], shop_key="shop-a")
    assert store.cached_media(shop_key="shop-b", sha256s=["k1"]) == {}
    store.cache_media_many([{**entry, "kwai_url": "https://kwai/b.jpg"}], shop_key="shop-b")
    assert store.cached_media(shop_key="shop-b", sha256s=["k1"]) == {"k1": "https://kwai/b.jpg"}
    assert store.cached_media(shop_key="shop-a", sha256s=["k1"]) == {"k1": "https://kwai/a.jpg"}
    assert list(store.prepared_media([("s1", "main")])) == [("s1", "main")]


def test_a_video_is_cached_per_target_shop(warehouse_factory: WarehouseFactory) -> None:
    store = warehouse_factory()
    store.cache_video(shop_key="shop-a", sha256="v", video_id="111", byte_size=1)
    store.cache_video(shop_key="shop-a", sha256="v", video_id="222", byte_size=1)
    assert store.cached_videos(shop_key="shop-a", sha256s=["v"]) == {"v": "111"}
    assert store.cached_videos(shop_key="shop-b", sha256s=["v"]) == {}


def test_item_media_counts_what_each_draft_carries(warehouse_factory: WarehouseFactory) -> None:
    store = warehouse_factory()
    store.replace_partition(
        "kuaishou_drafts",
        migration=M,
        rows=[
            {
                "migration": M,
                "source_item_id": item,
                "rel_item_id": rel,
                "draft": draft,
            }
            for item, rel, draft in (
                ("1", 11, {"short_title": "短标题", "video_url": "https://v/1.mp4"}),
                ("2", 22, {"short_title": None}),
            )
        ],
    )
    store.replace_partition(
        "media",
        migration=M,
        rows=[
            {
                "migration": M,
                "source_item_id": "1",
                "source_url": f"https://img/{n}.jpg",
                "kwai_url": f"https://kwai/{n % 2}.jpg",
                "status": "hosted",
                "role": "main",
                "ratio_34": True,
                "white_border_left": n == 0,
            }
            for n in range(3)
        ],
    )
    rows = sorted(store.item_media(M), key=lambda r: r["main_images"])
    assert [(r["main_images"], r["ratio_34_images"], r["white_border_images"]) for r in rows] == [
        (0, 0, 0),
        (2, 2, 1),
    ]
    assert [r["has_short_title"] for r in rows] == [False, True]


def test_fill_rates_of_a_re_executed_run_replace_its_own_row(
    warehouse_factory: WarehouseFactory,
) -> None:
    store = warehouse_factory()
    row = {"migration": M, "run_id": "r1", "computed_at": NOW, "items": 3, "rate_video": 0.5}
    store.record_fill_rates(row)
    store.record_fill_rates({**row, "rate_video": 1.0})
    assert store.query("SELECT run_id, rate_video FROM fill_rates") == [
        {"run_id": "r1", "rate_video": 1.0}
    ]


def test_category_suggestions_are_asked_once_for_every_worker(
    warehouse_factory: WarehouseFactory,
) -> None:
    first, second = SuggestionCache(warehouse_factory()), SuggestionCache(warehouse_factory())
    key = {"seller_key": "ks:1", "source_category_key": "taobao:50000671"}
    assert second.get(**key) is None
    first.put(**key, suggestions=[])
    first.put(
        **key,
        suggestions=[CategorySuggestion(category_name_path=["服饰"], category_code_path=[7])],
        title="T恤",
    )
    (found,) = second.get(**key) or []
    assert found.category_id == 7


def test_review_rows_are_upserted_by_rel_item_id(warehouse_factory: WarehouseFactory) -> None:
    store = warehouse_factory()
    row = {
        "migration": M,
        "rel_item_id": 11,
        "source_item_id": "1",
        "kwai_item_id": 99,
        "audit_status": 0,
        "audit_reason": None,
        "reason_code": None,
        "fix": None,
        "first_checked_at": NOW,
        "checked_at": NOW,
        "decided_at": None,
        "checks": 1,
        "last_error": None,
    }
    save_reviews(store, [row])
    save_reviews(store, [{**row, "audit_status": 1, "checks": 2, "decided_at": NOW}])
    (saved,) = load_reviews(store, M).values()
    assert (saved["audit_status"], saved["checks"]) == (1, 2)


def test_a_later_plan_decision_replaces_the_earlier(warehouse_factory: WarehouseFactory) -> None:
    store = warehouse_factory()
    save_approvals(store, M, [Approval("1", approved=True, excluded=False)])
    save_approvals(store, M, [Approval("1", approved=False, excluded=True)])
    assert load_approvals(store, M) == {"1": Approval("1", approved=False, excluded=True)}


def test_tokens_saved_by_one_worker_are_loaded_by_another(
    warehouse_factory: WarehouseFactory,
) -> None:
    tokens = TokenSet(
        access_token=SecretStr("a1"),
        refresh_token=SecretStr("r1"),
        access_expires_at=NOW + timedelta(hours=1),
        refresh_expires_at=NOW + timedelta(days=30),
        open_id="o",
        scopes=("merchant_item",),
    )
    open_token_store(warehouse_factory(), seller_key="ks:1").save(tokens)
    loaded = open_token_store(warehouse_factory(), seller_key="ks:1").load()
    assert loaded is not None and loaded.refresh_token.get_secret_value() == "r1"
    assert loaded.access_expires_at == tokens.access_expires_at and loaded.scopes == tokens.scopes


def test_one_worker_holds_the_token_lease_at_a_time(warehouse_factory: WarehouseFactory) -> None:
    first = open_token_store(warehouse_factory(), seller_key="ks:1")
    second = open_token_store(warehouse_factory(), seller_key="ks:1")
    lease = timedelta(minutes=1)
    assert first.try_lock(holder="a", now=NOW, lease=lease)
    assert not second.try_lock(holder="b", now=NOW, lease=lease)
    first.unlock(holder="a")
    assert second.try_lock(holder="b", now=NOW, lease=lease)
    second.unlock(holder="b")


def test_the_warehouse_says_where_it_is_without_a_password() -> None:
    store = Warehouse("postgresql://banjia:s3cret@db:5432/banjia", schema="shop_a")
    assert store.is_postgres and "s3cret" not in store.describe()
    with pytest.raises(ValueError, match="schema"):
        Warehouse("postgresql://db/banjia", schema="Shop-A")


def test_two_workers_rewriting_one_partition_at_once_both_succeed(
    postgres_url: str, postgres_schema: str
) -> None:
    """PostgreSQL only: DuckDB has one writing process, so it never meets two rewriters."""
    stores = [Warehouse(postgres_url, schema=postgres_schema) for _ in range(4)]
    stores[0].scalar("SELECT 1")  # the schema, before the race
    rows = [_raw(str(n), "v1") for n in range(200)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        done = [
            pool.submit(store.replace_partition, "raw_listings", migration=M, rows=rows)
            for store in stores
        ]
        for future in done:
            future.result()
    assert stores[0].scalar("SELECT count(*) FROM raw_listings") == 200


def test_two_workers_take_turns_on_one_migration_and_not_on_another(
    postgres_url: str, postgres_schema: str
) -> None:
    """PostgreSQL only (decision 83): a batched rewrite (delete, then batches) by a second worker
    on the same migration waits for the first's turn to end, so its delete never lands between
    the first's batches; another migration does not wait."""
    first, second = (Warehouse(postgres_url, schema=postgres_schema) for _ in range(2))
    first.scalar("SELECT 1")  # the schema, before the race
    batches = [[_raw(f"{b}-{n}", "v1") for n in range(50)] for b in range(4)]
    inside = threading.Event()

    def rewrite(store: Warehouse, migration: str) -> None:
        with store.migration_turn(migration):
            store.delete_partition("raw_listings", migration=migration)
            for number, batch in enumerate(batches):
                rows = [{**row, "migration": migration} for row in batch]
                store.append_rows("raw_listings", rows)
                if number == 0:
                    inside.set()
                    time.sleep(0.3)  # the other worker arrives mid-rewrite

    with ThreadPoolExecutor(max_workers=2) as pool:
        one = pool.submit(rewrite, first, M)
        assert inside.wait(10)
        other = pool.submit(rewrite, second, M)
        one.result()
        other.result()
    count = "SELECT count(*) FROM raw_listings WHERE migration = ?"
    assert first.scalar(count, [M]) == 200

    def take_another_turn() -> bool:
        with second.migration_turn("another-migration"):
            return True

    with first.migration_turn(M), ThreadPoolExecutor(max_workers=1) as pool:
        assert pool.submit(take_another_turn).result(timeout=10)
