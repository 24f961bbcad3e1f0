"""The category stage's files: the merchant's overrides CSV on top of inline overrides, a bad row
named by file and line, and the shop's open categories."""

from pathlib import Path

import pytest

from listings.categories import CategoryTree, OverridesFileError
from listings.migrations import Migration, parse_migrations
from pipeline.category_inputs import append_overrides, load_mapping, load_overrides, open_leaf_ids

TREE = Path(__file__).parents[2] / "data" / "categories" / "kuaishou_sandbox_tree.csv"


def migration_with(category_yaml: str) -> Migration:
    text = f"""
migrations:
  - key: tb-test
    mode: move
    source: {{platform: taobao, shop_id: s, app_key: "1", app_secret_env: A, session_env: B}}
    target: {{app_key: ks, sign_secret_env: C, access_token_env: D}}
    category: {category_yaml}
"""
    return parse_migrations(text).migrations[0]


def test_the_overrides_file_adds_to_and_beats_inline_overrides(tmp_path: Path) -> None:
    path = tmp_path / "overrides.csv"
    path.write_text(
        "source_category,kuaishou_category_id\n50010850,24914\nitem:1001,20224\n", encoding="utf-8"
    )
    migration = migration_with(
        f'{{overrides: {{"50010850": 20224, "50000671": 20171}}, overrides_file: "{path}"}}'
    )
    assert load_overrides(migration) == {"50010850": 24914, "50000671": 20171, "item:1001": 20224}


def test_a_migration_whose_overrides_file_does_not_exist_yet_has_its_inline_ones(
    tmp_path: Path,
) -> None:
    migration = migration_with(
        f'{{overrides: {{"1": 20224}}, overrides_file: "{tmp_path / "later.csv"}"}}'
    )
    assert load_overrides(migration) == {"1": 20224}


def test_a_bad_row_in_the_overrides_file_names_the_file_and_the_line(tmp_path: Path) -> None:
    path = tmp_path / "overrides.csv"
    path.write_text(
        "source_category,kuaishou_category_id\n50010850,24914\n50000671,T恤\n", encoding="utf-8"
    )
    migration = migration_with(f'{{overrides_file: "{path}"}}')
    with pytest.raises(OverridesFileError, match=rf"{path}: line 3: kuaishou_category_id 'T恤'"):
        load_overrides(migration)


def test_an_overrides_file_a_spreadsheet_saved_as_gbk_is_read(tmp_path: Path) -> None:
    """Merchants edit the file in Excel or WPS, whose "CSV" on a Chinese Windows is GBK."""
    path = tmp_path / "overrides.csv"
    path.write_text(
        "source_category,kuaishou_category_id,note\n女装>连衣裙,20224,连衣裙\n", encoding="gbk"
    )
    assert load_overrides(migration_with(f'{{overrides_file: "{path}"}}')) == {"女装>连衣裙": 20224}


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("source_category,kuaishou_category_id,note\n女装>连衣裙,20224,裙\n", "gbk"),
        ("source_category,kuaishou_category_id,note\n女装>连衣裙,20224,裙", "utf-8"),
    ],
    ids=["saved-as-gbk", "last-line-without-newline"],
)
def test_appending_to_an_overrides_file_keeps_one_encoding_and_its_lines(
    tmp_path: Path, text: str, encoding: str
) -> None:
    """The next import appends UTF-8 rows: the existing text is written back as UTF-8 ending in
    a newline first, its rows kept, so no file holds two encodings and no row joins the last."""
    path = tmp_path / "overrides.csv"
    path.write_text(text, encoding)
    append_overrides(path, [["item:1001", "20171", "T恤"]])
    assert path.read_text(encoding="utf-8").splitlines() == [
        "source_category,kuaishou_category_id,note",
        "女装>连衣裙,20224,裙",
        "item:1001,20171,T恤",
    ]


def test_an_overrides_file_that_is_no_text_names_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "overrides.csv"
    path.write_bytes(b"source_category,kuaishou_category_id\n\xff\xfe\x80,1\n")
    with pytest.raises(OverridesFileError, match=r"neither UTF-8 nor GBK/GB18030.*CSV UTF-8"):
        load_overrides(migration_with(f'{{overrides_file: "{path}"}}'))


def test_the_shipped_mapping_table_is_the_default_and_null_turns_it_off() -> None:
    assert load_mapping(migration_with("{}")).rows
    assert not load_mapping(migration_with("{mapping_file: null}")).rows


def test_open_categories_narrow_the_leaves_to_the_shop_s_branches() -> None:
    tree = CategoryTree.from_csv_text(TREE.read_text(encoding="utf-8"))
    assert open_leaf_ids(tree, migration_with("{}")) == set(tree.leaves)
    opened = open_leaf_ids(tree, migration_with("{open_categories: [20005, 90022]}"))
    assert opened == {20224, 20179, 29082, 20171, 20178, 22443, 20210, 90022}
