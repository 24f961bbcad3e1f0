"""`banjia categories match | review export | review import`, through click's CliRunner.

`match` runs on stdin/stdout with the sandbox tree or a tree file. The review loop runs for real:
a migration whose threshold sends every listing to review is materialized against the sandbox,
its queue exported, "edited" (a merchant's choice per row), imported into the migration's
overrides file, and a second run publishes those listings.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import dagster as dg
import pytest
from click.testing import CliRunner, Result

from banjia.cli_categories import categories
from listings.migrations import CategoryRules
from sandbox.app import Sandbox
from sandbox.category_tree import DEFAULT_TREE_PATH
from store.duckdb_ledger import DuckDBLedger
from store.warehouse import Warehouse, migration_status
from tests.assets.conftest import (  # noqa: F401  (fixtures of the in-process pipeline)
    TAOBAO_DEMO_SOURCE,
    Materialize,
    materialize,
    materialize_migrations_file,
    sandbox,
    sandbox_env,
    warehouse,
    warehouse_path,
)
from tests.samples import tshirt

DRESS = "20224"  # 女装 > 连衣裙 in the real tree and the sandbox's
SANDBOX_TREE = str(DEFAULT_TREE_PATH)


def run(args: list[str], stdin: str = "", env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(categories, args, input=stdin, env=env)


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


# --- match --------------------------------------------------------------------------------------

LISTINGS = """platform,title,source_category_path
taobao,2025夏季新款法式碎花雪纺连衣裙女收腰显瘦,女装/女士精品>连衣裙
pdd,【3件39.9】冰丝短袖t恤女夏季宽松显瘦百搭上衣,女装>短袖T恤
1688,加厚塑料收纳箱衣物整理箱大号工厂批发,
"""


def test_match_writes_the_leaf_the_layer_and_three_candidates_per_listing() -> None:
    result = run(["match"], LISTINGS)
    assert result.exit_code == 0, result.output
    rows = csv_rows(result.output)
    assert [r["platform"] for r in rows] == ["taobao", "pinduoduo", "alibaba1688"]
    dress, tee, box = rows
    assert (dress["category_id"], dress["layer"], dress["confidence"]) == (
        DRESS,
        "mapping",
        "1.0000",
    )
    assert dress["source_category_path"] == "女装/女士精品>连衣裙"
    assert tee["layer"] == "text" and tee["category_path"] == "女装>T恤"
    assert all(tee[f"candidate_{i}_id"] for i in (1, 2, 3))
    assert float(tee["candidate_1_score"]) >= float(tee["candidate_2_score"])
    assert box["category_path"] == "收纳整理>家庭收纳用具>储物箱>收纳箱"


JUNK = """platform,title,source_category_path
taobao,【补差价专用链接】请根据客服沟通指引下单，请勿乱拍,
taobao,G2000夏季白衬衫男短袖修身商务男士上衣 纯色正装上班薄款衬衣,
"""


def test_match_says_what_happens_to_each_listing_at_the_threshold() -> None:
    result = run(["match", "--tree", SANDBOX_TREE], LISTINGS + JUNK.split("\n", 1)[1])
    assert result.exit_code == 0, result.output
    rows = csv_rows(result.output)
    assert list(rows[0])[-1] == "decision"
    dress, _tee, _box, junk, shirt = rows
    assert dress["decision"] == "publish"
    assert junk["decision"] == "not_a_product" and junk["layer"] == "not_a_product"
    assert "补差价" in junk["reason"] and junk["category_id"] == ""
    # a men's shirt goes to the men's leaf of the sandbox tree, never to 女装>衬衫; whether it
    # publishes is the publish gate's call at the default threshold (docs/decisions.md §88)
    assert shirt["category_path"] == "男装>衬衫"
    sure = float(shirt["confidence"]) >= CategoryRules().min_confidence
    assert shirt["decision"] == ("publish" if sure else "review")
    strict = csv_rows(run(["match", "--tree", SANDBOX_TREE, "--min-confidence", "1"], JUNK).output)
    assert [r["decision"] for r in strict] == ["not_a_product", "review"]


@pytest.mark.parametrize(
    "saved",
    [("\ufeff" + LISTINGS).encode("utf-8"), LISTINGS.encode("gbk")],
    ids=["csv-utf-8-with-bom", "csv-gbk"],
)
def test_match_reads_a_csv_excel_saved_as_utf8_or_in_the_chinese_code_page(saved: bytes) -> None:
    """Excel's "CSV UTF-8" starts with a byte-order mark; its plain "CSV" on a Chinese Windows
    is GBK, as WPS's is (decision 171)."""
    result = CliRunner().invoke(categories, ["match"], input=saved)
    assert result.exit_code == 0, result.output
    rows = csv_rows(result.output)
    assert [r["platform"] for r in rows] == ["taobao", "pinduoduo", "alibaba1688"]
    assert [r["title"] for r in rows] == [
        "2025夏季新款法式碎花雪纺连衣裙女收腰显瘦",
        "【3件39.9】冰丝短袖t恤女夏季宽松显瘦百搭上衣",
        "加厚塑料收纳箱衣物整理箱大号工厂批发",
    ]


def test_match_refuses_bytes_that_are_no_text_naming_the_fix() -> None:
    result = CliRunner().invoke(categories, ["match"], input=b"platform,title\n\xff\xfe\x80")
    assert result.exit_code == 1
    assert "stdin: byte 15 is neither UTF-8 nor GBK/GB18030 text" in result.output
    assert "save the file as CSV UTF-8" in result.output


def test_match_reads_the_real_tree_when_given_none() -> None:
    """Labelled sets name the real tree's leaves; the sandbox's invented 男装 leaves are not in it,
    so a men's shirt is not published into one (decision 155)."""
    result = run(["match"], JUNK)
    assert result.exit_code == 0, result.output
    _junk, shirt = csv_rows(result.output)
    assert not shirt["category_id"].startswith("900")
    assert all(not shirt[f"candidate_{i}_id"].startswith("900") for i in (1, 2, 3))
    assert shirt["decision"] == "review"


def test_eval_prints_the_figures_and_the_curve_per_split(tmp_path: Path) -> None:
    labelled = tmp_path / "labelled.csv"
    labelled.write_text(
        "platform,title,source_category_path,label,split\n"
        "taobao,2025夏季新款法式碎花雪纺连衣裙女收腰显瘦,女装/女士精品>连衣裙,20224,a\n"
        "pdd,加厚塑料收纳箱衣物整理箱大号工厂批发,,NONE,b\n"
        "taobao,补差价,,NOT_A_PRODUCT,b\n",
        encoding="utf-8",
    )
    result = run(["eval", str(labelled), "--show-wrong"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "all: 3 rows (1 with a leaf label)" in out
    assert "top-1 1.000  top-3 1.000" in out
    assert "(95 % interval " in out
    assert "curve: threshold  published  precision  coverage" in out
    assert out.count("rows (") == 3  # all, a, b
    assert "wrong: 加厚塑料收纳箱衣物整理箱大号工厂批发 (label NONE)" in out
    assert "out-of-fold (5 folds, thresholds chosen" in out


def test_eval_reads_a_labelled_file_saved_in_the_chinese_code_page(tmp_path: Path) -> None:
    labelled = tmp_path / "labelled.csv"
    labelled.write_text(
        "platform,title,label\ntaobao,2025夏季新款法式碎花雪纺连衣裙女收腰显瘦,20224\n",
        encoding="gbk",
    )
    result = run(["eval", str(labelled)])
    assert result.exit_code == 0, result.output
    assert "all: 1 rows (1 with a leaf label)" in result.output


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # read as "no fitting leaf" for every title, unlabelled titles measured 1.000 (171)
        ("platform,title\ntaobao,连衣裙\n", "line 1: the header lacks label"),
        ("platform,title,label\ntaobao,连衣裙,20224\npdd,收纳箱,\n", "line 3: label is blank"),
        ("platform,title,label\ntaobao,连衣裙,999999\n", "not leaves of the tree"),
    ],
    ids=["no-label-column", "blank-label", "not-a-leaf"],
)
def test_eval_refuses_a_file_it_cannot_measure_naming_why(
    tmp_path: Path, text: str, message: str
) -> None:
    labelled = tmp_path / "labelled.csv"
    labelled.write_text(text, encoding="utf-8")
    result = run(["eval", str(labelled)])
    assert result.exit_code == 1
    assert message in result.output


def test_match_uses_the_tree_it_is_given(tmp_path: Path) -> None:
    tree = tmp_path / "shop_tree.csv"
    tree.write_text(
        "category_id,name,parent_id\n1107,家居生活,0\n1124,居家日用,1107\n1130,收纳用品,1107\n"
        "2001,服饰,0\n2002,女士连衣裙,2001\n",
        encoding="utf-8",
    )
    result = run(["match", "--tree", str(tree), "--no-mapping"], LISTINGS)
    assert result.exit_code == 0, result.output
    rows = csv_rows(result.output)
    assert [r["category_id"] for r in rows] == ["2002", "2002", "1130"]


def test_match_applies_an_overrides_file(tmp_path: Path) -> None:
    overrides = tmp_path / "overrides.csv"
    overrides.write_text(
        "source_category,kuaishou_category_id\n女装>短袖T恤,20171\n", encoding="utf-8"
    )
    result = run(["match", "--overrides", str(overrides)], LISTINGS)
    rows = csv_rows(result.output)
    assert (rows[1]["category_id"], rows[1]["layer"]) == ("20171", "override")


def test_match_refuses_an_unknown_platform_naming_the_line() -> None:
    result = run(["match"], "platform,title,source_category_path\njd,京东自营T恤,\n")
    assert result.exit_code == 1
    assert "line 2: platform 'jd' is not a source" in result.output


def test_match_refuses_input_without_the_columns() -> None:
    result = run(["match"], "title\n连衣裙\n")
    assert result.exit_code == 1
    assert "the header lacks platform;" in result.output


def test_match_reads_titles_without_a_source_category_column() -> None:
    result = run(["match"], "platform,title\n1688,补差价专用链接\npdd,夏季新款连衣裙女\n")
    assert result.exit_code == 0, result.output
    rows = csv_rows(result.output)
    assert (rows[0]["decision"], rows[0]["layer"]) == ("not_a_product", "not_a_product")
    assert rows[1]["layer"] in ("text", "none")


# --- the review loop: export → edit → import → re-run publishes ---------------------------------

REVIEW_ALL = """
migrations:
  - key: taobao-demo
    mode: move
    max_items: 12
{source}
    target:
      app_key: ks_sandbox_app
      sign_secret_env: BANJIA_KUAISHOU_SIGN_SECRET
      access_token_env: BANJIA_KUAISHOU_ACCESS_TOKEN
    category:
      min_confidence: 1.0
      suggestions_per_run: 0
      overrides_file: {overrides}
"""


@pytest.fixture(scope="module")
def loop_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("review-loop")


@pytest.fixture(scope="module")
def cli_env(loop_dir: Path, warehouse_path: Path) -> dict[str, str]:  # noqa: F811
    return {
        "BANJIA_MIGRATIONS": str(loop_dir / "migrations.yaml"),
        "BANJIA_WAREHOUSE": str(warehouse_path),
    }


@pytest.fixture(scope="module")
def first_run(materialize: Materialize, loop_dir: Path) -> dg.ExecuteInProcessResult:  # noqa: F811
    text = REVIEW_ALL.format(source=TAOBAO_DEMO_SOURCE, overrides=loop_dir / "overrides.csv")
    return materialize_migrations_file(materialize, loop_dir, text)


@pytest.fixture(scope="module")
def exported(
    first_run: dg.ExecuteInProcessResult, cli_env: dict[str, str], loop_dir: Path
) -> list[dict[str, str]]:
    out = loop_dir / "review.csv"
    result = run(["review", "export", "--migration", "taobao-demo", "--out", str(out)], env=cli_env)
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel shows the titles' Chinese
    return csv_rows(out.read_text(encoding="utf-8-sig"))


def test_below_the_threshold_every_listing_is_queued_and_nothing_published(
    exported: list[dict[str, str]],
    warehouse: Warehouse,  # noqa: F811
) -> None:
    status = migration_status(warehouse, "taobao-demo", ledger=DuckDBLedger(warehouse))
    assert status["published"] == 0
    uncertain = warehouse.query(
        "SELECT source_item_id FROM quarantine WHERE migration = 'taobao-demo' "
        "AND reason_code = 'category_uncertain'"
    )
    assert {r["source_item_id"] for r in uncertain} <= {r["source_item_id"] for r in exported}
    assert len(uncertain) >= 8


def test_the_export_has_three_candidates_and_a_blank_choice(exported: list[dict[str, str]]) -> None:
    row = exported[0]
    assert row["title"] and row["confidence"]
    assert row["candidate_1_id"] and row["candidate_1_path"] and row["candidate_3_id"]
    assert row["chosen_category_id"] == ""
    assert row["scope"] == "item"


def test_an_import_naming_a_non_leaf_writes_nothing_and_names_the_line(
    exported: list[dict[str, str]], cli_env: dict[str, str], loop_dir: Path
) -> None:
    edited = loop_dir / "bad.csv"
    rows = [dict(exported[0], chosen_category_id="20005"), dict(exported[1], source_item_id="999")]
    rows[1]["chosen_category_id"] = DRESS
    _write(edited, rows)
    result = run(["review", "import", "--migration", "taobao-demo", str(edited)], env=cli_env)
    assert result.exit_code == 1
    assert "line 2 (item" in result.output and "20005 is not a leaf" in result.output
    assert "line 3 (item 999): not an item of this migration" in result.output
    assert not (loop_dir / "overrides.csv").exists()


def test_the_merchant_s_choices_are_published_by_the_next_run(
    exported: list[dict[str, str]],
    cli_env: dict[str, str],
    loop_dir: Path,
    materialize: Materialize,  # noqa: F811
    warehouse: Warehouse,  # noqa: F811
    sandbox: Sandbox,  # noqa: F811
) -> None:
    chosen = [dict(r, chosen_category_id=r["candidate_1_id"]) for r in exported]
    edited = loop_dir / "edited.csv"
    _write(edited, chosen, encoding="gbk")  # Excel's "CSV" on a Chinese Windows
    result = run(["review", "import", "--migration", "taobao-demo", str(edited)], env=cli_env)
    assert result.exit_code == 0, result.output
    overrides = csv_rows((loop_dir / "overrides.csv").read_text(encoding="utf-8"))
    assert {r["source_category"] for r in overrides} == {
        f"item:{r['source_item_id']}" for r in chosen
    }

    assert materialize(
        partition_key="taobao-demo", migrations_path=cli_env["BANJIA_MIGRATIONS"]
    ).success
    layers = warehouse.query(
        "SELECT source_item_id, layer, category_id FROM category_decisions "
        "WHERE migration = 'taobao-demo'"
    )
    by_item = {r["source_item_id"]: r for r in layers}
    for row in chosen:
        decided = by_item[row["source_item_id"]]
        assert (decided["layer"], str(decided["category_id"])) == (
            "override",
            row["candidate_1_id"],
        )
    assert warehouse.query("SELECT * FROM category_review WHERE migration = 'taobao-demo'") == []
    left = warehouse.query(
        "SELECT reason_code FROM quarantine WHERE migration = 'taobao-demo' "
        "AND reason_code = 'category_uncertain'"
    )
    assert left == []
    status = migration_status(warehouse, "taobao-demo", ledger=DuckDBLedger(warehouse))
    assert status["published"] > 0
    published = {item.param["categoryId"] for item in sandbox.kuaishou.items.values()}
    assert published <= {int(r["candidate_1_id"]) for r in chosen}


def test_a_sample_of_the_shop_is_drawn_reproducibly_with_blank_labels(
    first_run: dg.ExecuteInProcessResult, cli_env: dict[str, str], loop_dir: Path
) -> None:
    draws = []
    for name in ("a.csv", "b.csv"):
        out = loop_dir / name
        args = ["sample", "--migration", "taobao-demo", "--size", "5", "--seed", "7"]
        result = run([*args, "--out", str(out)], env=cli_env)
        assert result.exit_code == 0, result.output
        assert "fill label, then banjia categories eval" in result.output
        draws.append(csv_rows(out.read_text(encoding="utf-8-sig")))
    assert draws[0] == draws[1] and len(draws[0]) == 5
    assert all(r["label"] == "" and r["title"] and r["platform"] == "taobao" for r in draws[0])
    assert any(r["candidate_1_id"] for r in draws[0])  # a payment link has none to offer
    everything = run(["sample", "--migration", "taobao-demo", "--size", "1000"], env=cli_env)
    assert len(csv_rows(everything.output)) == 12  # the migration's max_items


def test_eval_measures_a_labelled_sample_on_the_shop_s_own_tree(
    first_run: dg.ExecuteInProcessResult, cli_env: dict[str, str], loop_dir: Path
) -> None:
    """A merchant labels the sample (here: agreeing with every first candidate) and measures the
    matcher on their shop's tree, from the warehouse: no tree file to find (decision 172)."""
    out = loop_dir / "sample.csv"
    args = ["sample", "--migration", "taobao-demo", "--size", "6", "--out", str(out)]
    assert run(args, env=cli_env).exit_code == 0
    rows = csv_rows(out.read_text(encoding="utf-8-sig"))
    labelled = loop_dir / "labelled.csv"
    labels = [r["candidate_1_id"] or "NOT_A_PRODUCT" for r in rows]  # no candidate: a payment link
    _write(labelled, [dict(r, label=x) for r, x in zip(rows, labels, strict=True)], encoding="gbk")
    result = run(["eval", str(labelled), "--migration", "taobao-demo"], env=cli_env)
    assert result.exit_code == 0, result.output
    leaf_rows = sum(x.isdigit() for x in labels)
    assert f"all: 6 rows ({leaf_rows} with a leaf label)" in result.output
    assert "top-1 1.000" in result.output
    both = run(["eval", str(labelled), "--migration", "taobao-demo", "--tree", SANDBOX_TREE])
    assert both.exit_code == 2 and "not both" in both.output


def _write(path: Path, rows: list[dict[str, str]], *, encoding: str = "utf-8") -> None:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_an_import_choosing_a_leaf_the_shop_has_not_opened_names_it(tmp_path: Path) -> None:
    store = Warehouse(tmp_path / "warehouse.duckdb")
    listing = tshirt()
    store.append_rows(
        "listings",
        [
            {
                "migration": "taobao-demo",
                "source_item_id": listing.source_item_id,
                "title": listing.title,
                "listing": listing.model_dump_json(),
            }
        ],
    )
    store.append_rows(
        "category_leaves",
        [
            {
                "migration": "taobao-demo",
                "category_id": 20171,
                "path": "女装>T恤",
                "is_open": False,
            },
            {"migration": "taobao-demo", "category_id": 90011, "path": "男装>T恤", "is_open": True},
        ],
    )
    (tmp_path / "migrations.yaml").write_text(
        REVIEW_ALL.format(source=TAOBAO_DEMO_SOURCE, overrides=tmp_path / "overrides.csv"),
        encoding="utf-8",
    )
    edited = tmp_path / "review.csv"
    edited.write_text(
        f"source_item_id,chosen_category_id,scope\n{listing.source_item_id},20171,item\n",
        encoding="utf-8",
    )
    env = {
        "BANJIA_MIGRATIONS": str(tmp_path / "migrations.yaml"),
        "BANJIA_WAREHOUSE": str(store.path),
    }
    result = run(["review", "import", "--migration", "taobao-demo", str(edited)], env=env)
    assert result.exit_code == 1
    assert "20171 女装>T恤 is not open to the shop" in result.output
    assert not (tmp_path / "overrides.csv").exists()

    edited.write_text(
        f"source_item_id,chosen_category_id,scope\n{listing.source_item_id},90011,category\n",
        encoding="utf-8",
    )
    result = run(["review", "import", "--migration", "taobao-demo", str(edited)], env=env)
    assert result.exit_code == 0, result.output
    rows = csv_rows((tmp_path / "overrides.csv").read_text(encoding="utf-8"))
    assert [(r["source_category"], r["kuaishou_category_id"]) for r in rows] == [
        ("50000671", "90011")  # scope category: the item's source category, not the item
    ]
