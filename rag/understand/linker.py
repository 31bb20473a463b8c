"""Entity linking: which products, brands and categories of the catalog a message names.

Names come from the graph (`EntityLinker.from_graph`, statements in kg/cypher.py) or from plain
records (`EntityLinker(products, brands, categories)`, used by tests and the benchmark).

How a message is linked, cheapest first:
  1. ids: tokens that look like a product id / SKU / ASIN are looked up in a dict;
  2. tokens: each word is mapped to the catalog vocabulary, exactly or, for unknown words of
     4+ letters that are no English word (`english_words`), by rapidfuzz to the closest
     vocabulary word (score >= 80, weighted down);
  3. brands and categories: their names as token sequences (plus singular forms; a category
     named by a list, "Chargers & Cables", also by each part) are matched against the
     message's corrected words; a brand of several words also by its first word right before
     a category ("Arcadia phones"), or anywhere when that word is no English word ("is
     Casemate a good brand?"), as a fuzzy match;
  4. products: an inverted index from words to products shortlists by the message's rarest
     distinctive words (model lines, model numbers), then each shortlisted title is scored by
     IDF-weighted coverage. A product needs a distinctive word (not only brand, category or
     colour words) and two matching words;
  5. where no category name matches, the message embedding against the category names.
Near-ties between different products become `candidates` (the caller asks which one).
"""

from __future__ import annotations

import gc
import math
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterable, Mapping

import numpy as np
from rapidfuzz import fuzz, process

from rag.understand.constraints import AttributeKey, without_prices, without_quantities
from rag.understand.types import LinkedEntity

MAX_LINK_CHARS = 1000   # only the head of very long messages is linked (latency bound)
FUZZY_CUTOFF = 80.0
#: Products whose attribute values are read as known words (a sample: their values repeat), and
#: the most distinct values kept.
KNOWN_WORDS_PRODUCTS = 5000
KNOWN_WORDS_VALUES = 20000
AMBIGUITY_MARGIN = 0.06  # candidates within this score of the best are "the same"
MAX_CANDIDATES = 5
MIN_PRODUCT_SCORE = 0.35
CORRECTIONS_KEPT = 8192  # words whose correction the linker remembers
MAX_PRODUCTS = 4         # products linked per message (comparisons name 2-3)
STOPWORDS = frozenset(
    "a an the and or of for to in on with is are be it this that these those i my me you your "
    "do does did can could will would should have has any some what which how when where who "
    "there here please thanks hi hello about from at by as vs versus or".split()
)
_TOKEN_RE = re.compile(r"[a-z0-9]+(?:[-.][a-z0-9]+)*")
#: Where one product mention ends and the next may start.
_SEGMENT_RE = re.compile(r"\b(?:and|vs|versus|or|with|than|against|compared to|to|for)\b|[;/+?!]|\bv\.?\s"
                         # "compare the X, the Y and the Z" (a comma in a title comes before its colour)
                         r"|,(?=\s+(?:the|an?)\s)"
                         # "will X fit my Y?" (not "Casemate Fit 200": a name goes on after "Fit")
                         r"|\bfits?(?=\s+(?:my|the|a|an|your|this|that|our|his|her)\b)", re.I)
_COLOUR_SUFFIX_RE = re.compile(r",\s*[^,]{1,40}$")
#: A bound on a price or a measure ("under 200", "less than $50", "over 3 kg"): its number is
#: no model number ("headphones under 200" linked the Vireo Nova 200 Wireless Headphones)
# (not "max" or "about": "the Arcadia Mobile Max 930" is a name)
_BOUND_AMOUNT_RE = re.compile(r"(\b(?:under|below|over|above|less\s+than|more\s+than|up\s+to|at\s+most|at\s+least"
                              r"|budget\s+(?:of|is))\s+)\$?\s*\d[\d,.]*|\$\s*\d[\d,.]*", re.I)
_ID_RE = re.compile(r"\b[A-Za-z0-9][A-Za-z0-9._:/#@+-]{2,63}\b")


def tokens(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text).lower()
    out: list[str] = []
    for t in _TOKEN_RE.findall(text):
        out.append(t)
        if "-" in t or "." in t:  # "usb-c" also as "usb", "c"
            out.extend(p for p in re.split(r"[-.]", t) if p)
    return out


_CONJUNCTION = re.compile(r"\s*(?:&|,|\band\b|/)\s*", re.IGNORECASE)


def _within(mention: str, words: set[str]) -> bool:
    """Whether every word of `mention` is one of `words`."""
    said = set(tokens(mention))
    return bool(said) and said <= words


def conjuncts(name: str) -> list[str]:
    """The parts of a category named by a list: "Chargers & Cables" is also "Chargers" and
    "Cables" ("I need a charger"). A name that is one thing has none."""
    parts = [p for p in _CONJUNCTION.split(name) if p.strip()]
    return parts if len(parts) > 1 else []


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Whole English words, read from the embedding model's WordPiece vocabulary (its ~20,000
    whole words of 4+ letters): a message word among them is no typo, so it is never "corrected"
    into a catalog word ("looking" into the alias "cooking" linked the Kitchen category to "I'm
    looking for a tent"). Misspellings ("headphnes", "campng") and most brand names are not in it."""
    try:
        from rag.encoder import default_model_path

        lines = (default_model_path() / "vocab.txt").read_text(encoding="utf-8").split()
    except (OSError, RuntimeError):
        return frozenset()
    return frozenset(w for w in lines if len(w) >= 4 and w.isalpha())


_ENDINGS = ("ers", "er", "ing", "ed", "es", "s", "ly", "est")
#: endings after which a final y was an i ("priciest": pricey; it was corrected to "prices")
_Y_ENDINGS = ("iest", "ier", "ies", "ily")


def english_base(word: str) -> bool:
    """An English word with an ending the vocabulary does not hold whole ("camper": camp + er,
    which the embedding model's WordPiece splits): no typo either ("camper" was corrected to the
    brand word "ampere", and "what would you recommend for a beginner camper?" answered "No tents
    by Ampere Co")."""
    words = english_words()
    return any(word.endswith(end) and len(word) - len(end) >= 4 and (word[: -len(end)] in words
                                                                      or word[: -len(end)] + "e" in words)
               for end in _ENDINGS) or any(
        word.endswith(end) and len(word) - len(end) >= 3 and (word[: -len(end)] + "y" in words
                                                               or word[: -len(end)] + "ey" in words)
        for end in _Y_ENDINGS)


def _base_title(title: str) -> str:
    """The title without its trailing ", Colour" variant suffix."""
    return _COLOUR_SUFFIX_RE.sub("", title).lower()


def singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "xes", "zes", "ches", "shes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


# words that pick a thing in English ("the blue one"), which a product's name may also hold
_PICK_WORDS = frozenset({"one", "ones"})


@dataclass
class ProductName:
    id: str
    title: str
    sku: str | None = None
    brand_id: str | None = None
    category_id: str | None = None


@dataclass
class NamedNode:
    id: str
    name: str
    aliases: list[str] = field(default_factory=list)


@dataclass
class LinkResult:
    entities: list[LinkedEntity] = field(default_factory=list)
    candidates: list[LinkedEntity] = field(default_factory=list)
    ambiguous_mention: str | None = None


#: The score of a category named by a value of its products (`values_naming_categories`)
VALUE_SCORE = 0.9
#: Keys whose values name no kind of product: a colour is any category's
_NOT_NAMING_KEYS = frozenset({"color", "colour"})
_PLURAL_END = re.compile(r"(?:e?s)$")
#: Words that may follow a value naming a category without being the thing asked for ("power
#: banks under $50", "goose down please")
_JOINING_WORDS = frozenset("for with without under below over above less more than that which who in on at to from by "
                           "and or but please pls available in stock one ones only do does is are can could".split())


def values_naming_categories(category_values: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """The attribute values that name a kind of product of one category alone, lower case, each
    to its category: of two words or more, or joined by a hyphen ("power bank", "aramid fiber",
    "in-ear", "4-season", "goose down"), and had by one category's products only. A value of one
    word ("glass", "leather", "drip") or of several categories ("usb-c") names none."""
    owners: dict[str, set[str]] = {}
    for category, values in category_values.items():
        for value in values:
            for item in str(value).lower().split(", "):
                item = item.strip()
                words = re.split(r"[-\s]+", item)
                if len(words) >= 2 and all(words) and not item.replace(".", "").replace(" ", "").isdigit():
                    owners.setdefault(item, set()).add(category)
    return {v: next(iter(cats)) for v, cats in owners.items() if len(cats) == 1}


def _squeezed(value: str) -> str:
    """A value without its spaces and hyphens ("4 season" and "4-season" are one)."""
    return re.sub(r"[-\s]+", "", value)


def _phrases_pattern(values: Mapping[str, str]) -> re.Pattern[str] | None:
    """One pattern for all `values`, longest first, each written with spaces, hyphens or
    nothing between its words and maybe a plural ending ("power banks", "4 season")."""
    if not values:
        return None
    alternatives = [r"[-\s]*".join(map(re.escape, re.split(r"[-\s]+", v)))
                    for v in sorted(values, key=len, reverse=True)]
    return re.compile(rf"(?<![\w-])(?:{'|'.join(alternatives)})(?:e?s)?(?![\w-])")


def _catalog_linked_categories(catalog: Any) -> set[tuple[str, str]]:
    """The pairs of categories whose products `catalog` links, as `kg.cypher.LINKED_CATEGORIES`
    reads them from the graph."""
    category = {p.id: p.category for p in catalog.products}
    return {(p.category, category[r.target]) for p in catalog.products for r in p.relations
            if r.kind.value != "variant_of" and r.target in category}


def _catalog_category_keys(catalog: Any) -> dict[str, list[AttributeKey]]:
    """Each leaf category's attributes in `catalog`, read as `from_graph` reads them from the
    graph (`kg.cypher.CATEGORY_ATTRIBUTES`): from as many of its products, as many values a key."""
    from kg.cypher import CATEGORY_ATTRIBUTES_PRODUCTS, CATEGORY_ATTRIBUTES_VALUES

    values: dict[str, dict[tuple[str, str | None], list[str]]] = {}
    read: dict[str, int] = {}
    for p in catalog.products:
        if read.get(p.category, 0) < CATEGORY_ATTRIBUTES_PRODUCTS:
            read[p.category] = read.get(p.category, 0) + 1
            for a in p.attributes:
                seen = values.setdefault(p.category, {}).setdefault((a.key, a.unit), [])
                value = a.text_value.lower()
                if value not in seen:
                    seen.append(value)
    return {category: [AttributeKey(key, unit, tuple(vs[:CATEGORY_ATTRIBUTES_VALUES]))
                       for (key, unit), vs in sorted(keys.items(), key=lambda kv: (kv[0][0], kv[0][1] or ""))]
            for category, keys in values.items()}


class EntityLinker:
    def __init__(
        self,
        products: Iterable[ProductName],
        brands: Iterable[NamedNode],
        categories: Iterable[NamedNode],
        encoder: Any = None,
        known_words: Iterable[str] = (),
        category_keys: Mapping[str, list[AttributeKey]] | None = None,
        linked_categories: Iterable[tuple[str, str]] = (),
    ):
        """`known_words`: words of the catalog that name no product, brand or category (its
        attribute values: "chromeos", "ripstop"): never corrected to a name that is close.
        `category_keys`: each leaf category's attributes, with some of their values: a value
        may name its category (`values_naming_categories`) or, asked of a product, its attribute
        (rag.understand.pipeline.attributes_asked_by_value). `linked_categories`: the pairs of
        categories whose products the catalog links (`goes_with`)."""
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            self.products: list[ProductName] = list(products)
        finally:
            if gc_was_enabled:
                gc.enable()
        self.brands: list[NamedNode] = list(brands)
        self.categories: list[NamedNode] = list(categories)
        self._known = frozenset(w for text in known_words for w in re.findall(r"[a-z]+", text.lower()) if len(w) >= 4)
        self.category_keys: dict[str, list[AttributeKey]] = dict(category_keys or {})
        self._attribute_words: frozenset[str] | None = None
        self._linked: dict[str, set[str]] = {}
        for a, b in linked_categories:
            self._linked.setdefault(a, set()).add(b)
            self._linked.setdefault(b, set()).add(a)
        named = values_naming_categories({c: [v for k in keys if k.key not in _NOT_NAMING_KEYS for v in k.values]
                                          for c, keys in self.category_keys.items()})
        self._value_categories = {_squeezed(v): c for v, c in named.items()}
        self._values_re = _phrases_pattern(named)
        self._build(encoder)
        # (each message's words are corrected twice, for its typos and for linking: once each
        # word; the vocabulary does not change for the linker's life)
        self._correct = lru_cache(maxsize=CORRECTIONS_KEPT)(self._correct)  # type: ignore[method-assign]

    # ------------------------------------------------------------------------------ building
    @classmethod
    def from_graph(cls, store: Any, encoder: Any = None, page: int = 20_000) -> "EntityLinker":
        """Load every product, brand and category name from the graph readers currently use."""
        from kg import cypher as Q

        products: list[ProductName] = []
        after = ""
        while True:
            rows = store.query(Q.LINKER_PRODUCT_NAMES, {"after": after, "limit": page})
            products.extend(
                ProductName(r["id"], r["title"], r.get("sku"), r.get("brand_id"), r.get("category_id"))
                for r in rows
            )
            if len(rows) < page:
                break
            after = rows[-1]["id"]
        brands = [NamedNode(r["id"], r["name"]) for r in store.query(Q.BRAND_NAMES)]
        category_rows = store.query(Q.CATEGORY_NAMES)
        categories = [NamedNode(r["id"], r["name"], list(r.get("aliases") or [])) for r in category_rows]
        parents = {r.get("parent_id") for r in category_rows}
        values = [str(r["value"]) for r in store.query(Q.ATTRIBUTE_VALUE_SAMPLE, {
            "products": KNOWN_WORDS_PRODUCTS, "values": KNOWN_WORDS_VALUES})]
        # (the sample the graph reads attribute conditions from: a value that links a category
        # narrows its listing)
        by_category = {c.id: [AttributeKey(r["key"], r.get("unit"), tuple(str(v) for v in r.get("values") or []))
                              for r in store.query(Q.CATEGORY_ATTRIBUTES, {
                                  "category_id": c.id, "products": Q.CATEGORY_ATTRIBUTES_PRODUCTS,
                                  "values": Q.CATEGORY_ATTRIBUTES_VALUES})]
                       for c in categories if c.id not in parents}  # (leaves: a parent has its leaves' values)
        linked = [(r["a_id"], r["b_id"]) for r in store.query(Q.LINKED_CATEGORIES)]
        return cls(products, brands, categories, encoder=encoder, known_words=values, category_keys=by_category,
                   linked_categories=linked)

    @classmethod
    def from_catalog(cls, catalog: Any, encoder: Any = None) -> "EntityLinker":
        """From an `ingest.models.Catalog` (tests, benchmark: no graph needed)."""
        return cls(
            (ProductName(p.id, p.title, p.sku, p.brand, p.category) for p in catalog.products),
            (NamedNode(b.id, b.name) for b in catalog.brands),
            (NamedNode(c.id, c.name, list(c.aliases)) for c in catalog.categories),
            encoder=encoder,
            known_words={v for p in catalog.products[:KNOWN_WORDS_PRODUCTS] for a in p.attributes for v in a.values},
            category_keys=_catalog_category_keys(catalog),
            linked_categories=_catalog_linked_categories(catalog),
        )

    def _build(self, encoder: Any) -> None:
        gc_was_enabled = gc.isenabled()
        gc.disable()  # millions of small objects: cyclic GC passes would dominate the build
        try:
            self._build_indexes(encoder)
        finally:
            if gc_was_enabled:
                gc.enable()
        # The index is hundreds of thousands of long-lived objects: left in the cyclic GC's
        # generations, every full collection walks them all (measured: the encoder call
        # per message went from 8 ms to 435 ms at 100k products). Freeze them out of its way.
        gc.collect()
        gc.freeze()

    def _build_indexes(self, encoder: Any) -> None:
        # ids, SKUs (ASINs are product ids of imported catalogs)
        self._by_key: dict[str, int] = {}
        for i, p in enumerate(self.products):
            self._by_key.setdefault(p.id.lower(), i)
            if p.sku:
                self._by_key.setdefault(p.sku.lower(), i)
        # brand and category phrases -> node
        self._brand_phrases: dict[tuple[str, ...], int] = {}
        for i, b in enumerate(self.brands):
            for name in [b.name, b.id.replace("-", " "), *b.aliases]:
                words = tokens(name)
                # "Ampere & Co" is also just "Ampere"; a one-word name is kept whatever it is
                toks = tuple(t for t in words if t not in STOPWORDS and t != "co") if len(words) > 1 else tuple(words)
                if toks:
                    self._brand_phrases.setdefault(toks, i)
        self._category_phrases: dict[tuple[str, ...], int] = {}
        for i, c in enumerate(self.categories):
            for name in [c.name, c.id.replace("-", " "), *c.aliases, *conjuncts(c.name)]:
                toks = tuple(t for t in tokens(name) if t not in STOPWORDS)
                if toks:
                    self._category_phrases.setdefault(toks, i)
                    self._category_phrases.setdefault(tuple(singular(t) for t in toks), i)
        # "Arcadia phones": a brand of several words named by its first, right before a category
        first_words: dict[str, list[int]] = {}
        category_words = {t for phrase in self._category_phrases for t in phrase}
        for i, b in enumerate(self.brands):
            words = [t for t in tokens(b.name) if t not in STOPWORDS]
            if len(words) > 1 and len(words[0]) >= 4 and words[0].isalpha() and words[0] not in category_words:
                first_words.setdefault(words[0], []).append(i)
        self._brand_first_words = {w: ids[0] for w, ids in first_words.items() if len(ids) == 1}
        self._brand_of: dict[str, int] = {b.id: i for i, b in enumerate(self.brands)}
        # the words a brand's or a category's name is written with (what `misspelled` corrects to)
        self._name_words = frozenset(t for phrases in (self._brand_phrases, self._category_phrases)
                                     for phrase in phrases for t in phrase)
        self._category_of: dict[str, int] = {c.id: i for i, c in enumerate(self.categories)}

        # inverted index over title words
        postings: dict[str, list[int]] = {}
        self._title_tokens: list[tuple[str, ...]] = []
        seen: dict[str, tuple[str, ...]] = {}  # titles repeat (variants): tokenize each once
        for i, p in enumerate(self.products):
            toks = seen.get(p.title)
            if toks is None:
                toks = seen[p.title] = tuple(dict.fromkeys(t for t in tokens(p.title) if t not in STOPWORDS))
            self._title_tokens.append(toks)
            for t in toks:
                postings.setdefault(t, []).append(i)
        n = max(1, len(self.products))
        self._total_idf = np.zeros(len(self.products), dtype=np.float32)
        self._postings = {t: np.asarray(v, dtype=np.int32) for t, v in postings.items()}
        self._idf = {t: math.log(1 + n / len(v)) for t, v in postings.items()}
        for i, toks in enumerate(self._title_tokens):
            self._total_idf[i] = sum(self._idf[t] for t in toks)
        # words that name a brand, a category or a colour do not make a product mention alone
        generic: set[str] = set()
        for phrase in self._brand_phrases:
            generic.update(phrase)
        for phrase in self._category_phrases:
            generic.update(phrase)
            generic.update(singular(t) for t in phrase)
        # the most frequent words of titles (nouns like "headphones", colours) are generic too
        cutoff = max(50, n // 50)
        generic.update(t for t, v in postings.items() if len(v) > cutoff and not t.isdigit())
        self._generic = frozenset(generic)
        self._vocab = list(self._postings) + [t for p in self._brand_phrases for t in p] + [
            t for p in self._category_phrases for t in p
        ]
        self._vocab = sorted(set(self._vocab))
        self._vocab_set = frozenset(self._vocab)
        self._vocab_by_len: dict[int, list[str]] = {}
        for t in self._vocab:
            if t.isalpha():
                self._vocab_by_len.setdefault(len(t), []).append(t)
        # category embeddings for the meaning fallback
        self._category_vectors: np.ndarray | None = None
        if encoder is not None and self.categories:
            self._category_vectors = encoder.encode([c.name for c in self.categories])

    # ------------------------------------------------------------------------------- linking
    def _correct(self, word: str) -> tuple[str, float] | None:
        """The vocabulary word for a message word: itself (1.0), its singular, or the closest
        word by edit similarity (score/100, from 0.8)."""
        if word in self._vocab_set:
            return word, 1.0
        s = singular(word)
        if s in self._vocab_set:
            return s, 1.0
        if (len(word) < 4 or not word.isalpha() or word in STOPWORDS or word in english_words() or word in self._known
                or english_base(word)):
            return None
        pool: list[str] = []
        for n in range(len(word) - 1, len(word) + 2):
            pool.extend(self._vocab_by_len.get(n, ()))
        if not pool:
            return None
        hit = process.extractOne(word, pool, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
        if hit is None:
            return None
        return hit[0], hit[1] / 100.0

    def goes_with(self, category_id: str | None, other_id: str) -> bool:
        """Whether the catalog links products of the two categories (a phone and its cases)."""
        return category_id is not None and other_id in self._linked.get(category_id, ())

    def attribute_words(self) -> frozenset[str]:
        """The words of the catalog's attribute names and values, of four letters or more
        ("waterproof", "goose", "down"): what a typo of a condition is corrected to."""
        if self._attribute_words is None:
            self._attribute_words = frozenset(
                w for keys in self.category_keys.values() for k in keys
                for text in (k.key.replace("_", " "), *k.values) for w in re.findall(r"[a-z]+", text.lower())
                if len(w) >= 4)
        return self._attribute_words

    def knows(self, word: str) -> bool:
        """Whether `word` (lower case) is a word of the catalog: of a name, or of an attribute value."""
        return word in self._vocab_set or singular(word) in self._vocab_set or word in self._known

    def misspelled(self, text: str) -> dict[str, str]:
        """The words of `text` that are typos of a word of a brand's or a category's name, each
        with the word it is a typo of ("blendrs" -> "blenders", "kestral" -> "kestrel"). The
        linker reads such words already; the intent and sentiment models never saw them ("do u
        have blendrs" was declined as out of scope). A longer word that holds the name's word is
        another word, not a typo ("iphone" is no misspelled "phone")."""
        out: dict[str, str] = {}
        for word in tokens((text or "")[:MAX_LINK_CHARS]):
            if word in out or word in STOPWORDS:
                continue
            c = self._correct(word)
            if c is not None and c[1] < 1.0 and c[0] in self._name_words and c[0] not in word:
                out[word] = c[0]
        return out

    def link(self, text: str, embedding: np.ndarray | None = None) -> LinkResult:
        text = (text or "")[:MAX_LINK_CHARS]
        result = LinkResult()
        if not text.strip():
            return result

        # 1. ids / SKUs
        result.entities.extend(self.products_named_by_id(text))

        # 2. words -> vocabulary (amounts of money or of an attribute name no product: "tents
        # under $200", "a sleeping bag under 800 g")
        text = without_quantities(without_prices(text))
        words = [w for w in tokens(text) if w not in STOPWORDS][:200]
        corrected: list[tuple[str, float, str]] = []  # (vocab word, weight, original)
        for w in words:
            c = self._correct(w)
            if c is not None:
                corrected.append((c[0], c[1], w))
        seq = [c[0] for c in corrected]

        # 3. brands and categories (phrases of 1-3 words)
        brand_hits = self._match_phrases(seq, corrected, self._brand_phrases)
        category_hits = self._match_phrases(seq, corrected, self._category_phrases)

        brand_hits += self._brands_by_first_word(text, seq, corrected, brand_hits)

        # 4. products by title words, per segment ("X vs Y", "X with Y" name two products)
        if not any(e.kind == "product" for e in result.entities):
            # (a brand's name alone names none of its products: "anything from Campfire Co?"
            # asked which of five Campfire Co tents was meant)
            brand_words: set[str] = set()
            for i, _, mention, _ in brand_hits:
                said = set(tokens(mention))
                brand_words |= set(tokens(self.brands[i].name)) | {seq[k] for k, c in enumerate(corrected) if c[2] in said}
            for segment in _SEGMENT_RE.split(_BOUND_AMOUNT_RE.sub(lambda m: m.group(1) or " ", text)):
                seg_words = [w for w in tokens(segment) if w not in STOPWORDS][:100]
                seg_corrected = [(c[0], c[1], w) for w in seg_words if (c := self._correct(w)) is not None]
                self._link_products(seg_corrected, result, frozenset(brand_words))
                if len(result.entities) >= MAX_PRODUCTS:
                    break
        linked = [e for e in result.entities if e.kind == "product"]
        implied = {e.brand_id for e in linked} | {e.category_id for e in linked}
        # words of a product's name name no other thing: "tell me about the Nimbus Tech Flex 360
        # Laptop" asks about no electronics ("tech" is that category's alias)
        in_names = {w for e in linked for w in tokens(e.mention or "")}

        for i, score, mention, method in brand_hits:
            b = self.brands[i]
            if b.id in implied or _within(mention, in_names):  # "Bassline Halo 150": the brand is the product's own
                continue
            result.entities.append(LinkedEntity(kind="brand", id=b.id, name=b.name, score=score,
                                                method=method, mention=mention))
        # (nor of a brand's: "what about Nimbus Tech?" asks about no electronics)
        in_brand_names = in_names | {w for e in result.entities if e.kind == "brand" for w in tokens(e.mention or "")}
        for i, score, mention, method in category_hits:
            c = self.categories[i]
            if c.id in implied or _within(mention, in_brand_names):
                continue
            result.entities.append(LinkedEntity(kind="category", id=c.id, name=c.name, score=score,
                                                method=method, mention=mention))

        # 5. a category by a value only its products have ("do you have power banks?", "an aramid
        # fiber case": it asked which product was meant, or declined)
        if not category_hits and not any(e.kind == "product" for e in result.entities) and self._values_re:
            for m in self._values_re.finditer(text.lower()):
                written = _squeezed(m.group(0))
                owner = self._value_categories.get(written) or self._value_categories.get(_PLURAL_END.sub("", written))
                if owner is None or owner not in self._category_of:
                    continue
                c = self.categories[self._category_of[owner]]
                following = re.match(r"\W*([a-z]+)", text.lower()[m.end():])
                if following and following.group(1) not in _JOINING_WORDS and not self._names_category(
                        following.group(1), c.id):
                    continue  # "a goose down jacket" asks for a jacket, which no sleeping bag is
                if not any(e.id == c.id for e in result.entities):
                    result.entities.append(LinkedEntity(kind="category", id=c.id, name=c.name, score=VALUE_SCORE,
                                                        method="value", mention=m.group(0)))
                    category_hits.append((self._category_of[c.id], VALUE_SCORE, m.group(0), "value"))

        # 6. category by meaning when no name matched
        if (not category_hits and not any(e.kind == "product" for e in result.entities)
                and embedding is not None and self._category_vectors is not None):
            sims = self._category_vectors @ np.asarray(embedding, dtype=np.float32)
            j = int(np.argmax(sims))
            if sims[j] >= 0.45:
                c = self.categories[j]
                result.entities.append(LinkedEntity(kind="category", id=c.id, name=c.name,
                                                    score=float(min(1.0, sims[j])), method="embedding"))
        return result

    def _names_category(self, word: str, category_id: str) -> bool:
        """Whether `word` is a word of the category's names ("case" of Phone Cases)."""
        i = self._category_of.get(category_id)
        return i is not None and any(word in phrase or singular(word) in phrase
                                     for phrase, j in self._category_phrases.items() if j == i)

    def _match_phrases(self, seq: list[str], corrected: list[tuple[str, float, str]],
                       phrases: dict[tuple[str, ...], int]) -> list[tuple[int, float, str, str]]:
        hits: dict[int, tuple[int, float, str, str]] = {}
        used: set[int] = set()
        for n in (3, 2, 1):
            for s in range(0, len(seq) - n + 1):
                if used.intersection(range(s, s + n)):
                    continue
                key = tuple(seq[s:s + n])
                i = phrases.get(key)
                if i is None:
                    key = tuple(singular(t) for t in key)
                    i = phrases.get(key)
                if i is None or i in hits:
                    continue
                used.update(range(s, s + n))
                score = min(c[1] for c in corrected[s:s + n])
                mention = " ".join(c[2] for c in corrected[s:s + n])
                hits[i] = (i, score, mention, "exact" if score >= 1.0 else "fuzzy")
        return list(hits.values())

    def _brands_by_first_word(self, text: str, seq: list[str], corrected: list[tuple[str, float, str]],
                              found: list[tuple[int, float, str, str]]) -> list[tuple[int, float, str, str]]:
        """"Do you have any Arcadia phones?": the first word of a brand's name ("Arcadia Mobile")
        names it when a category follows it. Alone it may be a word like any other ("good
        morning, do you have coffee makers?" is not about the Morning Ritual brand), so it counts
        only right before the category's name in the message, unless it is no English word ("is
        Casemate a good brand?" about Casemate Studio listed every brand); as a partial name, a
        fuzzy match."""
        hits: list[tuple[int, float, str, str]] = []
        have = {h[0] for h in found}
        for k, word in enumerate(seq):
            i = self._brand_first_words.get(word)
            if i is None or i in have:
                continue
            follows = any(tuple(seq[k + 1:k + 1 + n]) in self._category_phrases
                          or tuple(singular(t) for t in seq[k + 1:k + 1 + n]) in self._category_phrases for n in (1, 2, 3))
            next_to = k + 1 < len(corrected) and re.search(
                rf"(?<![\w-]){re.escape(corrected[k][2])}\s+{re.escape(corrected[k + 1][2])}(?![\w-])", text, re.IGNORECASE)
            if (follows and next_to) or (corrected[k][1] >= 1.0 and word.isalpha() and word not in english_words()):
                hits.append((i, 0.9 * corrected[k][1], corrected[k][2], "fuzzy"))
                have.add(i)
        return hits

    def _link_products(self, corrected: list[tuple[str, float, str]], result: LinkResult,
                       brand_words: frozenset[str] = frozenset()) -> None:
        weights: dict[str, float] = {}
        for word, weight, _ in corrected:
            weights[word] = max(weights.get(word, 0.0), weight)
        present = [w for w in weights if w in self._postings]
        # "one" picks a thing in English ("how much is the navy blue one?" linked the Kestrel
        # One 530 in navy blue); written "One" it may be a model's name
        generic = self._generic | {w for w, _, typed in corrected if w in _PICK_WORDS and not typed[:1].isupper()}
        if not any(w not in generic for w in present):
            return
        # Accumulate over the postings of the message's words (vectorized: the cost is the
        # words' document frequencies, not the catalog size).
        n = len(self.products)
        matched = np.zeros(n, dtype=np.float32)
        count = np.zeros(n, dtype=np.int16)
        distinct = np.zeros(n, dtype=bool)
        for w in present:
            idx = self._postings[w]
            matched[idx] += self._idf[w] * weights[w]
            count[idx] += 1
            if w not in generic:
                distinct[idx] = True
        cand = np.flatnonzero(distinct & (count >= 2))
        if not len(cand):
            return
        scores = matched[cand] / self._total_idf[cand]
        if len(cand) > 64:
            keep = np.argpartition(-scores, 63)[:64]
            cand, scores = cand[keep], scores[keep]
        scored = list(zip(scores.tolist(), cand.tolist()))
        scored.sort(key=lambda x: (-x[0], x[1]))
        top_score, top = scored[0]
        if top_score < MIN_PRODUCT_SCORE:
            return
        title_words = self._title_tokens[top]
        mention = " ".join(c[2] for c in corrected if c[0] in title_words)
        fuzzy = any(c[1] < 1.0 for c in corrected if c[0] in title_words)
        method = "fuzzy" if fuzzy or top_score < 0.999 else "exact"
        # Near-ties: the same name in several colours (or the same name twice) is one product to
        # the shopper, so keep the best of each base name; different names are real ambiguity.
        # A near-tie whose title matches only part of what the best one matches is not a real
        # alternative: "SlimSkin Shield 830" names the 830, not the 530 (whose longer-named
        # colour can score it close), and "Aurora Audio Aria 490" names the Aria, not the Halo 490.
        typed = set(weights)
        best_match = typed.intersection(self._title_tokens[top])
        if best_match <= brand_words:
            return  # the brand named, no product of it
        groups: dict[str, tuple[float, int]] = {}
        for score, i in scored:
            if score < top_score - AMBIGUITY_MARGIN:
                break
            if typed.intersection(self._title_tokens[i]) < best_match:
                continue
            groups.setdefault(_base_title(self.products[i].title), (score, i))
        if len(groups) == 1:
            if not any(e.id == self.products[top].id for e in result.entities):
                entity = self._product_entity(top, top_score, method, mention)
                entity.model_only = self._names_model_only(top, scored[1:], best_match)
                result.entities.append(entity)
            return
        result.ambiguous_mention = mention
        result.candidates.extend(
            self._product_entity(i, score, method, mention) for score, i in list(groups.values())[:MAX_CANDIDATES]
        )

    def _names_model_only(self, top: int, others: list[tuple[float, int]],
                          matched: set[str]) -> bool:
        """The message names the model but no word of what tells its variants apart: another
        product of the same base title fits it as well, and no matched word is in the top
        title's variant suffix ("Bassline Halo 150" fits the Black, Navy Blue and Silver ones;
        "the silver Bassline Halo 150" names one). Every variant counts, whatever its score: a
        longer colour name ("Navy Blue") only dilutes the title's score, not the fit."""
        base = _base_title(self.products[top].title)
        if matched - set(tokens(base)):
            return False
        return any(_base_title(self.products[i].title) == base for _, i in others)

    def variant_named(self, text: str, product_id: str) -> LinkedEntity | None:
        """The variant of the product's model whose distinguishing words (its title's colour
        suffix) are all in `text`: "the silver one" of the Bassline Halo 150. None when no
        variant, or more than one, is named."""
        i = self._by_key.get(product_id.lower())
        if i is None:
            return None
        base = _base_title(self.products[i].title)
        base_words = [t for t in tokens(base) if t not in STOPWORDS]
        if not base_words or any(t not in self._postings for t in base_words):
            return None
        same = self._postings[base_words[0]]
        for t in base_words[1:]:
            same = np.intersect1d(same, self._postings[t], assume_unique=True)
        said = set(tokens(text))
        named = [j for j in same.tolist() if _base_title(self.products[j].title) == base
                 and (own := set(tokens(self.products[j].title)) - set(tokens(base))) and own <= said]
        return self._product_entity(named[0], 1.0, "selection", None) if len(named) == 1 else None

    def _product_entity(self, i: int, score: float, method: str, mention: str | None) -> LinkedEntity:
        p = self.products[i]
        return LinkedEntity(kind="product", id=p.id, name=p.title, score=float(min(1.0, max(0.0, score))),
                            method=method, mention=mention, brand_id=p.brand_id, category_id=p.category_id)

    def products_named_by_id(self, text: str) -> list[LinkedEntity]:
        """The products whose ids or SKUs `text` names, in the order it names them, each once."""
        found: list[LinkedEntity] = []
        for m in _ID_RE.finditer(text):
            i = self._by_key.get(m.group(0).lower())
            if i is not None and not any(e.id == self.products[i].id for e in found):
                found.append(self._product_entity(i, 1.0, "id", m.group(0)))
        return found

    def product(self, product_id: str) -> LinkedEntity | None:
        """The product with this id as a context entity (the caller's page), if known."""
        i = self._by_key.get(product_id.lower())
        return None if i is None else self._product_entity(i, 1.0, "context", None)

    def brand(self, brand_id: str) -> LinkedEntity | None:
        """The brand with this id as an entity of the conversation ("from the same brand" as the
        product in focus), if known."""
        i = self._brand_of.get(brand_id)
        if i is None:
            return None
        b = self.brands[i]
        return LinkedEntity(kind="brand", id=b.id, name=b.name, score=1.0, method="session")

    def __len__(self) -> int:
        return len(self.products)
