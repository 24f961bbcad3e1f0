"""The naive plain-Python transform issue 19 measured, the baseline of the drafts and transform
benches: each stage's ratio is the stage's speed over this one's, measured in the same run.

- `naive_drafts`: listings (JSON) through stdlib json and dicts, the full colour × size matrix
  filled (missing cells at stock 0, the highest price), the title cut and the draft serialized
  again. It does less than the drafts stage: no relItemId/relSkuId hashing, price rule, gallery
  or title rules (decision 86).
- `NaiveCategories`: "one transform and one sparse product per batch" with the matcher's choices
  of TF-IDF (character 1–3-grams within words, sublinear tf, every leaf's name path with its own
  name counted twice), and the leaf of the highest cosine for each listing. It does less than the
  category matcher: no non-product check, override or mapping layer, no product-type, audience
  or use-context gates, no candidates, reasons or calibrated confidence (decision 90).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from listings.categories import CategoryTree

__all__ = ["NaiveCategories", "naive_drafts"]

_SEPARATORS = re.compile(r"[\W_]+")


def naive_drafts(batch: Sequence[str]) -> int:
    """The drafts baseline: the same JSON through stdlib json and dicts, with the full colour ×
    size matrix filled (missing cells at stock 0, the highest price) and serialized again."""
    for text in batch:
        item = json.loads(text)
        cells = {tuple(spec["value"] for spec in sku["specs"]): sku for sku in item["skus"]}
        dims = [sorted({key[d] for key in cells}) for d in range(2)]
        top = max(sku["price_fen"] for sku in item["skus"])
        matrix = [
            {
                "specs": [a, b],
                "price": cells[(a, b)]["price_fen"] if (a, b) in cells else top,
                "stock": cells[(a, b)]["stock"] if (a, b) in cells else 0,
            }
            for a in dims[0]
            for b in dims[1]
        ]
        json.dumps({"title": item["title"][:30], "skus": matrix}, ensure_ascii=False)
    return len(batch)


def _plain(text: str) -> str:
    return _SEPARATORS.sub(" ", unicodedata.normalize("NFKC", text).lower()).strip()


class NaiveCategories:
    """The categories baseline: fitted once per tree (outside any clock), then per batch one
    TF-IDF transform of the titles (with their source path) and one sparse product, argmax."""

    def __init__(self, tree: CategoryTree) -> None:
        self._ids = sorted(tree.leaves)
        docs = [" ".join([*tree.leaves[leaf], tree.leaves[leaf][-1]]) for leaf in self._ids]
        self._vectorizer = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True, preprocessor=_plain
        )
        self._matrix = self._vectorizer.fit_transform(docs).T.tocsr()

    def choose(self, batch: Sequence[str]) -> list[int]:
        """The leaf id of the highest cosine for each listing (JSON) of the batch."""
        items = [json.loads(text) for text in batch]
        texts = [" ".join([item["title"], *item["category"]["path"]]) for item in items]
        cosines = (self._vectorizer.transform(texts) @ self._matrix).toarray()
        return [self._ids[int(i)] for i in np.argmax(cosines, axis=1)]
