"""Price rules in integer fen, advertising-law words in titles, short titles, SKU value collisions,
refund rules: each on a realistic listing of its source (Taobao, Pinduoduo, 1688)."""

from pathlib import Path

from listings.categories import CategoryDecision
from listings.draft import KuaishouDraft
from listings.drafting import build_draft
from listings.migrations import Migration, PriceRule, TitleRules
from listings.model import Sku, SourcePlatform, SpecValue
from listings.pricing import apply_price_rule, market_price_fen
from listings.quarantine import Problem
from listings.titles import clean_title, derive_short_title, parse_word_list
from tests.samples import tshirt

DECIDED = CategoryDecision(category_id=23001, path="女装>T恤", confidence=0.99, layer="text")
WORDS = parse_word_list(
    (Path(__file__).parents[2] / "data" / "forbidden_words.txt").read_text(encoding="utf-8")
)


def _with(migration: Migration, **parts: object) -> Migration:
    return migration.model_copy(update=parts)


def test_rounding_goes_up_to_the_chosen_ending() -> None:
    assert apply_price_rule(3900, PriceRule(markup_percent=10, rounding="jiao9")) == 4290
    assert apply_price_rule(4291, PriceRule(rounding="jiao9")) == 4390
    assert apply_price_rule(4250, PriceRule(rounding="fen99")) == 4299
    assert apply_price_rule(4201, PriceRule(rounding="yuan")) == 4300
    assert apply_price_rule(4200, PriceRule(rounding="yuan")) == 4200


def test_a_minimum_margin_lifts_a_thin_markup() -> None:
    # a 1688 consign price of ¥12.50 with 5 % would earn 63 fen; the migration wants ¥2 at least
    assert apply_price_rule(1250, PriceRule(markup_percent=5, min_margin_fen=200)) == 1450


def test_a_negative_add_that_leaves_nothing_is_quarantined(migration: Migration) -> None:
    cheap = _with(migration, pricing=PriceRule(add_fen=-5000))
    result = build_draft(tshirt(), decision=DECIDED, migration=cheap)
    assert isinstance(result, Problem) and result.reason_code == "price_not_positive"


def test_market_price_is_sent_only_within_kuaishous_bound() -> None:
    assert market_price_fen(4620, PriceRule(market_price_percent=150)) == 6930
    assert market_price_fen(4620, PriceRule(market_price_percent=1000)) == 46200
    assert market_price_fen(4620, PriceRule()) is None


def test_every_sku_carries_the_market_price_above_the_highest_sale_price(
    migration: Migration,
) -> None:
    rule = migration.pricing.model_copy(update={"market_price_percent": 200})
    draft = build_draft(tshirt(), decision=DECIDED, migration=_with(migration, pricing=rule))
    assert isinstance(draft, KuaishouDraft)
    assert {s.market_price_fen for s in draft.skus} == {2 * draft.price_max_fen}


def test_absolute_terms_are_removed_from_a_taobao_title(migration: Migration) -> None:
    draft = build_draft(
        tshirt(title="最好穿的纯棉短袖T恤女 全网第一 国家级品质"),
        decision=DECIDED,
        migration=migration,
        forbidden_words=WORDS,
    )
    assert isinstance(draft, KuaishouDraft)
    assert draft.title == "穿的纯棉短袖T恤女 品质"


def test_flagging_quarantines_and_names_the_words(migration: Migration) -> None:
    flag = _with(migration, titles=TitleRules(forbidden_words="flag"))
    result = build_draft(
        tshirt(title="顶级纯棉短袖T恤女"), decision=DECIDED, migration=flag, forbidden_words=WORDS
    )
    assert isinstance(result, Problem) and result.reason_code == "forbidden_words"
    assert "顶级" in result.detail


def test_a_migration_extends_the_word_list(migration: Migration) -> None:
    extra = _with(migration, titles=TitleRules(extra_forbidden_words=("爆款",)))
    draft = build_draft(
        tshirt(title="爆款纯棉短袖T恤女"), decision=DECIDED, migration=extra, forbidden_words=WORDS
    )
    assert isinstance(draft, KuaishouDraft) and draft.title == "纯棉短袖T恤女"


def test_the_longer_word_is_removed_whole() -> None:
    assert clean_title("最佳选择 保温杯", forbidden=WORDS, action="remove") == "选择 保温杯"


def test_the_pdd_tiny_name_becomes_the_short_title(migration: Migration) -> None:
    pdd = tshirt(platform=SourcePlatform.PINDUODUO, short_title="猫咪逗猫棒羽毛")
    draft = build_draft(pdd, decision=DECIDED, migration=migration, forbidden_words=WORDS)
    assert isinstance(draft, KuaishouDraft) and draft.short_title == "猫咪逗猫棒羽毛"


def test_without_a_tiny_name_the_short_title_is_the_titles_head() -> None:
    short = derive_short_title(
        tiny_name=None, title="义乌厂家直销 加厚不锈钢保温杯大容量户外便携水杯"
    )
    assert short == "义乌厂家直销"
    assert derive_short_title(tiny_name="杯子", title="不锈钢保温杯大容量户外便携水杯男女") == (
        "不锈钢保温杯大容量户外便携水杯男女"
    )


def test_values_that_collide_after_nfkc_are_suffixed(migration: Migration) -> None:
    # 1688 suppliers often type full-width letters next to ASCII ones: Ｍ and M are one to Kuaishou
    skus = tuple(
        Sku(
            source_sku_id=str(i),
            specs=(SpecValue(name="颜色", value="白"), SpecValue(name="尺码", value=size)),
            price_fen=1000,
            stock=3,
        )
        for i, size in enumerate(("M", "Ｍ", "L"))
    )
    draft = build_draft(
        tshirt(platform=SourcePlatform.ALIBABA1688, skus=skus),
        decision=DECIDED,
        migration=migration,
    )
    assert isinstance(draft, KuaishouDraft)
    assert [s.props[1].value for s in draft.skus] == ["M", "Ｍ(2)", "L"]
    assert not any(s.synthetic for s in draft.skus)


def test_a_refund_rule_the_category_forbids_is_quarantined_naming_both(
    migration: Migration,
) -> None:
    result = build_draft(
        tshirt(), decision=DECIDED, migration=migration, allowed_refund_rules=("4", "13")
    )
    assert isinstance(result, Problem) and result.reason_code == "refund_rule_not_allowed"
    assert "'1'" in result.detail and "4, 13" in result.detail


def test_an_allowed_refund_rule_and_the_delivery_time_reach_the_draft(
    migration: Migration,
) -> None:
    draft = build_draft(
        tshirt(), decision=DECIDED, migration=migration, allowed_refund_rules=("1",)
    )
    assert isinstance(draft, KuaishouDraft)
    assert (draft.refund_rule, draft.promise_delivery_time_s) == ("1", 172_800)
