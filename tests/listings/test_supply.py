"""The scene and seller platform of every row of the DESIGN.md table, and every refusal at load time."""

from datetime import timedelta

import pytest

from listings.migrations import Migration, MigrationsConfigError, parse_migrations
from listings.supply import report_retry_delay

MIGRATION = """
migrations:
  - key: m1
    mode: {mode}
    source: {{platform: {platform}, shop_id: shop-1, shop_name: 义乌好货工厂, app_key: "1",
             app_secret_env: SRC_SECRET, session_env: SRC_SESSION}}
    target: {{app_key: ks, sign_secret_env: KS_SIGN, access_token_env: KS_TOKEN}}
{supply}"""


def load(*, mode: str, platform: str, supply: str = "") -> Migration:
    text = MIGRATION.format(mode=mode, platform=platform, supply=supply)
    return parse_migrations(text).migrations[0]


def reported(migration: Migration) -> tuple[int, int, str]:
    seller = migration.seller
    return int(seller.scene), int(seller.platform), seller.platform_name


@pytest.mark.parametrize(
    ("platform", "name"),
    [("taobao", "淘宝"), ("tmall", "天猫"), ("pinduoduo", "拼多多"), ("alibaba1688", "1688")],
)
def test_moving_a_shop_reports_scene_2_platform_3_and_the_source_name(
    platform: str, name: str
) -> None:
    assert reported(load(mode="move", platform=platform)) == (2, 3, name)


def test_distributing_1688_offers_reports_scene_1_platform_1_named_1688() -> None:
    assert reported(load(mode="distribute", platform="alibaba1688")) == (1, 1, "1688")


def test_distributing_from_the_operators_own_supply_platform_reports_platform_2_and_its_name() -> (
    None
):
    migration = load(
        mode="distribute", platform="taobao", supply="    supply: {origin: own, name: 小鹿供应链}\n"
    )
    assert reported(migration) == (1, 2, "小鹿供应链")


def test_distributing_from_another_channel_reports_platform_3_and_the_channel_name() -> None:
    migration = load(
        mode="distribute",
        platform="pinduoduo",
        supply="    supply: {origin: other, name: 一件代发网}\n",
    )
    assert reported(migration) == (1, 3, "一件代发网")


@pytest.mark.parametrize("platform", ["taobao", "tmall", "pinduoduo"])
def test_distributing_a_merchants_own_shop_is_refused(platform: str) -> None:
    with pytest.raises(MigrationsConfigError, match=r"'m1'.*moved .*not distributed"):
        load(mode="distribute", platform=platform)


def test_an_own_supply_platform_without_the_operators_name_is_refused() -> None:
    with pytest.raises(MigrationsConfigError, match=r"'m1'.*needs supply.name \(the operator's"):
        load(mode="distribute", platform="taobao", supply="    supply: {origin: own}\n")


def test_another_channel_without_a_name_is_refused() -> None:
    with pytest.raises(MigrationsConfigError, match=r"needs supply.name \(the channel's name\)"):
        load(mode="distribute", platform="taobao", supply="    supply: {origin: other}\n")


@pytest.mark.parametrize("name", ["其他", "other", "1688"])
def test_another_channel_with_a_generic_or_1688_name_is_refused(name: str) -> None:
    with pytest.raises(MigrationsConfigError, match="not a concrete channel"):
        load(
            mode="distribute",
            platform="taobao",
            supply=f"    supply: {{origin: other, name: '{name}'}}\n",
        )


@pytest.mark.parametrize("origin", ["own", "other"])
def test_a_supply_origin_on_a_moved_shop_is_refused(origin: str) -> None:
    with pytest.raises(MigrationsConfigError, match="only for mode 'distribute'"):
        load(
            mode="move", platform="taobao", supply=f"    supply: {{origin: {origin}, name: X仓}}\n"
        )


def test_a_supply_name_without_an_origin_is_refused_rather_than_ignored() -> None:
    with pytest.raises(MigrationsConfigError, match=r"remove supply\.name or set supply\.origin"):
        load(mode="move", platform="taobao", supply="    supply: {name: 小鹿供应链}\n")


def test_an_unknown_supply_origin_is_refused_with_the_allowed_values() -> None:
    with pytest.raises(MigrationsConfigError, match=r"supply.origin: .*'source', 'own' or 'other'"):
        load(mode="distribute", platform="taobao", supply="    supply: {origin: factory}\n")


def test_report_retries_back_off_exponentially_and_stay_under_an_hour() -> None:
    delays = [report_retry_delay(n) for n in range(1, 9)]
    assert delays[:5] == [timedelta(minutes=m) for m in (2, 4, 8, 16, 32)]
    assert delays[5:] == [timedelta(minutes=50)] * 3
