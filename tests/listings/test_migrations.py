"""The migrations file: validated with errors that name the migration, the field and the fix."""

import pytest

from listings.migrations import MigrationsConfigError, parse_migrations
from listings.supply import ReportScene, SupplyPlatform
from tests.samples import MIGRATION_YAML


def test_the_project_demo_file_is_valid() -> None:
    from pathlib import Path

    text = (Path(__file__).parents[2] / "data" / "migrations.yaml").read_text(encoding="utf-8")
    config = parse_migrations(text)
    demo = config.get("taobao-demo")
    assert (demo.seller.scene, demo.seller.platform, demo.seller.platform_name) == (
        ReportScene.MOVE,
        SupplyPlatform.OTHER,
        "淘宝",
    )


def test_a_secret_value_in_place_of_an_env_var_name_is_refused() -> None:
    text = MIGRATION_YAML.replace("session_env: TB_SESSION", "session_env: 6201a8f9c0e")
    with pytest.raises(MigrationsConfigError, match=r"'tb-test': source.session_env: .*NAME"):
        parse_migrations(text)


def test_distributing_a_taobao_shop_is_refused_as_an_untruthful_report() -> None:
    text = MIGRATION_YAML.replace("mode: move", "mode: distribute")
    with pytest.raises(MigrationsConfigError, match=r"moved .*scene 2.*not distributed"):
        parse_migrations(text)


def test_a_1688_distribution_needs_the_supplier_name() -> None:
    text = MIGRATION_YAML.replace("mode: move", "mode: distribute").replace(
        "platform: taobao", "platform: alibaba1688"
    )
    with pytest.raises(MigrationsConfigError, match="shop_name is required"):
        parse_migrations(text)


def test_a_1688_distribution_reports_scene_1_platform_1() -> None:
    text = (
        MIGRATION_YAML.replace("mode: move", "mode: distribute")
        .replace("platform: taobao", "platform: alibaba1688")
        .replace("shop_id: shop-1,", "shop_id: shop-1, shop_name: 义乌好货工厂,")
    )
    seller = parse_migrations(text).migrations[0].seller
    assert (seller.scene, seller.platform, seller.platform_name) == (1, 1, "1688")


def test_repeated_migration_keys_are_refused() -> None:
    body = MIGRATION_YAML.split("migrations:\n", 1)[1]
    with pytest.raises(MigrationsConfigError, match="repeat: tb-test"):
        parse_migrations("migrations:\n" + body + body)


def test_a_bad_migration_key_says_what_a_key_may_contain() -> None:
    with pytest.raises(MigrationsConfigError, match="lower-case letters"):
        parse_migrations(MIGRATION_YAML.replace("key: tb-test", "key: TB Test"))


def test_invalid_yaml_is_reported_with_the_file_name() -> None:
    with pytest.raises(MigrationsConfigError, match=r"shops\.yaml: not valid YAML"):
        parse_migrations("migrations: [", source="shops.yaml")


def test_the_publishing_priority_and_concurrency_are_read_from_the_file() -> None:
    text = (
        MIGRATION_YAML.replace(
            "access_token_env: KS_TOKEN}", "access_token_env: KS_TOKEN, publish_concurrency: 8}"
        )
        + "    publish: {priority: best_sellers}\n"
    )
    (migration,) = parse_migrations(text).migrations
    assert (migration.publish.priority.value, migration.target.publish_concurrency) == (
        "best_sellers",
        8,
    )


def test_plan_approval_is_auto_unless_the_file_requires_it() -> None:
    (auto,) = parse_migrations(MIGRATION_YAML).migrations
    (required,) = parse_migrations(
        MIGRATION_YAML + "    publish: {approval: required}\n"
    ).migrations
    assert (auto.publish.approval.value, required.publish.approval.value) == ("auto", "required")
    with pytest.raises(MigrationsConfigError, match=r"publish.approval.*required"):
        parse_migrations(MIGRATION_YAML + "    publish: {approval: maybe}\n")


def test_an_unknown_publishing_priority_names_the_choices() -> None:
    text = MIGRATION_YAML + "    publish: {priority: cheapest}\n"
    with pytest.raises(MigrationsConfigError, match=r"publish.priority.*best_sellers"):
        parse_migrations(text)
