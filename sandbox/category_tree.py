"""The category tree that the Kuaishou sandbox serves (data/categories/kuaishou_sandbox_tree.csv).

The tree has its own small loader so that the emulator and its tests agree on what a leaf is.
`open.item.new` accepts only leaves. Anything else is "商品来源不可售卖".
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

__all__ = ["DEFAULT_TREE_PATH", "CategoryNode", "CategoryTree"]

DEFAULT_TREE_PATH = (
    Path(__file__).resolve().parents[1] / "data" / "categories" / "kuaishou_sandbox_tree.csv"
)


@dataclass(frozen=True, slots=True)
class CategoryNode:
    category_id: int
    name: str
    parent_id: int
    level: int
    is_leaf: bool
    path: str
    synthetic: bool


class CategoryTree:
    """Categories by id, read once from the CSV (columns as in kuaishou_sandbox_tree.md)."""

    def __init__(self, nodes: list[CategoryNode]) -> None:
        self._by_id = {node.category_id: node for node in nodes}
        self.nodes: tuple[CategoryNode, ...] = tuple(nodes)

    @classmethod
    def load(cls, path: Path = DEFAULT_TREE_PATH) -> CategoryTree:
        with path.open(encoding="utf-8", newline="") as handle:
            nodes = [
                CategoryNode(
                    category_id=int(row["category_id"]),
                    name=row["name"],
                    parent_id=int(row["parent_id"]),
                    level=int(row["level"]),
                    is_leaf=row["is_leaf"] == "1",
                    path=row["path"],
                    synthetic=row.get("synthetic", "0") == "1",
                )
                for row in csv.DictReader(handle)
            ]
        return cls(nodes)

    def get(self, category_id: int) -> CategoryNode | None:
        return self._by_id.get(category_id)

    def is_leaf(self, category_id: int) -> bool:
        node = self._by_id.get(category_id)
        return node is not None and node.is_leaf

    def leaves(self) -> list[CategoryNode]:
        return [node for node in self.nodes if node.is_leaf]
