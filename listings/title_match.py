"""The product type and audience of a Chinese title, checked against a leaf: the text layer's gates.

Why not cosine alone: on real seller titles a character-n-gram cosine lets incidental words win
(an age range "1-2-3-6岁" against a leaf "(0-16岁)", 套装 in a cookware set, a product code) and
is blind to who a product is for. Here a leaf is trusted only when:

1. the title names the leaf's product type: a term of the leaf's own name ("仿真花/假花" → 仿真花,
   假花), or the head noun of a longer term ("鞋子收纳架" → 收纳架, at lower strength);
2. no other product type in the title disagrees with the leaf (a 衣柜 title must not land on a
   收纳架 leaf just because it says 收纳架): every product noun the title names is named by the
   leaf's path, or is a usage word (摆件, 礼物, 道具) while a real type noun agrees;
3. the audience agrees: a leaf under 女装/童装/宠物 needs the title to say so, and a title that says
   男士 never lands on a women's leaf;
4. the leaf is specific (not 其它/其他).

Digits, sizes and product codes are removed before matching. Nothing here knows one tree: terms
come from the leaf names given, the lexicons (listings/title_lexicon.py) are generic.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import groupby
from typing import NamedTuple

import ahocorasick

from listings.segment import Segmenter, aligned, boundaries, cut_words, segmenter_for, tagged
from listings.title_lexicon import (
    ALL_AGES,
    AUDIENCE_WORDS,
    CONTEXT_WORDS,
    DEVICE_ENDINGS,
    DRESS_STYLES,
    FEMALE_GARMENTS,
    HEAD_CHARS,
    HEAD_KINDS,
    HOME_TOO_CONTEXTS,
    HOME_WORDS,
    INDOORS_AND_OUT,
    KINDS,
    MATERIAL_WORDS,
    MATERNITY_WORDS,
    MODIFIER_WORDS,
    NOT_DEVICES,
    NOT_KINDS,
    OPPOSITE_FORMS,
    PET_USE_WORDS,
    PLACE_NOUNS,
    PRODUCT_NOUNS,
    ROLE_WORDS,
    SAID_AGAIN,
    SLEEVE_WORDS,
    STOCK_FORMS,
    STRONG_CONTEXTS,
    SYNONYMS,
    TOY_CARS,
    USAGE_WORDS,
    WARE_HEADS,
)

__all__ = [
    "CATCH_ALL",
    "LeafTerms",
    "TitleFacts",
    "Verdict",
    "WordClasses",
    "WordIndex",
    "catch_all_verdict",
    "clean_title",
    "contexts_of",
    "family_of",
    "generic_stem",
    "goods_use_words",
    "holds_parent",
    "implied_audience",
    "judge",
    "leaf_audience",
    "leaf_terms",
    "own_type",
    "set_of",
    "set_product",
    "source_audience",
    "split_term",
    "title_facts",
    "tree_segmenter",
    "tree_vocabulary",
    "variants",
    "weak_evidence",
]

TERM, APART, KIND, HEAD = "term", "apart", "kind", "head"
_SET = re.compile(r"套装|[两二三四五六七八九十多]件套")
_CODES = re.compile(r"[a-z]*\d[a-z0-9.#*/×-]*|#[a-z0-9]+", re.IGNORECASE)
_HEADS = "".join(sorted(HEAD_CHARS))
_COUNTS = re.compile(
    rf"(?<![0-9a-wyz.])(?:\d{{1,2}}|[一两二三四五六七八九十])[{_HEADS}]"
    rf"|(?:(?<=[粒片支颗只个条张抽克升斤])|(?<=\d[gl])|(?<=ml|kg))/[{_HEADS}]"
)
_GRADES = re.compile(r"食品级|食用级")
"""A grade the material meets, not a product: 食品级 (food-grade) on a chopping board or a
storage jar names no food (decision 208)."""
_SPLIT = re.compile(r"[/、,，()（）\[\]【】\s&+]+")
_GENERIC = ("其它", "其他", "其余")
CATCH_ALL = "the leaf is a catch-all (其它/其他)"
_UNISEX = ("男女", "女男", "情侣", "通用")
HEAD_STRENGTH = 0.7
"""A head-noun hit (收纳架 of 鞋子收纳架) counts less than the leaf's whole term."""
LEAD_EXCUSES = 1
"""How many other product nouns may follow the product a title leads with (see `_leads`)."""
DOMINANCE = 2
"""See `_dominates`."""
CATCH_ALL_STRENGTH = 0.9
"""A catch-all (其它材质类墙纸) ranks just below a specific leaf named by the same word, and above
one named only by its head noun (墙纸 of 布面墙纸): the title does not say what makes it specific."""
_NOMINAL_SUFFIXES = ("子", "头")
_NOUN_SUFFIX = "子"
"""The suffix that makes a head character a word of its own (桌 → 桌子, 被 → 被子), unlike 头,
which as often names a part (拖把头, 笔头)."""
_NOT_NOMINAL = frozenset({"包"})
"""One-character nouns whose form with 子 is another word: 包子 is a bun, not a bag."""
_COVER = "套"
"""A head noun only in `_names`: 橡皮套 is a cover, 手机套 a case; 套装/套餐 sell sets of the word
before them (`_SET_WORDS`), so 套 is no head character elsewhere."""
_SET_WORDS = ("套装", "套餐")
"""Say how a product is sold, not what it is: never a head of a leaf (decision 110); a term only
where one is a whole part of a leaf's name (童装 > 套装, decision 114)."""
_SET_KINDS = frozenset({*_SET_WORDS, *(k for w in _SET_WORDS for k in KINDS.get(w, ()))})
"""A set word and the kinds of it (two-, three-piece sets): what names an outfit leaf (童装 >
套装) when the title's other products are of the leaf's root (`_a_set_of`)."""


def clean_title(text: str) -> str:
    """NFKC, lower case, sizes/codes/digits removed: what product words remain. A count of
    containers (2瓶, 3盒, 一瓶装, 两盒) goes with its number, and a container after a count of
    pieces or a weight or volume (30粒/瓶, 300g/盒, 30ml/瓶) with its slash: there the head noun
    is a measure word (two bottles of foundation, thirty capsules a bottle, a bottle of 30 ml),
    not the product (decisions 167, 187)."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _GIFTS.sub(" ", text)
    text = _GRADES.sub(" ", text)
    if "非" in text or "不是" in text:
        text = _drop_negated(text)
    text = _drop_roles(text)
    return _CODES.sub(" ", _COUNTS.sub(" ", text))


_NEGATION = re.compile(r"(?<![是除无莫并])(?:并非|不是|非)(?![洲遗常凡法])")
"""非/并非/不是 before a word: the title says what the product is NOT (非仿真花假花 on dried
flowers, 棉柔巾非湿巾, 非纸内裤); not 非洲, 非遗, 非常, 是非, 除非."""


def _drop_negated(text: str) -> str:
    """`text` with each negated word blanked, and the words right after it that name the same
    product (假花 after 非仿真花: one synonym group): the product is something else."""
    out = list(text)
    for found in _NEGATION.finditer(text):
        words = cut_words(text[found.end() : found.end() + 12])
        if not words or not words[0].strip():
            continue
        group = _SYNONYM_OF.get(words[0], frozenset({words[0]}))
        end = found.end()
        for word in words:
            if word != words[0] and word not in group:
                break
            end += len(word)
        out[found.start() : end] = " " * (end - found.start())
    return "".join(out)


_SYNONYM_OF: dict[str, frozenset[str]] = {word: group for group in SYNONYMS for word in group}


def _drop_roles(text: str) -> str:
    """`text` with each role word (`ROLE_WORDS`: 打底衫) cut to its role (打底) when the title
    also names a product it gives way to: 针织打底衫 … 毛衣 sells a sweater, not a T-shirt."""
    for role, products in ROLE_WORDS.items():
        if role in text and any(p in text.replace(role, " ") for p in products):
            text = text.replace(role, role[:-1] + " ")
    return text


_GIFTS = re.compile(
    r"[赠送](?![品货])[^【】\[\]]*(?=[】\]])"
    r"|赠(?![品货])[^【】\[\]\s]*"
    r"|(?:^|(?<=[\s/,，+]))送(?![品货给爱女男老爸妈母父亲朋闺儿孩宝长领同客礼])"
    r"[\u4e00-\u9fff]{1,4}(?=[\s/,，+【\[])"
)
"""What a title gives away is not what it sells: 赠营养液 托盘 挂钩 in a potted plant's 【…】, 赠垫
beside a toilet seat. Inside a bracket from 赠 or 送 to its end, elsewhere from 赠 to the end
of the word, and 送 with the word after it where the two stand alone between separators
(送吸管/… 奶瓶: a bottle sold with a straw) unless the word is whom it is for (送母亲, 送女友,
送爱人) or 送礼. Elsewhere 送 is as often "for" (送爸爸 … 保温杯) and is left alone; never 赠品
(the product *is* a giveaway item) nor 送货 (delivery)."""


@dataclass(frozen=True)
class LeafTerms:
    """What names a leaf's product type: whole terms, head nouns, the path text and audience."""

    terms: tuple[str, ...]
    heads: tuple[str, ...]
    own: str
    groups: tuple[tuple[str, ...], ...]
    audience: frozenset[str]
    generic: bool
    contexts: frozenset[str] = frozenset()
    context_levels: tuple[frozenset[str], ...] = ()
    """The contexts per level of the path that names any: the title must name one of each level
    (户外 root > 军迷 level: an outdoor title that is not military does not fit)."""
    own_context: frozenset[str] = frozenset()
    """The contexts the leaf's own name names, when they count (球类玩具/球类运动: sport)."""
    set_scope: frozenset[str] = frozenset()
    """For a leaf named by a set word (童装 > 套装): the words of every leaf under its root and
    under the other roots with a leaf of that word (T恤, 卫衣, 裤子, 外套 …), the products a set of
    this leaf is made of (`index_leaves`)."""
    outfit_part: bool = False
    """The leaf sells one garment of a root where the tree sells sets of garments (女装 > 卫衣
    beside 女装 > 套装): a title that sells a set of it is an outfit, not the garment alone."""
    named: dict[str, bool] = field(default_factory=dict, init=False, compare=False, repr=False)
    """`_named_by` of the words titles asked about: a leaf is built once per tree and judged for
    every title that hits it, with the same few nouns again and again."""
    term_words: tuple[tuple[float, str], ...] = field(init=False, compare=False, repr=False)
    """What `_term_hit` tries first, in order: each term's words (`_longest_first`), with the
    strength a hit of it gives."""
    head_words: tuple[tuple[float, str], ...] = field(init=False, compare=False, repr=False)
    """What `_term_hit` tries last, in order: each head noun's words, with their strength."""

    def __post_init__(self) -> None:
        term_words = tuple(
            (min(1.0, len(term) / 4), word) for term in self.terms for word in _longest_first(term)
        )
        # A catch-all is the rest of its parent: the parent's product (墙纸 of 墙纸 >
        # 其它材质类墙纸) is its whole product; 玩具 of 人偶玩具 > 其他人偶玩具 is not.
        head_words = tuple(
            ((1.0 if holds_parent(self, head) else HEAD_STRENGTH) * min(1.0, len(head) / 4), word)
            for head in self.heads
            for word in _longest_first(head)
        )
        object.__setattr__(self, "term_words", term_words)
        object.__setattr__(self, "head_words", head_words)


def _heads(term: str) -> list[str]:
    """Lexicon nouns that end a longer term (鞋子收纳架 → 收纳架): its head noun."""
    return [n for n in PRODUCT_NOUNS if len(n) >= 2 and len(n) < len(term) and term.endswith(n)]


def _longest_words(words: Iterable[str]) -> tuple[str, ...]:
    """Words to take off the front of a term, longest first (婴幼儿 before 婴儿)."""
    return tuple(sorted(set(words), key=len, reverse=True))


def _strip_front(term: str, words: Sequence[str], *, cuts: frozenset[int] | None = None) -> str:
    """`term` without the `words` in front of it, one after another, as long as two characters
    or more are left; with `cuts`, only where a cut falls on one of those offsets."""
    start = 0
    changed = True
    while changed:
        changed = False
        for word in words:
            end = start + len(word)
            if (
                term.startswith(word, start)
                and len(term) - end >= 2
                and (cuts is None or end in cuts)
            ):
                start, changed = end, True
                break
    return term[start:]


_SIZE_WORDS = frozenset({"迷你"})
"""A size in a leaf's name restricts its product (迷你风扇 is not every 风扇: a floor fan is not
one), unlike who it is for or how it is made: never taken off a leaf term's front."""

_WHO_AND_HOW = _longest_words(
    [
        *(w for w in MODIFIER_WORDS if w not in _GENERIC and w not in _SIZE_WORDS),
        *(w for words in AUDIENCE_WORDS.values() for w in words if len(w) > 1),
    ]
)


@lru_cache(maxsize=8192)
def unqualified(term: str) -> str:
    """A leaf term without the words in front that say for whom or how (宝宝布书 → 布书, 婴儿健身器
    → 健身器, 儿童游泳圈 → 游泳圈), each cut on a word boundary (listings/segment.py: 遥控|器套 is
    no cut, 遥控器 being one word): the product a title names it by, the audience being judged
    apart. The term itself when nothing is taken off or less than two characters would be left."""
    bare = _strip_front(term, _WHO_AND_HOW, cuts=boundaries(term))
    return term if bare in MODIFIER_WORDS or bare in USAGE_WORDS else bare


@lru_cache(maxsize=1024)
def source_audience(source: str) -> frozenset[str]:
    """`leaf_audience` of a source category path given as its levels joined by spaces (cached:
    a shop's listings share a few source categories)."""
    return leaf_audience(source.split())


def leaf_audience(path: Sequence[str]) -> frozenset[str]:
    """Who a leaf is for, from its path: any level naming an audience (童装/…, 女装, 宠物/…,
    玩具/童车/…, 儿童配饰, 猫/狗玩具); at the root only words of two characters or more count."""
    found: set[str] = set()
    for depth, level in enumerate(path):
        text = unicodedata.normalize("NFKC", level).lower()
        names = _SPLIT.split(text) if depth == 0 else [text]
        for audience, words in AUDIENCE_WORDS.items():
            if any(w in name for name in names for w in words if len(w) > 1 or depth > 0):
                found.add(audience)
    if "child" in found:
        found -= {"male", "female"}
    if any(w in level for level in path for w in (*MATERNITY_WORDS, "孕")):
        found.add("maternity")
    return frozenset(found)


def _spelled_out(parts: Sequence[str]) -> list[str]:
    """A leaf name's `/`-parts, single characters before one longer last name spelled out with
    its head: category names share the head across a list (叉/勺/筷套装 is 叉套装, 勺套装 and
    筷套装, decision 218). Other lists of single characters are left as they are: 瓶/罐 names two
    products, and a single character after a longer name (餐具笼/架, 皂网/架) shares its modifier
    instead, which spelled out pulled soap dishes and quilt bags to the wrong leaf (decision 217)."""
    parts = [p for p in parts if p]
    if len(parts) > 1 and len(parts[-1]) > 2 and all(len(p) == 1 for p in parts[:-1]):
        return [*(p + parts[-1][1:] for p in parts[:-1]), parts[-1]]
    return parts


def leaf_terms(path: Sequence[str]) -> LeafTerms:
    """The terms of a leaf: its own name split at `/` and similar separators; heads of long ones."""
    name = unicodedata.normalize("NFKC", path[-1]).lower()
    terms = [
        t
        for t in map(_without_class_suffix, _spelled_out(_SPLIT.split(name)))
        if len(t) >= 2
        and t not in _GENERIC
        and t not in MODIFIER_WORDS
        and (t not in USAGE_WORDS or t in _SET_WORDS)
    ]
    parts = [t for t in _SPLIT.split(name) if t]
    if name in MATERIAL_WORDS:
        # A leaf of the material itself (金属材料及制品 > 不锈钢) sells it as stock: 不锈钢板, not
        # every product made of it (a 不锈钢 pot is a pot).
        terms = [name + form for form in STOCK_FORMS]
    if parts and all(len(t) == 1 for t in parts):
        # A leaf named by single characters (碗, 盘, 瓶/罐) is named by those of them that are
        # head nouns, each as a word of its own in a title (陶瓷|碗, not 洗碗).
        terms = [t for t in parts if t in HEAD_CHARS]
    generic = not terms or any(name.startswith(g) for g in _GENERIC)
    bare_terms = {unqualified(t) for t in terms} if not generic else set()
    heads = sorted(
        ({h for t in terms if len(t) >= 4 for h in _heads(t) if h not in _SET_WORDS} | bare_terms)
        - set(terms)
    )
    groups = tuple(
        tuple(t for t in _SPLIT.split(unicodedata.normalize("NFKC", level).lower()) if t)
        for level in path[:-1]
    )
    return LeafTerms(
        terms=tuple(terms),
        heads=tuple(heads),
        own=name,
        groups=groups,
        audience=leaf_audience(path),
        generic=generic,
        contexts=frozenset().union(*_path_context_levels(path)),
        context_levels=_path_context_levels(path),
        own_context=frozenset().union(*_path_context_levels(path[-1:])),
    )


def _without_class_suffix(name: str) -> str:
    """A leaf name's 类 (-type, -class) is the tree's, never a seller's: 竹蜻蜓类 is named by 竹蜻蜓,
    迷宫类 by 迷宫, 射箭类 by 射箭 (decision 205). Only at the end, and only where two characters or
    more stay (球类玩具 keeps its 类: a ball toy is no 球)."""
    return name[:-1] if name.endswith("类") and len(name) >= 3 else name


def _path_context_levels(path: Sequence[str]) -> tuple[frozenset[str], ...]:
    """The use contexts a leaf's path names, per level. A level that lists several names counts
    only when most of them name a context (运动包/户外包/配件, 聚会/魔术/演出用品): a context that is
    one name among many (cos in 模玩/动漫/周边/cos/桌游) belongs to a sibling, not to the leaf."""
    levels: list[frozenset[str]] = []
    for level in path:
        names = [n for n in _SPLIT.split(unicodedata.normalize("NFKC", level).lower()) if n]
        named = [contexts_of(n) for n in names]
        if any(named) and sum(bool(c) for c in named) * 2 >= len(names):
            levels.append(frozenset().union(*named))
    return tuple(levels)


@lru_cache(maxsize=8192)
def contexts_of(text: str) -> frozenset[str]:
    """The use contexts (listings/title_lexicon.py CONTEXT_WORDS) a text names (an 电动摩托车 is
    an e-bike, not a motorcycle)."""
    text = _NOT_A_STYLE.sub("  ", unicodedata.normalize("NFKC", text).lower())
    found = _CONTEXT_CLASSES.named_in(text)
    if "motorcycle" in found and "摩托" not in text.replace("电动摩托", ""):
        found.discard("motorcycle")
    if "car" in found and not _CONTEXT_CLASSES.named_in(_TOY_CARS.sub(" ", text)) & {"car"}:
        found.discard("car")  # a 小汽车 is a toy car, for no car
    return frozenset(found)


_TOY_CARS = re.compile("|".join(TOY_CARS))
_NOT_A_STYLE = re.compile("复古(?=风)|风干|风味")
"""复古风 is retro style, whatever the era: its 古风 is no Chinese antique style (复古风琴褶 …
半身裙, decision 200); nor is the 古风 of 内蒙古风干 (air-dried) or the 国风 of 韩国风味 (a
flavour)."""


class _TitleMemo:
    """What `judge` works out about one title and one matched word whatever the leaf: asked
    again for every leaf the title hits (a dozen on average), so kept per title, not per shop
    (titles differ; decision 93)."""

    __slots__ = ("excused", "names", "occurrences", "suspects", "where")

    def __init__(self) -> None:
        self.names: dict[str, bool] = {}
        self.occurrences: dict[str, tuple[tuple[str, bool, bool], ...]] = {}
        self.suspects: dict[str, tuple[tuple[str, frozenset[str]], ...]] = {}
        self.excused: dict[tuple[str, tuple[str, ...], bool], bool] = {}
        self.where: dict[str, tuple[float, bool]] = {}


@dataclass(frozen=True)
class TitleFacts:
    """What a cleaned title says: its product nouns (longest, not nested) and its audiences."""

    text: str
    nouns: frozenset[str]
    audience: frozenset[str]
    edges: frozenset[int]
    """Where the text's words start and end, cut with the product words the matcher looks for
    (listings/segment.py `Segmenter`): a term counts only where it ends on one."""
    contexts: frozenset[str] = frozenset()
    memo: _TitleMemo = field(default_factory=_TitleMemo, init=False, compare=False, repr=False)
    """Per-title results that do not depend on the audience (`with_audience` starts a new one)."""

    def with_audience(self, audience: frozenset[str]) -> TitleFacts:
        """The same title said to be for `audience` (`dataclasses.replace`, without its per-call
        look at the fields: asked of most titles, on the hot path; decision 96)."""
        return TitleFacts(
            text=self.text,
            nouns=self.nouns,
            audience=audience,
            edges=self.edges,
            contexts=self.contexts,
        )


def _outermost(found: Iterable[str]) -> set[str]:
    """The words not inside another of them. Only a longer word can hold a word, so each word is
    looked for once in all the longer ones joined by a character no word holds (one C-level search
    per word instead of one per pair: a title notices ~30 words; decision 96)."""
    kept: set[str] = set()
    longer = ""
    for _length, group in groupby(sorted(set(found), key=len, reverse=True), key=len):
        words = list(group)
        kept.update(word for word in words if not longer or word not in longer)
        longer += "\x00" + "\x00".join(words)
    return kept


class WordIndex:
    """A fixed set of words, and which of them occur in a text: an Aho-Corasick automaton
    (pyahocorasick) finds every occurrence of every word in one pass over the text (a tree names
    ~750 words, each of which a `word in text` scan would try; decision 96)."""

    def __init__(self, words: Iterable[str]) -> None:
        self.words = frozenset(words)
        self._empty = "" in self.words
        self._automaton = ahocorasick.Automaton()
        for word in self.words:
            if word:
                self._automaton.add_word(word, (len(word), word))
        self._searchable = len(self._automaton) > 0
        if self._searchable:
            self._automaton.make_automaton()

    def found_in(self, text: str) -> set[str]:
        """The words that occur in `text` (the same as `{w for w in words if w in text}`)."""
        found = {""} if self._empty else set()
        if self._searchable:
            found.update(word for _end, (_length, word) in self._automaton.iter(text))
        return found

    def found_aligned(self, text: str, edges: frozenset[int]) -> set[str]:
        """The words that occur in `text` on its word boundaries `edges`: starting or ending on
        one, a one-character word both (the same as `{w for w in found_in(text) if aligned(text,
        w, whole=len(w) == 1, loose=True)}`, each occurrence judged where it is found instead of
        searched for again: decision 96)."""
        found = {""} if self._empty else set()
        if not self._searchable:
            return found
        for last, (length, word) in self._automaton.iter(text):
            if word in found:
                continue
            starts, ends = last + 1 - length in edges, last + 1 in edges
            if (starts and ends) if length == 1 else (starts or ends):
                found.add(word)
        return found


class WordClasses:
    """Which classes of words a text names: a class is named when any of its words occurs (the
    audiences 男/女/童/婴, the use contexts), for all classes in one automaton pass instead of
    one pattern search per class (decision 96)."""

    def __init__(self, classes: Mapping[str, Iterable[str]]) -> None:
        of: dict[str, set[str]] = {}
        for name, words in classes.items():
            for word in words:
                of.setdefault(word, set()).add(name)
        self._index = WordIndex(of)
        self._classes_of = {word: frozenset(names) for word, names in of.items()}

    def named_in(self, text: str) -> set[str]:
        """The classes any of whose words occurs in `text`."""
        return {name for word in self._index.found_in(text) for name in self._classes_of[word]}


_CONTEXT_CLASSES = WordClasses(CONTEXT_WORDS)
_AUDIENCE_CLASSES = WordClasses(AUDIENCE_WORDS)


@lru_cache(maxsize=8)
def _noun_index(vocabulary: frozenset[str]) -> WordIndex:
    """The lexicon's product nouns and a tree's vocabulary, indexed once per tree."""
    return WordIndex({*PRODUCT_NOUNS, *vocabulary})


@lru_cache(maxsize=4)
def _product_words(vocabulary: frozenset[str]) -> frozenset[str]:
    """Every product word the matcher looks for in a title: the lexicon's nouns, their synonyms
    and kinds, and `vocabulary`. The title's segmenter knows them all (listings/segment.py)."""
    return frozenset(
        {
            *PRODUCT_NOUNS,
            *vocabulary,
            *(w for group in SYNONYMS for w in group),
            *(w for kinds in KINDS.values() for w in kinds),
            *(w for said in SAID_AGAIN.values() for w in said),
        }
    )


def tree_segmenter(terms: Iterable[LeafTerms], vocabulary: frozenset[str]) -> Segmenter:
    """The segmenter of a tree's titles: it knows every product word the lexicon holds and every
    word a leaf is named by (钢丝球, 宝宝布书: not all of them are in `vocabulary`, the words
    that make a title name *some* product)."""
    leaf_words = {w for t in terms for term in (*t.terms, *t.heads) for w in variants(term)}
    return segmenter_for(_product_words(vocabulary) | leaf_words)


def title_facts(
    title: str, vocabulary: Iterable[str] = (), *, segmenter: Segmenter | None = None
) -> TitleFacts:
    """The product nouns (the lexicon's and `vocabulary`, e.g. the tree's own leaf terms) and the
    audiences a title names. `segmenter`: what cuts the title into words (`tree_segmenter`; by
    default one that knows the lexicon's nouns and `vocabulary`)."""
    text = clean_title(title)
    words = vocabulary if isinstance(vocabulary, frozenset) else frozenset(vocabulary)
    index = _noun_index(words)
    if segmenter is None:
        segmenter = segmenter_for(_product_words(words))
    edges = segmenter.boundaries(text)
    nouns = _outermost(index.found_aligned(text, edges))
    nouns |= {d for d in device_nouns(text, segmenter) if not any(n in d for n in nouns)}
    nouns = _outermost(nouns)
    audience = _AUDIENCE_CLASSES.named_in(_NOT_AUDIENCE.sub(" ", text))
    if any(w in text for w in _UNISEX):
        audience -= {"male", "female"}
    return TitleFacts(
        text=text,
        nouns=frozenset(nouns),
        audience=frozenset(audience),
        edges=edges,
        contexts=contexts_of.__wrapped__(text),  # a title's: no cache entry (titles differ)
    )


_NOT_AUDIENCE = re.compile("童趣|童话|童心|童真|童年")
"""Words holding 童 that say how a product looks or feels (童趣 … 连衣裙女: childlike fun), not
that it is for children (decision 200)."""


def implied_audience(text: str, *, cleaned: bool = False) -> frozenset[str]:
    """Who a title's product is for when no word of the title says so: women, for a garment only
    women wear (连衣裙, 文胸). Children's garments are named with a child's word (女童连衣裙), so
    a title naming none is for adults. Callers ask only when no audience is named at all.
    `cleaned`: `text` is already `clean_title`'s (a `TitleFacts.text`), not to be cleaned again."""
    plain = text if cleaned else clean_title(text)
    return frozenset({"female"}) if any(w in plain for w in _FEMALE_WORDS) else frozenset()


_FEMALE_WORDS = tuple(
    dict.fromkeys(w for g in FEMALE_GARMENTS for w in (g, *sorted(KINDS.get(g, ()))))
)
"""`FEMALE_GARMENTS` and their kinds (衬衫裙 and polo裙 are dresses: decision 184)."""


def device_nouns(text: str, segmenter: Segmenter | None = None) -> set[str]:
    """Names of devices no lexicon holds, by their ending: a word ending in 器, 机, 枪 or 仪
    (除垢器), or such an ending standing alone right after a noun or verb of two characters or
    more (泡泡|机, 喂食|器). Chinese names a new device by its head, so the title sells one of these
    whatever else it names; selling words (神器) are not devices. `title_facts` keeps only those
    holding no noun it already knows (水培花器 is a 花器)."""
    cut = segmenter.cut_words if segmenter is not None else cut_words
    if all(word and word[-1] not in DEVICE_ENDINGS for word in cut(text)):
        return set()  # no word ends like a device (most titles): no parts of speech needed
    words = segmenter.tagged(text) if segmenter is not None else tagged(text)
    found: set[str] = set()
    for at, (word, _tag) in enumerate(words):
        if word and word[-1] not in DEVICE_ENDINGS:
            continue  # neither a device's name nor its ending (most words: skipped first)
        before, before_tag = words[at - 1] if at else ("", "")
        if len(word) >= 2 and word[-1] in DEVICE_ENDINGS and _cjk(word):
            found.add(word)
        elif (
            word in DEVICE_ENDINGS
            and len(before) >= 2
            and before_tag.startswith(("n", "v"))
            and _cjk(before)
        ):
            found.add(before + word)
    return {w for w in found if w not in NOT_DEVICES and not w.endswith(_NOT_DEVICE_ENDINGS)}


_NOT_DEVICE_ENDINGS = tuple(NOT_DEVICES)
_CJK = re.compile("[\u4e00-\u9fff]*")


def _cjk(word: str) -> bool:
    """Every character a CJK ideograph (an empty word too, as `all` of nothing)."""
    return _CJK.fullmatch(word) is not None


class Verdict(NamedTuple):
    """How well a title names a leaf: `strength` 0..1 of the best term hit, and the first gate
    that failed (empty when all pass). A named tuple, immutable like the frozen dataclass it was
    and 2.4× cheaper to make: four are made for every listing (decision 96)."""

    strength: float
    matched: str
    problem: str
    hard: bool = False
    """The problem contradicts the title (audience, use context): rank such a leaf lower than one
    whose only problem is doubt (another noun named, a catch-all)."""
    whole: bool = False
    """The title names one of the leaf's own terms (or a synonym), not only a head noun of one."""
    at: float = 1.0
    """Where the matched word first occurs, as a share of the title (0 = first): of two leaves in
    doubt, the one named first is likelier the product (花瓶 … 干花)."""
    how: str = ""
    """How the title named the leaf: TERM (one of its terms or a synonym, as a word), APART (its
    modifier and head apart: 仿真玉兰花 for 仿真花), KIND (a bare generic through a word ending in
    its head character: 跳绳 for 绳子) or HEAD (the head noun of a longer term: 收纳架 of
    鞋子收纳架). Only TERM, APART and a HEAD that is the leaf's own product type are evidence
    enough to publish (`weak_evidence`)."""
    fits: bool = True
    """The leaf's audience agrees with the title's (`_audience_clash`). Only a leaf in doubt
    carries False: of two leaves in the same doubt (连衣裙 named beside 长裙), the one whose
    audience the title names (女 for 女装, not 童装) ranks first."""
    misfit: bool = False
    """The title contradicts the leaf's audience (a girls' skirt against a women's leaf): the
    clash is of whom, not of what, so an audience's catch-all may hold the product instead
    (`CategoryMatcher._judge_orphans`, decision 210)."""
    listed: bool = False
    """A KIND the lexicon lists: the title names a word `KINDS` gives as a kind of the matched
    generic (蛋糕模 of 模具), not only some word ending in its head character. Such a kind is
    evidence enough (`weak_evidence`)."""


def _names(text: str, word: str, edges: frozenset[int]) -> bool:
    """`word` names the product somewhere in `text`: on a word boundary (listings/segment.py) and
    not as the modifier of a one-character head noun right after it (水桶 in 水桶包, 橡皮 in
    橡皮套: a cover, while 橡皮套装 is a set of erasers). A word of two characters or more may
    end inside its head's nominal form (抱枕被 in 抱枕|被子, 积木桌 in 积木|桌子); a one-character
    word is named by its nominal form standing as a word of its own (盘 by 多用途|盘子, not 包 by
    包子, a bun: `_NOT_NOMINAL`; decision 142)."""
    if word not in text or not (
        aligned(text, word, whole=len(word) == 1, edges=edges)
        or (len(word) >= 2 and aligned(text, word + _NOUN_SUFFIX, edges=edges))
        or (
            len(word) == 1
            and word not in _NOT_NOMINAL
            and aligned(text, word + _NOUN_SUFFIX, whole=True, edges=edges)
        )
    ):
        return False
    start = text.find(word)
    while start >= 0:
        rest = text[start + len(word) :]
        cover = rest.startswith(_COVER) and not rest.startswith(_SET_WORDS)
        other = _ends_other_product(text[: start + len(word)], word)
        if not cover and not other and (rest[:1] not in HEAD_CHARS or not rest):
            return True
        start = text.find(word, start + 1)
    return False


def _ends_other_product(before: str, word: str) -> bool:
    """`before` ends in `word` as the tail of a longer noun that is no kind of it (`NOT_KINDS`:
    绒衫 of 羊绒衫, a cashmere sweater, not a fleece top; decision 174)."""
    return any(before.endswith(n) and len(n) > len(word) for n in _NOT_KIND_WORDS)


def _names_in_title(facts: TitleFacts, word: str) -> bool:
    """`_names` of the title, once per word: the leaves a title hits share their words."""
    named = facts.memo.names.get(word)
    if named is None:
        named = facts.memo.names[word] = _names(facts.text, word, facts.edges) or _names_stored(
            facts.text, word, facts.edges
        )
    return named


_STORAGE_WORDS = ("置物", "收纳", "储物", "整理")
"""What makes a generic holder of a head noun (置物架, 收纳盒, 储物箱, 整理架): a thing before
it is what the holder is for."""


@lru_cache(maxsize=8192)
def _is_holder(term: str) -> bool:
    """`term` names a holder for one thing: the thing, then a one-character head (牙刷架, 纸巾盒,
    笔袋 since decision 206), the thing being no holder word itself (收纳架 is the generic holder,
    not a holder of 收纳)."""
    return len(term) >= 2 and term[-1] in HEAD_CHARS and term[:-1] not in _STORAGE_WORDS


def stored_prefixes(term: str) -> tuple[str, ...]:
    """What puts a holder leaf (牙刷架) in the running for `_names_stored`: its thing and each
    `_STORAGE_WORDS` word (牙刷置物, 牙刷收纳 …); () for a term that is no such holder."""
    if not _is_holder(term):
        return ()
    return tuple(term[:-1] + storage for storage in _STORAGE_WORDS)


def _names_stored(text: str, word: str, edges: frozenset[int]) -> bool:
    """A holder for one thing (牙刷架, 纸巾盒: that thing and a one-character head) named as that
    thing before a generic holder of the same head: 牙刷置物架 is a 牙刷架, 纸巾收纳盒 a 纸巾盒
    (decision 190)."""
    thing, head = word[:-1], word[-1:]
    if thing not in text or not _is_holder(word):
        return False  # asked of every word a title does not name: the cheap test first
    for storage in _STORAGE_WORDS:
        found = text.find(thing + storage + head)
        while found >= 0:
            end = found + len(thing) + len(storage) + 1
            if end in edges or end == len(text):
                return True
            found = text.find(thing + storage + head, found + 1)
    return False


@lru_cache(maxsize=8192)
def split_term(term: str) -> tuple[str, str] | None:
    """A term made of a modifier word and a one-character head (仿真花 = 仿真 + 花), or of a size
    word and a head (迷你风扇 = 迷你 + 风扇: 迷你USB小风扇 names it), else None."""
    for modifier in MODIFIER_WORDS:
        if term.startswith(modifier) and len(term) == len(modifier) + 1:
            return modifier, term[-1]
        if modifier in _SIZE_WORDS and term.startswith(modifier) and len(term) > len(modifier) + 1:
            return modifier, term[len(modifier) :]
    return None


def set_of(term: str) -> str:
    """The product a set term is a set of (家居服 of 家居服套装), else ""."""
    for word in _SET_WORDS:
        if term.endswith(word) and len(term) >= len(word) + 2:
            return term[: -len(word)]
    return ""


def _names_a_set_of(facts: TitleFacts, term: str) -> bool:
    """家居服套装 is named by a title that sells a set (套装, 两件套) and names its product or a
    kind of it anywhere as a product noun (睡衣 … 套装; not 绘画 of 绘画笔 for 绘画套装): sellers
    put the set word last, not beside the product."""
    product = set_product(term)
    return (
        bool(product)
        and any(n in _SET_KINDS for n in facts.nouns)
        and not variants(product).isdisjoint(facts.nouns)
    )


def set_product(term: str) -> str:
    """`set_of`, or the one-character product of a set term (勺 of 勺套装, spelled out of
    叉/勺/筷套装: `_spelled_out`), for naming the set (`_names_a_set_of`) and putting its leaf in
    the running. Not in `set_of`, which also decides outfits and the set bonus: accepting a
    one-character product there sent 52 dev house slippers under the threshold (decision 218)."""
    if product := set_of(term):
        return product
    for word in _SET_WORDS:
        if term.endswith(word) and len(term) == len(word) + 1:
            return term[0]
    return ""


_GOODS_SUFFIXES = ("用品", "用具")


@lru_cache(maxsize=8192)
def _goods_uses(term: str) -> frozenset[str]:
    """The uses a goods term is for (insect of 防蚊用品: a use, then 用品 or 用具), else none."""
    if not term.endswith(_GOODS_SUFFIXES) or len(term) <= 2:
        return frozenset()
    return contexts_of(term[:-2])


def goods_use_words(term: str) -> tuple[str, ...]:
    """The words of the use a goods term is for (驱蚊, 防蚊, 蚊香… of 防蚊用品), else (): what puts
    its leaf in the running for a title (listings/categories.py)."""
    return tuple(w for use in sorted(_goods_uses(term)) for w in CONTEXT_WORDS[use])


def _names_goods_for(facts: TitleFacts, term: str) -> bool:
    """防蚊用品 (goods for keeping mosquitoes off) is named by any product noun of the title made
    for that use (驱蚊液, 灭蚊灯)."""
    uses = _goods_uses(term)
    return bool(uses) and any(uses & contexts_of(noun) for noun in facts.nouns)


def _names_apart(text: str, term: str, edges: frozenset[int]) -> bool:
    """仿真玉兰花 names 仿真花: the modifier, then within a few characters a word ending in the
    head (玉兰花) or in a kind of it (仿真蝴蝶兰, 仿真绿植: listings/title_lexicon.py HEAD_KINDS)."""
    parts = split_term(term)
    if parts is None:
        return False
    modifier, head = parts
    heads = (head, *HEAD_KINDS.get(head, ()))
    if modifier in HOME_WORDS:
        # Where a product is used is a keyword of its own, said anywhere in the title.
        return _says_home(text) and any(
            end in edges and text.endswith(heads, 0, end) for end in range(2, len(text) + 1)
        )
    start = text.find(modifier)
    while start >= 0:
        window = range(start + len(modifier) + 1, min(len(text), start + len(modifier) + 6) + 1)
        if any(end in edges and text.endswith(heads, 0, end) for end in window):
            return True
        start = text.find(modifier, start + 1)
    return False


def _sleeved(facts: TitleFacts, matched: str) -> str:
    """A product noun of the title other than the T-shirt's own names, when the matched word is a
    sleeve length (SLEEVE_WORDS): the sleeves are that product's (…服务员服装短袖…制服, a set)."""
    own = variants(matched)
    return next((n for n in sorted(facts.nouns) if n not in own), "")


def _says_home(text: str) -> bool:
    """The title says the product is used at home (`HOME_WORDS`), not only that it goes indoors
    and out (`INDOORS_AND_OUT`)."""
    for both in INDOORS_AND_OUT:
        text = text.replace(both, " ")
    return any(w in text for w in HOME_WORDS)


def _both_parts_head(facts: TitleFacts, leaf: LeafTerms) -> str:
    """The head of the first of the leaf's terms the title names in both parts (`_names_both_parts`),
    else "": the title names the leaf, and its product is the head (玩具), what the title's other
    nouns are judged beside."""
    for term in leaf.terms:
        for head in leaf.heads:
            if _names_both_parts(facts, term, head):
                return head
    return ""


def _names_both_parts(facts: TitleFacts, term: str, head: str) -> bool:
    """过家家玩具 is named by a title that names its head (玩具) and, elsewhere and in either
    order, the word that makes it specific (过家家: …玩具过家家厨房…): sellers do not keep a
    category's word order. The head may be said by a synonym (上衣 of 保暖上装, decision 209).
    The specific word must be a word of its own (listings/segment.py) of two characters or more:
    电子 of 电子玩具 inside 电子琴 names nothing (decision 208)."""
    rest = term[: -len(head)] if term.endswith(head) and term != head else ""
    return (
        len(rest) >= 2
        and any(_names_in_title(facts, word) for word in variants(head))
        and aligned(facts.text, rest, edges=facts.edges)
    )


_COLLECTIVE_SUFFIX = "具"
"""锅具, 灯具: the ware of a head noun (a 炒锅 is a 锅具, a 台灯 a 灯具); 茶具, 玩具 and 家具 are no
such generics, their first character being no head noun."""
_WARE_SUFFIXES = (_COLLECTIVE_SUFFIX, "器")
"""Suffixes that make a ware or a device for the word before them (餐具, 乐器, 吸尘器): a noun
ending in one is of no family with other nouns that end in it (`_family`)."""


@lru_cache(maxsize=8192)
def generic_stem(term: str) -> str:
    """The one-character head noun of a bare generic term (帽 of 帽子, 鞋 of 鞋子, 锅 of 锅具, 模 of
    模具), else ""."""
    suffixes = (*_NOMINAL_SUFFIXES, _COLLECTIVE_SUFFIX)
    if len(term) == 2 and term[-1] in suffixes and (term[0] in HEAD_CHARS or term[0] in WARE_HEADS):
        return term[0]
    return ""


_NOT_KIND_WORDS = tuple(NOT_KINDS)


def _names_kind(text: str, term: str, edges: frozenset[int]) -> bool:
    """A bare generic term (帽子) is named by any word of its head noun (雷锋帽, 护耳帽): Chinese
    compounds are head-final, so a word ending in 帽 on a word boundary is a hat, unless it is
    one of `NOT_KINDS` (拉拉裤 is a diaper)."""
    stem = generic_stem(term)
    if not stem:
        return False
    start = text.find(stem)
    while start >= 0:
        end = start + 1
        if (
            end in edges
            and text[end : end + 1] not in HEAD_CHARS
            and not text[:end].endswith(_NOT_KIND_WORDS)
        ):
            return True
        start = text.find(stem, end)
    return False


_APART_STRENGTH = HEAD_STRENGTH * 0.75
"""A leaf's term named apart (`_names_apart`), as a set of (`_names_a_set_of`) or as goods for
something (`_names_goods_for`)."""
_KIND_STRENGTH = HEAD_STRENGTH * 0.5
"""A kind of a leaf's term or head named (`_names_kind`)."""


def _term_hit(facts: TitleFacts, leaf: LeafTerms) -> tuple[float, str, str]:
    """The best hit of a leaf's terms in a title: strength, the word matched, and how it was
    named (`TERM`, `APART`, `KIND` or `HEAD`: see `Verdict.how`)."""
    best, matched, how = 0.0, "", ""
    # A word is looked up only when it would beat the best so far (`_names` is pure).
    for value, word in leaf.term_words:
        if value > best and _names_in_title(facts, word):
            best, matched, how = value, word, TERM
    # Each way of naming below is tried term by term, in this order, until one names the leaf.
    if best < _APART_STRENGTH:
        named = next((t for t in leaf.terms if _names_apart(facts.text, t, facts.edges)), None)
        if named is None:
            named = next((t for t in leaf.terms if _names_a_set_of(facts, t)), None)
        if named is None:
            named = next((t for t in leaf.terms if _names_goods_for(facts, t)), None)
        if named is not None:
            best, matched, how = _APART_STRENGTH, named, APART
        elif head := _both_parts_head(facts, leaf):
            best, matched, how = _APART_STRENGTH, head, APART
    if best < _KIND_STRENGTH:
        for term in (*leaf.terms, *leaf.heads):
            if _names_kind(facts.text, term, facts.edges):
                best, matched, how = _KIND_STRENGTH, term, KIND
                break
    for value, word in leaf.head_words:
        if value > best and _names_in_title(facts, word):
            best, matched, how = value, word, HEAD
    if leaf.generic:
        best *= CATCH_ALL_STRENGTH
    return best, matched, how


@lru_cache(maxsize=8192)
def _longest_first(term: str) -> tuple[str, ...]:
    """`variants(term)`, longest first, then in code point order."""
    return tuple(sorted(variants(term), key=lambda w: (-len(w), w)))


def holds_parent(leaf: LeafTerms, word: str) -> bool:
    """`leaf` is a catch-all whose parent is named `word` alone (墙纸 > 其它材质类墙纸): the rest
    of the parent, so `word` names its whole product."""
    return leaf.generic and bool(leaf.groups) and leaf.groups[-1] == (word,)


@lru_cache(maxsize=8192)
def variants(word: str) -> frozenset[str]:
    """The word, its synonyms and, for a generic word, its kinds (listings/title_lexicon.py
    SYNONYMS, KINDS)."""
    found = {word, *KINDS.get(word, ())}
    for group in SYNONYMS:
        if word in group:
            found |= group
    return frozenset(found)


_PLACE = (
    "面",
    "上",
    "边",
    "前",
    "下",
    "旁",
    "用",
    "式",
    "型",
    "款",
    "配件",
    "搭配",
    "材料",
    "素材",
    "背景墙",
    "色",
)
"""What, right after a noun, makes it a modifier rather than a second product: a place (床头, 桌面),
a style (欧式, 款), a part (配件), or a colour (糖果色, 咖啡色: decision 206)."""


def _collar_style(rest: str) -> bool:
    """`rest` starts with 领 as a collar (娃娃领, 海军领), not a 领带, 领结, 领巾 or 领夹: the noun
    before it names the collar's style, not a product beside the garment."""
    return rest.startswith("领") and rest[1:2] not in ("带", "结", "巾", "夹")


def _occurrences_of(facts: TitleFacts, noun: str) -> tuple[tuple[str, bool, bool], ...]:
    """Each occurrence of `noun` in the title (overlapping ones too): the rest of the title after
    it, whether a place suffix starts that rest, and whether the place suffix or another of the
    title's product nouns does (the title alone makes it a modifier: `_modifies`). Once per title
    and noun, whatever the matched word (decision 96)."""
    found = facts.memo.occurrences.get(noun)
    if found is None:
        text = facts.text
        heads = tuple(n for n in facts.nouns if n and n != noun and n not in USAGE_WORDS)
        out = []
        start = text.find(noun)
        while start >= 0:
            rest = text[start + len(noun) :]
            if rest[:1] == noun[-1] and not rest.startswith(heads):
                rest = rest[1:]  # 斜挎包|包: the head said twice (包包), no compound's head
            place = rest.startswith(_PLACE) or _collar_style(rest)
            if _listed_before(noun, rest, heads):
                rest = ""  # no compound: the next noun is another item of a list
            out.append((rest, place, place or rest.startswith(heads)))
            start = text.find(noun, start + 1)
        found = facts.memo.occurrences[noun] = tuple(out)
    return found


def _listed_before(noun: str, rest: str, heads: tuple[str, ...]) -> bool:
    """`noun` is an item of a list with the product noun right after it, not its modifier:

    - in its free form with 子 (盘子, 杯子) before a one-character noun (盘子|碗): compounds are
      made of the bound stem (盘碗, 杯垫), so the two are items of a list (decision 181); a longer
      head after it still makes a compound (袜子|收纳盒, 被子|固定器);
    - before a noun that starts with its own first character (耳环|耳钉, 发夹|发卡, 鞋架|鞋柜):
      siblings named one after the other, as sellers list kinds; a modifier names something else
      than its head (水桶|包, 毛巾|架), so it does not share the head's first character. Not when
      the second is itself a modifier (饮品|饮料|杯: two words for what the cup holds; decision
      189).
    """
    if len(noun) < 2:
        return False
    if any(
        len(h) > 1
        and h[0] == noun[0]
        and rest.startswith(h)
        and not _modified(rest[len(h) :], heads)  # 饮品|饮料|杯: two modifiers of one head
        for h in heads
    ):
        return True
    return (
        noun.endswith("子")
        and any(len(h) == 1 and rest.startswith(h) and rest[1:2] != "子" for h in heads)
        and not any(len(h) > 1 and rest.startswith(h) for h in heads)
    )


def _modified(rest: str, heads: tuple[str, ...]) -> bool:
    """`rest` starts with a head character or a noun of `heads`: what came before modifies it."""
    return rest[:1] in HEAD_CHARS or rest.startswith(heads)


def _modifies(facts: TitleFacts, noun: str, *, heads: tuple[str, ...], by_title: bool) -> bool:
    """Chinese compounds are head-final: a noun right before another product or usage noun
    (干花 in 干花花瓶, 餐桌 in 餐桌摆件) or before a place suffix (床头, 桌面) describes where or
    what for, rather than naming another product. True when *every* occurrence is followed by a
    place suffix or one of `heads` (with `by_title`, or one of the title's other product nouns
    that are no usage words)."""
    occurrences = _occurrences_of(facts, noun)
    return bool(occurrences) and all(
        (by_title and title_made) or place or rest.startswith(heads)
        for rest, place, title_made in occurrences
    )


def _named_by(leaf: LeafTerms, noun: str) -> bool:
    """The leaf names `noun`: in its own name, or in an ancestor that is one group word
    (收纳架 > 鞋子收纳架), or inside a broader ancestor term (绿植 in 绿植园艺). A noun that *is* one
    of several names of an ancestor (花瓶 in "花瓶/花器/仿真花/仿真饰品") is a sibling of the leaf,
    not the leaf."""
    named = leaf.named.get(noun)
    if named is None:
        named = leaf.named[noun] = _names_in_path(leaf, noun)
    return named


def _names_in_path(leaf: LeafTerms, noun: str) -> bool:
    if noun in leaf.own:
        return True
    for group in leaf.groups:
        if len(group) == 1 and noun in group[0]:
            return True
        if any(noun in term and noun != term for term in group):
            return True
    return False


def _stem(word: str) -> str:
    """The noun without the nominal suffix 子 (帽子 → 帽, 鞋子 → 鞋, 袜子 → 袜), a bare generic its
    head (锅 of 锅具, 模 of 模具: a 蛋糕模 beside 模具 is a kind of it, no other product)."""
    if stem := generic_stem(word):
        return stem
    return word[:-1] if len(word) > 1 and word.endswith("子") else word


@lru_cache(maxsize=65536)
def _kind_of(noun: str, matched: str) -> bool:
    """Head-final nouns: the generic 鞋子 is what a 帆布鞋 is, and 遮阳帽 (a word of the tree, not of
    the lexicon) is a kind of 帽子. A lexicon noun is a product type of its own even when its last
    character matches (文件夹 is no 夹子, 化妆刷 no scrubbing 刷子, 半身裙 no 唐装裙子)."""
    if noun in NOT_KINDS:
        return False  # 电话手表 is no 手表, 内裤 no 裤子, whatever their last characters
    if matched.endswith(_stem(noun)):
        return True
    return noun not in PRODUCT_NOUNS and noun.endswith(_stem(matched))


def _first(text: str, words: Iterable[str]) -> int:
    """Where the first of `words` occurs in `text` (len(text) when none does)."""
    found = [text.find(w) for w in words if w in text]
    return min(found) if found else len(text)


def catch_all_verdict(facts: TitleFacts, noun: str) -> Verdict:
    """A catch-all leaf named by a product no leaf of the tree is named by, of the family its
    specific siblings are (毛衣 beside 童装 > T恤, 衬衫, 连身衣 … for 童装 > 其它, decision 177):
    a KIND's strength, and the catch-all's problem, so it ranks but is never published on it."""
    at, _ = _where_and_whom(facts, noun)
    return Verdict(HEAD_STRENGTH * 0.5 * CATCH_ALL_STRENGTH, noun, CATCH_ALL, at=at, how=KIND)


def family_of(noun: str) -> str:
    """`_family`, for the matcher's index of catch-alls by their siblings' families."""
    return _family(noun)


def _family(noun: str) -> str:
    """The head character of a noun without its nominal suffix (枕头 → 枕, 针织衫 → 衫): nouns of
    one family are kinds of one product (打底衫 and 针织衫). A noun ending in a ware suffix (具, 器)
    is of its bare generic's head where it is one (锅具 → 锅, with 炒锅), else of its last two
    characters: 具 and 器 make a ware or a device for the word before them (餐具 for meals,
    吸尘器 for dust), so 餐具 and 玩具, 乐器 and 温奶器 are no kinds of one product, while 温奶器
    and 暖奶器 are (decision 221)."""
    if len(noun) > 1 and noun[-1] in _WARE_SUFFIXES:
        return generic_stem(noun) or noun[-2:]
    stem = noun[:-1] if len(noun) > 1 and noun[-1] in _NOMINAL_SUFFIXES else noun
    return stem[-1]


def _leads(facts: TitleFacts, matched: str, others: Sequence[str], *, outfit: bool = False) -> bool:
    """The matched word is the product the title leads with, and the other product nouns are the
    keywords sellers append after it (卫衣 … 外套, 书包 … 双肩包, 垃圾袋 … 背心): true when

    - the matched word is a product type, not a usage word (摆件, 礼物), and longer than one
      character (the 盘 of 战斗盘 … 陀螺 is part of a name: decision 210);
    - its first occurrence comes before every other product noun, is not part of another noun
      (夹子 of 核桃夹子) and is not itself the modifier of a noun right after it (马桶 in 马桶盖,
      小夜灯 in 小夜灯转换器: head-final compounds);
    - at most one other product noun follows (a list of several types is a set or a mixed link);
    - that noun is not of the matched word's family (打底衫 … 针织衫: two kinds of one thing),
      unless the matched word is that family's generic name (帽子 … 遮阳帽);
    - the title does not sell a set (套装, 两件套), unless the leaf is itself a set or outfit
      (`outfit`: 亲子装, 家居服套装): then the other noun is part of what is sold (衬衫 … 短裤 …
      三件套装 is an outfit, not a pair of shorts);
    - no other noun is an agent (清洁剂: `_AGENT_ENDINGS`).
    """
    if _usage(matched) or len(others) > LEAD_EXCUSES:
        return False
    if _SET.search(facts.text) and not outfit:
        return False
    if any(noun in _DRESSES for noun in others):
        return False  # 衬衫 … 连衣裙: the top names the dress's style (decision 185)
    if any(noun.endswith(_AGENT_ENDINGS) for noun in others):
        return False  # 马桶 … 清洁剂: the agent is sold, for the thing named first (decision 214)
    text = facts.text
    words = variants(matched)
    start = _first(text, words)
    if start >= len(text):
        return False
    word = max((w for w in words if text.startswith(w, start)), key=len)
    if len(word) == 1:
        return False
    rest = text[start + len(word) :]
    if rest[:1] in HEAD_CHARS or any(rest.startswith(n) for n in facts.nouns):
        return False
    if _starts_with_product_noun(rest):
        return False  # 脸盆|龙头 beside 水龙头: the basin names what the faucet is for
    if _inside_other(text, start, start + len(word), facts.nouns - words):
        return False  # 夹子 of 多夹子晾衣架 or 核桃夹子: part of another product's name
    family = _family(matched)
    return all(
        _first(text, variants(noun)) > start
        and (_family(noun) != family or _refines(noun, matched))
        for noun in others
    )


_AGENT_ENDINGS = ("剂",)
"""An agent (清洁剂, 除垢剂, 干燥剂) is no keyword appended after a product: a title naming the
thing it is for first (洁厕灵马桶厕所清洁剂) sells the agent, so the thing does not lead."""


def _starts_with_product_noun(rest: str) -> bool:
    """`rest` starts with a product noun of the lexicon (two to five characters), whether or not
    the title's outermost nouns hold it as a word of its own (龙头, said alone after 脸盆 and inside
    水龙头 elsewhere): the word before it is its modifier."""
    return any(rest[:n] in PRODUCT_NOUNS for n in range(2, min(len(rest), 5) + 1))


_DRESSES = frozenset({"连衣裙", *KINDS.get("连衣裙", ())})
"""A dress named after another garment is what the title sells (衬衫 … 连衣裙, 卫衣 … 连衣裙:
a shirt dress, a hoodie dress), never a keyword appended after it (`_leads`)."""


def _usage(word: str) -> bool:
    """A usage word (摆件, 装饰品), or a term that is one once its qualifiers are taken off
    (创意摆件 → 摆件): it says what a product is for, not what it is, so it leads no title."""
    return word in USAGE_WORDS or own_type(word) in USAGE_WORDS


def _refines(noun: str, matched: str) -> bool:
    """`noun` is a kind of the bare generic `matched` (遮阳帽 of 帽子, 帆布鞋 of 鞋子): the generic
    word is a one-character stem with its nominal suffix, and the noun ends in that stem."""
    return (
        len(matched) == 2
        and matched[-1] in _NOMINAL_SUFFIXES
        and noun.endswith(matched[0])
        and noun not in NOT_KINDS
    )


def _inside_other(text: str, start: int, end: int, nouns: Iterable[str]) -> bool:
    """Some other noun's occurrence overlaps text[start:end]."""
    for noun in nouns:
        at = text.find(noun)
        while at >= 0:
            if at < end and start < at + len(noun):
                return True
            at = text.find(noun, at + 1)
    return False


def _disagreeing(facts: TitleFacts, leaf: LeafTerms, matched: str) -> list[str]:
    """Product nouns of the title the leaf does not name (usage words excused when a type agrees),
    unless the matched word leads the title (`_leads`). On a leaf for an audience the title names
    (童装>裤子 for 女童打底裤), a kind of the matched noun agrees too: such a leaf is where that
    audience's kinds of the garment go."""
    out = _named_against(facts, leaf, matched)
    if not out or any(contexts_of(noun) - leaf.contexts for noun in out):
        return out  # 健身服 beside T恤: a noun naming a use the leaf is not for is another product
    outfit = any(word in leaf.own for word in _OUTFIT_WORDS)
    key = (matched, tuple(out), outfit)  # all that the rest reads of the leaf
    excused = facts.memo.excused.get(key)
    if excused is None:
        led = _leads(facts, matched, out, outfit=outfit)
        dominant = _dominates(facts, matched, out) and (
            outfit or not _sells_set(facts.text, matched)
        )
        excused = facts.memo.excused[key] = led or dominant
    return [] if excused else out


_OUTFIT_WORDS = (*_SET_WORDS, "亲子装")
"""Leaf names that sell a set or an outfit (套装, 家居服套装, 亲子装): there the title's other
garments are parts of what is sold. Not any name holding 套 or 装 (手套, 外套, 保暖上装: one
garment; decision 167)."""


def _compound_head(rest: str) -> bool:
    """`rest` (what follows a noun) starts with a one-character head noun that ends the compound
    (衬衣|裙, 水桶|包): the noun before it is a modifier. Not a head character that starts a word
    of its own with a nominal suffix (盖 of 坐圈盖子: a keyword after the product's name)."""
    return bool(rest) and rest[0] in HEAD_CHARS and rest[1:2] not in _NOMINAL_SUFFIXES


def _sold_as_outfit(text: str, matched: str) -> bool:
    """A garment the title sells as part of a set (卫衣 … 运动休闲服套装, t恤 … 两件套): the
    product is the outfit. Not a dress (连衣裙 … 两件套: a dress with its slip or cardigan, which
    sellers and labellers file as the dress), not a mock two-piece (假两件: one garment made to
    look like two), not a set of the garment itself (`_sells_set`)."""
    return matched not in _DRESSES and _MOCK_SET not in text and _sells_set(text, matched)


_MOCK_SET = "假两件"


def _sells_set(text: str, matched: str) -> bool:
    """The title sells a set (套装, 两件套) that is not a set of the matched product itself
    (花洒套装 is a shower set; T恤 … 两件套 is an outfit of which the T恤 is one part)."""
    words = tuple(variants(matched))
    return any(not text[: found.start()].endswith(words) for found in _SET.finditer(text))


def _mentions(text: str, words: Iterable[str], *, heads: Iterable[str] = ()) -> int:
    """How often `words` occur in `text`, a longer word counted once where it holds a shorter.
    With `heads` (the title's product nouns), an occurrence right before a head character or one
    of them is not counted: it is the modifier of a compound (衬衣 of 衬衣裙, 短袖 of 短袖T恤),
    not a mention of the product."""
    heads = tuple(h for h in heads if h)
    found: set[int] = set()
    for word in sorted(set(words), key=len, reverse=True):
        start = text.find(word)
        while start >= 0:
            rest = text[start + len(word) :]
            modifier = bool(heads) and (
                _compound_head(rest) or any(rest.startswith(h) for h in heads)
            )
            if not modifier and not found & set(range(start, start + len(word))):
                found.update(range(start, start + len(word)))
                found.add(-start - 1)
            start = text.find(word, start + 1)
    return sum(1 for i in found if i < 0)


def _dominates(facts: TitleFacts, matched: str, others: Sequence[str]) -> bool:
    """Sellers repeat the product's name (墙纸 … 壁纸 … 墙纸): a type named at least
    DOMINANCE times as often as all the other product nouns together is the product. Only its
    mentions as a product count, not as the modifier of a compound (衬衫连衣裙 … 衬衣裙 names
    a dress twice, a shirt never). A title selling a set (两件套) is not made a single garment by
    repeating the garment's name (`_disagreeing`)."""
    if _usage(matched):
        return False
    heads = (n for n in facts.nouns if n not in USAGE_WORDS and n not in variants(matched))
    text = facts.text
    for noun in others:
        if noun in NOT_KINDS:
            text = text.replace(noun, " " * len(noun))  # 手表 of 电话手表 names a phone watch
    mine = _mentions(text, variants(matched), heads=heads)
    theirs = _mentions(facts.text, [v for noun in others for v in variants(noun)])
    return mine >= 2 and mine >= DOMINANCE * theirs


def _named_against(facts: TitleFacts, leaf: LeafTerms, matched: str) -> list[str]:
    """The title's product nouns that name something other than the leaf (sorted): of the nouns
    the title alone does not excuse beside `matched` (`_suspects`), those the leaf does not name,
    unless the leaf is for an audience the title names and the noun is a kind of `matched`, or
    the leaf sells goods for a use (防蚊用品) and the noun is made for that use."""
    for_audience = bool(leaf.audience) and leaf.audience <= facts.audience
    stem = _stem(matched)
    uses = frozenset().union(*(_goods_uses(term) for term in leaf.terms))
    return [
        noun
        for noun, names in _suspects(facts, matched)
        if not any(_named_by(leaf, v) for v in names)
        and not (for_audience and noun.endswith(stem) and noun not in NOT_KINDS)
        and not uses & contexts_of(noun)  # 驱蚊器, 驱蚊液 beside 防蚊用品: goods for its use
    ]


def _suspects(facts: TitleFacts, matched: str) -> tuple[tuple[str, frozenset[str]], ...]:
    """The title's product nouns (sorted, with their variants) not excused beside `matched` by
    the title alone: each leaf the title hits asks again, so worked out once per title and word."""
    found = facts.memo.suspects.get(matched)
    if found is None:
        found = facts.memo.suspects[matched] = tuple(_title_suspects(facts, matched))
    return found


@lru_cache(maxsize=8192)
def _kin(word: str) -> frozenset[str]:
    """`variants(word)` and, when `word` is a kind of a generic (KINDS), that generic and its
    other kinds: 刀架 and 调料架 are both kitchen racks (decision 190)."""
    found = set(variants(word))
    for generic, kinds in KINDS.items():
        if word in kinds:
            found |= {generic, *kinds}
    return frozenset(found)


def _occurrences(text: str, word: str) -> Iterator[int]:
    """Where `word` occurs in `text`, left to right, not overlapping (as `re.finditer` of it)."""
    at = text.find(word)
    while at >= 0:
        yield at
        at = text.find(word, at + max(1, len(word)))


def _title_suspects(facts: TitleFacts, matched: str) -> Iterator[tuple[str, frozenset[str]]]:
    # A bare generic named as a word of its own (帽子, not 夹子 of 文件夹子) holds its kinds named
    # beside it (遮阳帽 … 渔夫帽 … 帽子): the title lists kinds of one product. Worked out only
    # when some noun refines the matched word (rarely: scanning every occurrence for every title
    # and word cost ~4 % of the categories stage; decision 96).
    alone: list[bool] = []

    def is_alone() -> bool:
        if not alone:
            alone.append(
                any(
                    not _inside_other(facts.text, at, at + len(matched), facts.nouns - {matched})
                    for at in _occurrences(facts.text, matched)
                )
            )
        return alone[0]

    # A noun before a usage word is the product (餐具 of 餐具套装 is tableware, sold as a set).
    mine = (matched, _stem(matched)) if matched not in USAGE_WORDS else ()
    family = (_family(matched),)
    # A kind of the matched word (刀架 of 厨房置物架: KINDS), or another kind of the generic it is
    # a kind of (刀架 beside 调料架), names its product again; so do the words said again beside
    # it or beside that generic (毛巾 beside 洗碗布, a kind of 抹布: decision 207).
    kin = _kin(matched)
    again = kin.union(*(SAID_AGAIN.get(v, frozenset()) for v in kin))
    if product := set_of(matched):
        # 睡衣 beside 家居服套装: a kind of the product the set is a set of (decision 206).
        again |= _kin(product) | KINDS.get(product, frozenset())
    holder = matched[-1:] if _is_holder(matched) else ""
    for noun in sorted(facts.nouns):
        names = variants(noun)
        if holder and noun.startswith(_STORAGE_WORDS) and noun.endswith(holder):
            continue  # 置物架 of 牙刷置物架: the generic holder the thing's holder is named by
        if noun in again or any(
            v in matched or _kind_of(v, matched) or (_refines(v, matched) and is_alone())
            for v in names
        ):
            continue
        # Furniture names where a product goes (电视柜 … 摆件), unless it is of the product's own
        # kind: a 鞋柜 beside a 储物柜 is the cabinet sold (decision 169).
        if noun in USAGE_WORDS or (noun in PLACE_NOUNS and _family(noun) not in family):
            continue
        if _modifies(facts, noun, heads=tuple(h for h in mine if h and h != noun), by_title=True):
            continue
        # 毛衣 of 毛衣裙 beside 连衣裙: the modifier of a kind of the matched product (its head
        # character), not a second product.
        if _modifies(facts, noun, heads=family, by_title=False):
            continue
        if _paired_only(facts.text, noun, facts.edges):
            continue  # 短靴配裙子: the skirt the boots go with is not sold
        if _styles_the_dress(facts.text, noun, matched):
            continue  # 毛衣 … 打底连衣裙: a sweater dress
        yield noun, names


def _styles_the_dress(text: str, noun: str, matched: str) -> bool:
    """`matched` names a dress and `noun` is a top (DRESS_STYLES) named only before the dress's
    last mention: Chinese titles end on the product, and a top before it names its style or the
    piece it is sold with (卫衣 … 鱼尾连衣裙, 衬衫 … 两件套 … 连衣裙)."""
    if noun not in DRESS_STYLES or not variants(matched) & _DRESSES:
        return False
    last = max(text.rfind(w) for w in variants(matched))
    return all(at < last for at in _occurrences(text, noun))


_PAIRED = re.compile("(?<![装分支])配$")
"""配 right before a noun (配连衣裙, 搭配牛仔裤, 标配充电器): what the product goes with or comes
with, not what it is. Not the 配 of 装配, 分配, 支配 (verbs of another sense)."""


def _paired_only(text: str, noun: str, edges: frozenset[int]) -> bool:
    """Every occurrence of `noun` in `text` starts a word (`edges`) right after 配 (`_PAIRED`): a
    腰带 … 装饰配连衣裙 is a belt to wear with a dress, not a dress. The 盘子 of 配菜|盘子 starts
    a word after 配菜 (side dishes): a 菜盘 inside it does not start one."""
    starts = list(_occurrences(text, noun))
    return bool(starts) and all(
        at in edges and _PAIRED.search(text[max(0, at - 3) : at]) for at in starts
    )


def _where_and_whom(facts: TitleFacts, matched: str) -> tuple[float, bool]:
    """Where the matched word first occurs (a share of the title), and whether the title says
    女 right beside it (裙女, 女裙): once per title and word, whichever leaf it matched. The 女 of
    a pair naming both (男女, 女男: 情侣t恤男女体恤) says no such thing: that product is for men and
    women alike."""
    found = facts.memo.where.get(matched)
    if found is None:
        text, words = facts.text, variants(matched)
        beside = _PAIRS.sub(" ", text) if "男" in text else text
        found = facts.memo.where[matched] = (
            _first(text, words) / max(1, len(text)),
            any(f"{w}女" in beside or f"女{w}" in beside for w in words),
        )
    return found


_PAIRS = re.compile("男女|女男")


def judge(facts: TitleFacts, leaf: LeafTerms) -> Verdict:
    """Term strength and the first failed gate (`""` when the leaf may be trusted)."""
    strength, matched, how = _term_hit(facts, leaf)
    outfit = bool(strength and leaf.set_scope and matched in _SET_KINDS)
    if outfit and not _a_set_of(facts, leaf):
        strength = 0.0
    outfit = outfit or bool(how == APART and set_of(matched))
    if strength == 0.0:
        return Verdict(0.0, "", "the title names no product type of this leaf")
    at, female = _where_and_whom(facts, matched)
    if matched in SLEEVE_WORDS and (worn := _sleeved(facts, matched)):
        return Verdict(
            strength,
            matched,
            f"the title sells {worn}; {matched!r} says the length of its sleeves",
            at=at,
            how=how,
        )
    if how != APART and _paired_only(facts.text, matched, facts.edges):
        return Verdict(
            strength,
            matched,
            f"the title names {matched!r} only as what the product goes with (配{matched})",
            hard=True,
            at=at,
            how=how,
        )
    whole = any(matched in variants(term) for term in leaf.terms)
    audience = frozenset(facts.audience | {"female"} if female else facts.audience)
    misfit = _audience_clash(audience, leaf.audience, facts.text)
    if misfit and leaf.audience == _CHILD and not variants(matched).isdisjoint(ALL_AGES):
        misfit = _audience_clash(audience, frozenset(), facts.text)  # pets, mothers still clash
    # The garments of an outfit (T恤 and 长裤 of a 两件套) are what the set is made of, not
    # products beside it.
    others = [] if outfit else _disagreeing(facts, leaf, matched)
    if others and how == APART and (parts := split_term(matched)) and parts[0] in HOME_WORDS:
        # Used at home, the head's kinds are the leaf's (拖鞋 of 室内 … 拖鞋 for 居家鞋); a 高脚杯
        # beside 玻璃 … 杯 is still no 玻璃杯. Not a kind made for another use (运动鞋, sport:
        # 室内 … 运动鞋 sells sneakers worn indoors; decision 212).
        ends = (parts[1], *HEAD_KINDS.get(parts[1], ()))
        others = [n for n in others if not n.endswith(ends) or contexts_of(n)]
    if others and how == KIND and (stem := generic_stem(matched)):
        # The kind that names the leaf (遮阳帽 of 帽子, `_names_kind`) is no second product.
        others = [n for n in others if _family(n) != stem or n in NOT_KINDS]
    if others:
        return Verdict(
            strength,
            matched,
            f"the title also names {'、'.join(others)}, which this leaf does not",
            whole=whole,
            at=at,
            how=how,
            fits=not misfit,
        )
    clash = misfit or _context_clash(facts, leaf, matched)
    if clash:
        return Verdict(
            strength, matched, clash, hard=True, whole=whole, at=at, how=how, misfit=bool(misfit)
        )
    if leaf.outfit_part and not outfit and _sold_as_outfit(facts.text, matched):
        # 卫衣 … 运动休闲服套装: a two-piece outfit, not the sweatshirt alone (decision 215).
        return Verdict(
            strength,
            matched,
            f"the title sells a set (套装, 两件套) of which {matched!r} is one garment",
            whole=whole,
            at=at,
            how=how,
        )
    if leaf.generic:
        return Verdict(strength, matched, CATCH_ALL, whole=whole, at=at, how=how)
    listed = how == KIND and any(_names_in_title(facts, k) for k in KINDS.get(matched, ()))
    return Verdict(strength, matched, "", whole=whole, at=at, how=how, listed=listed)


_SET_USAGE = frozenset({"组合", "套装"})
"""Usage words that say how a product is put together, not what for: 组合玩具 (assembly toys)
is a type of toy of its own, not any 玩具 (decision 208)."""
_QUALIFIERS = _longest_words(
    [
        *(w for w in MODIFIER_WORDS if w not in _SIZE_WORDS),
        *(w for w in USAGE_WORDS if w not in _SET_USAGE),
        *(w for words in AUDIENCE_WORDS.values() for w in words if len(w) > 1),
        *(w for words in CONTEXT_WORDS.values() for w in words),
    ]
)


@lru_cache(maxsize=8192)
def own_type(term: str) -> str:
    """What a leaf term names once the words saying how, for whom or for what use are taken off
    its front (儿童装饰手表 → 手表, 电动车挡风被 → 挡风被, 创意摆件 → 摆件): the leaf's own product
    type. A place (桌面 of 桌面收纳盒) or another product (鞋子 of 鞋子收纳架) is not taken off:
    they make the leaf a kind of the head, not the head itself."""
    return _strip_front(term, _QUALIFIERS)


def weak_evidence(verdict: Verdict, leaf: LeafTerms) -> str:
    """Why the way the title names a leaf is too weak to publish on, or "": the title names only
    the head noun of a longer leaf term that is more than that head (收纳架 for 鞋子收纳架, 套装 for
    厨房小工具套装: the product is of the head's kind, not necessarily of this leaf), or names a
    bare generic only through a word ending in its head character (跳绳 for 绳子, 刷锅 for 锅具:
    such words are as often another product), unless the word is one `KINDS` lists for it
    (蛋糕模 of 模具: `Verdict.listed`, decision 209). Not on a leaf for an audience (童装 > 裤子): the
    title names that audience, or the judge would have found a clash, and such a leaf is where
    the audience's kinds of the product go (男童 … 长裤); the words ending in the head that are
    other products (纸尿裤, 内裤: `NOT_KINDS`) name no kind at all (`_names_kind`). A catch-all
    named by its parent's product is judged by the catch-all rules instead."""
    if verdict.how == KIND and not leaf.audience and not verdict.listed:
        return (
            f"the title names {verdict.matched!r} only through a word ending in "
            f"{generic_stem(verdict.matched)!r}: a kind of it, perhaps another product"
        )
    if verdict.how != HEAD or any(holds_parent(leaf, head) for head in leaf.heads):
        return ""
    if any(verdict.matched in variants(own_type(term)) for term in leaf.terms):
        return ""
    return (
        f"the title names only {verdict.matched!r}, the head of this leaf's "
        f"{'/'.join(leaf.terms)}: a broader product than the leaf"
    )


def _context_clash(facts: TitleFacts, leaf: LeafTerms, matched: str = "") -> str:
    for level in leaf.context_levels:
        if not level & facts.contexts and not _named_without(leaf, level, matched):
            return f"the leaf is for {'/'.join(sorted(level))} use; the title does not say so"
    strong = (facts.contexts & STRONG_CONTEXTS) - leaf.contexts
    if strong and _says_home(facts.text):
        strong -= HOME_TOO_CONTEXTS
    if strong:
        return f"the title is for {'/'.join(sorted(strong))} use; the leaf is not"
    return _opposite_form(facts.text, leaf)


def _opposite_form(text: str, leaf: LeafTerms) -> str:
    """The title names a form opposite to one the leaf's path names (高帮 against 低帮鞋:
    `OPPOSITE_FORMS`), and not that form itself."""
    for form, opposites in OPPOSITE_FORMS.items():
        if form in text or not any(form in name for group in leaf.groups for name in group):
            continue
        if said := next((o for o in opposites if o in text), ""):
            return f"the title names {said}; the leaf is for {form}"
    return ""


def _named_without(leaf: LeafTerms, level: frozenset[str], matched: str) -> bool:
    """The leaf's own name lists a product and a use (球类玩具/球类运动), and the title names the
    product: a weak use of the leaf's own name binds no title that names its other name. A strong
    one (车用空气净化/清新剂: a car's) still does, and so do the levels above it."""
    return (
        level == leaf.own_context
        and not level & STRONG_CONTEXTS
        and matched in leaf.terms
        and not contexts_of(matched)
    )


_ADULT = ("成人", "大人", "成年", "男士", "女士")
_ADULT_CLOTHES = re.compile("(?<![母父亲童])[男女]装")
"""女装 and 男装 name women's and men's clothing: a title saying so is (also) for adults, whatever
child its print shows (…女装…卡通女孩印花…连衣裙女, decision 203); not the 女装 of 母女装, an
outfit for a mother and a daughter, nor of 童女装."""
_CHILD = frozenset({"child"})


class _Whom(NamedTuple):
    """What a title's text says of who it is for, beyond its audience words (`_whom`)."""

    pets: bool
    mothers: bool
    adults: bool
    men_and_women: bool


@lru_cache(maxsize=4096)
def _whom(text: str) -> _Whom:
    """Cached: `_audience_clash` asks it of the same title for each leaf the title names."""
    return _Whom(
        pets=any(w in text for w in PET_USE_WORDS),
        mothers=any(w in text for w in MATERNITY_WORDS),
        adults=any(w in text for w in _ADULT) or bool(_ADULT_CLOTHES.search(text)),
        men_and_women=_men_and_women(text),
    )


def _audience_clash(title: frozenset[str], leaf: frozenset[str], text: str = "") -> str:
    whom = _whom(text)
    if "pet" not in leaf and whom.pets:
        return "the title is for pets; the leaf is not"
    if "maternity" not in leaf and whom.mothers:
        return "the title is for expectant or new mothers; the leaf is not"
    if not leaf:
        return ""
    if "child" in leaf and whom.adults:
        return "the title is (also) for adults; the leaf is for children"
    if "child" in leaf and whom.men_and_women:
        return "the title is for men, women and children alike; the leaf is for children"
    for audience in leaf:
        if audience not in title:
            return f"the leaf is for {audience}; the title does not say so"
    # A title for adults too reads a child word as the print's or the brand's (卡通女孩印花): no
    # clash with an adult's leaf for it.
    other = title - leaf - ({"female", "male"} if "child" in leaf else set())
    if whom.adults:
        other -= {"child"}
    if other:
        return (
            f"the title is for {'/'.join(sorted(other))}; the leaf is for {'/'.join(sorted(leaf))}"
        )
    return ""


_CHILD_GENDERED = ("男童", "女童", "男孩", "女孩", "男宝", "女宝", "男生", "女生")


def _men_and_women(text: str) -> bool:
    """男 and 女 each named apart from a child's word (男童, 女孩) and from a unisex pair (男女):
    a title listing every audience (口罩女 … 儿童 … 男) is not a children's product only."""
    for word in (*_CHILD_GENDERED, *_UNISEX):
        text = text.replace(word, " ")
    return "男" in text and "女" in text


def tree_vocabulary(terms: Iterable[LeafTerms]) -> frozenset[str]:
    """The product words a tree's leaves are named by (those ending in a head noun: 干发帽,
    挡风被): a title naming one names a product type, whether or not the lexicon knows it."""
    words = {w for t in terms for w in (*t.terms, *t.heads)}
    return frozenset(
        w
        for w in words
        if w not in USAGE_WORDS
        and w not in MODIFIER_WORDS
        and (w[-1] in HEAD_CHARS or any(w.endswith(n) for n in PRODUCT_NOUNS))
    )


def index_leaves(paths: Mapping[int, Sequence[str]]) -> dict[int, LeafTerms]:
    """`leaf_terms` for every leaf, built once per tree; a leaf named by a set word gets as its
    `set_scope` the words of the leaves under every root that holds a leaf named by that word.

    Why every such root and not its own: a tree lists the garments of a set under one root and
    not another (this tree's 女装 holds T恤 and 衬衫 but no 外套 or 西装, its 童装 holds them), and
    a women's 西装外套 … 套装 is an outfit all the same (decision 153). The roots holding a 套装
    leaf are those where sets of garments are sold, so a tableware or toy set still is none.
    Every other leaf under such a root is an `outfit_part`: a title selling a set of its garment
    sells the outfit (decision 215)."""
    terms = {leaf: leaf_terms(path) for leaf, path in paths.items()}
    scopes: dict[str, set[str]] = {}
    for leaf, path in paths.items():
        words = scopes.setdefault(path[0] if path else "", set())
        t = terms[leaf]
        words.update(w for w in (*t.terms, *t.heads, *(g for level in t.groups for g in level)))
    named = {leaf: [w for w in _SET_WORDS if w in terms[leaf].terms] for leaf in paths}
    roots: dict[str, set[str]] = {}
    for leaf, path in paths.items():
        for word in named[leaf]:
            roots.setdefault(word, set()).add(path[0] if path else "")
    for leaf, set_words in named.items():
        if set_words:
            scope = {
                w
                for word in set_words
                for root in roots[word]
                for w in scopes[root]
                if len(w) >= 2 and w not in _SET_KINDS
            }
            terms[leaf] = replace(terms[leaf], set_scope=frozenset(scope))
    outfit_roots = {root for held in roots.values() for root in held}
    for leaf, path in paths.items():
        t = terms[leaf]
        if path and path[0] in outfit_roots and not any(w in t.own for w in _OUTFIT_WORDS):
            terms[leaf] = replace(t, outfit_part=True)
    return terms


def _a_set_of(facts: TitleFacts, leaf: LeafTerms) -> bool:
    """The title's products other than the set word are all of the set leaf's scope (a 童装 set of
    T恤 and 长裤, or a set alone), not a tableware or toy set sold beside a child's word. A noun
    of the family of one of the root's words counts (牛仔裤 beside 短裤, 半身裙 beside 连衣裙):
    a tree need not list every garment of its root for a set of them to be an outfit. A noun
    for a use the leaf is not for (泳衣, 泳裤: swimming) makes a set of another kind."""
    others = [n for n in facts.nouns if not any(w in n for w in _SET_KINDS)]
    if any(contexts_of(n) - leaf.contexts for n in others):
        return False
    joined, families, words = _scope_index(leaf.set_scope)
    return all(n in joined or _family(n) in families or any(w in n for w in words) for n in others)


@lru_cache(maxsize=1024)
def _scope_index(scope: frozenset[str]) -> tuple[str, frozenset[str], tuple[str, ...]]:
    """A set leaf's scope as `_a_set_of` reads it, once per scope: its words joined by a character
    no word holds (a noun inside one of them is found in one search), their families, the words."""
    return "\x00".join(sorted(scope)), frozenset(_family(w) for w in scope if w), tuple(scope)
