"""`banjia plan import`'s row checks on their own (the round trip is tests/pipeline/test_publish_plan.py)."""

from __future__ import annotations

from banjia.cli_plan import read_plan_csv
from store.plan_approvals import Approval

ITEMS = {"a", "b", "c"}


def test_decided_rows_are_read_and_blank_rows_keep_their_earlier_decision() -> None:
    text = "source_item_id,action,approve,exclude\na,create,YES,\nb,create,,yes\nc,create,,\n"
    decisions, problems = read_plan_csv(text, items=ITEMS)
    assert problems == []
    assert decisions == [Approval("a", True, False), Approval("b", False, True)]


def test_every_wrong_row_is_named_with_its_line_and_the_fix() -> None:
    text = "source_item_id,approve,exclude\na,yes,\na,no,\nzz,yes,\nb,ok,nah\n"
    _, problems = read_plan_csv(text, items=ITEMS)
    assert problems == [
        "line 3: source_item_id 'a' is already on line 2",
        "line 4: source_item_id 'zz' is not in this migration's plan",
        "line 5: approve is 'ok': write yes, no or leave it blank; "
        "exclude is 'nah': write yes, no or leave it blank",
    ]


def test_a_file_without_the_decision_columns_is_refused() -> None:
    _, problems = read_plan_csv("source_item_id,title\na,x\n", items=ITEMS)
    assert problems == ["line 1: missing column(s) approve, exclude: export the plan again"]
