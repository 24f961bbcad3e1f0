"""`banjia plan import`'s row checks on their own (the round trip against the sandbox is
tests/pipeline/test_publish_plan.py)."""

from __future__ import annotations

from pipeline.plan_import import PlanItem, check_plan_csv
from store.plan_approvals import Approval

PLAN = {
    "a": PlanItem("create", "19.90", "19.90"),
    "b": PlanItem("create", "9.90", "29.90"),
    "c": PlanItem("skip", "5.00", "5.00"),
    "q": PlanItem("quarantine"),
}
LEAVES = {1001: ("服饰 > T恤", True), 1002: ("宠物 > 猫粮", False)}
FORBIDDEN = ("最好", "第一")


def _check(text: str):  # type: ignore[no-untyped-def]
    return check_plan_csv(text, plan=PLAN, forbidden=FORBIDDEN, leaves=LEAVES)


def test_decided_rows_are_read_and_blank_rows_keep_their_earlier_decision() -> None:
    text = "source_item_id,action,approve,exclude\na,create,YES,\nb,create,,yes\nc,create,,\n"
    result = _check(text)
    assert result.problems == []
    assert result.approvals == [Approval("a", True, False), Approval("b", False, True)]
    assert result.edits == {}


def test_every_wrong_row_is_named_with_its_line_item_column_and_the_fix() -> None:
    text = "source_item_id,approve,exclude\na,yes,\na,no,\nzz,yes,\nb,ok,nah\n"
    assert _check(text).problems == [
        "line 3 (item a), source_item_id: already on line 2; keep one row per item",
        "line 4 (item zz), source_item_id: not in this migration's plan; keep the exported ids",
        "line 5 (item b), approve: 'ok' is not yes or no: write yes, no or leave it blank",
        "line 5 (item b), exclude: 'nah' is not yes or no: write yes, no or leave it blank",
    ]


def test_a_file_without_the_decision_columns_is_refused() -> None:
    result = check_plan_csv("source_item_id,title\na,x\n", plan=PLAN, forbidden=(), leaves={})
    assert result.problems == ["line 1: missing column(s) approve, exclude: export the plan again"]


def test_title_short_title_and_price_edits_are_read_as_the_values_to_keep() -> None:
    text = (
        "source_item_id,new_title,new_short_title,new_price_yuan,approve,exclude\n"
        "a,  春季  纯棉T恤 ,纯棉T恤女款,¥25.5,yes,\n"
        "c,,,-,,\n"
    )
    result = _check(text)
    assert result.problems == []
    assert result.edits == {
        "a": {"title": "春季 纯棉T恤", "short_title": "纯棉T恤女款", "price_fen": 2550},
        "c": {"price_fen": None},  # `-` clears the earlier price edit
    }


def test_wrong_titles_and_prices_name_the_rule_they_break() -> None:
    text = (
        "source_item_id,new_title,new_short_title,new_price_yuan,approve,exclude\n"
        "a,全网第一好T恤,T恤,19.999,,\n"
        f"b,{'长' * 31},,20,,\n"
        "c,,,0,,\n"
    )
    assert _check(text).problems == [
        "line 2 (item a), new_title: contains advertising-law absolute terms 第一: reword it "
        "without them",
        "line 2 (item a), new_short_title: has 2 characters; Kuaishou needs more than 4 and "
        "fewer than 20: rewrite it",
        "line 2 (item a), new_price_yuan: '19.999' is not a price in yuan: write digits with at "
        "most 2 decimals, e.g. 19.90",
        "line 3 (item b), new_title: is 62 wide (a 汉字 counts 2), at most 60 (30 汉字): shorten it",
        "line 3 (item b), new_price_yuan: the item's SKUs cost 9.90 to 29.90 yuan and one price "
        "would flatten them: change their prices on the source or the migration's price rule "
        "(SKU prices are not edited here)",
        "line 4 (item c), new_price_yuan: '0' is outside 0.01 to 10000000 yuan: write a price "
        "in that range",
    ]


def test_a_quarantined_item_has_no_draft_to_edit() -> None:
    text = "source_item_id,new_title,approve,exclude\nq,新标题新标题,,\n"
    (problem,) = _check(text).problems
    assert problem.startswith("line 2 (item q), new_title: the item is quarantined")


def test_a_category_edit_must_be_an_open_leaf_of_the_shop_tree() -> None:
    text = "source_item_id,new_category_id,approve,exclude\na,1001,,\nb,1002,,\nc,999,,\nq,abc,,\n"
    result = _check(text)
    assert result.categories == {"a": (1001, "服饰 > T恤", 2)}
    assert result.problems == [
        "line 3 (item b), new_category_id: 1002 宠物 > 猫粮 is not open to the shop: open it in "
        "the Kuaishou merchant backend (and category.open_categories) or choose another leaf",
        "line 4 (item c), new_category_id: 999 is not a leaf of the shop's Kuaishou tree: "
        "choose a leaf (`banjia categories match` shows candidates)",
        "line 5 (item q), new_category_id: 'abc' is not a category id: write a leaf id (digits)",
    ]
