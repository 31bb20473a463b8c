"""Graph facts by plan: each `GraphQuery` of the retrieval plan becomes one or more parameterized
reads from kg/cypher.py, and each row becomes a short, citable sentence (`Evidence` of kind
graph_fact with the graph node's stable id).

Policy precedence is the graph's (APPLICABLE_POLICIES: product > brand > nearest category,
walking up > global). The winner is evidence; the policies it overrides are kept aside in
`GraphResult.overridden` (with the winner they lost to), for explanations, never in the
context a generator reads: quoting a policy that does not apply is the classic wrong answer.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable, Collection, Hashable, Sequence

from kg import cypher
from kg.store import GraphStore
from rag.retrieve.base import RetrievalQuery
from rag.textutil import ACROSS_PRODUCTS, ASKS_SPECS, NAMED_PERIOD, asks_question, content_words, names_title
from rag.types import STORE_OWNER, STORE_RANGE_ID, Evidence
from rag.understand.constraints import (
    MEASURED_COMPARATIVES,
    AttributeConstraint,
    AttributeKey,
    PriceConstraint,
    asks_an_order,
    asks_in_stock,
    attribute_constraints,
    compared_amount,
    lists_values,
    measured_comparative,
    price_constraint,
    relative_attributes,
)
from rag.understand.router import asks_for_accessories
from rag.understand.types import GraphQuery

_MD = re.compile(r"(^#+\s*|\*\*|__|`)", re.M)

#: The most policies for some products a question across the store's products gets
#: (rag.textutil.ACROSS_PRODUCTS).
ACROSS_PRODUCTS_LIMIT = 6

#: Words any policy question has, which say which policy and not what about it.
POLICY_WORDS = frozenset(content_words("policy policies rule rules store shop product products item items"))


def plain(text: str | None) -> str:
    """Markdown emphasis and headings out, whitespace collapsed (policy bodies are Markdown)."""
    return " ".join(_MD.sub("", text or "").split())


def _money(price: Any, currency: str | None) -> str:
    if price is None:
        return ""
    amount = f"{float(price):,.2f}"
    return f"${amount}" if (currency or "USD") == "USD" else f"{amount} {currency}"


_AVAILABILITY = {
    "in_stock": "is in stock",
    "out_of_stock": "is out of stock",
    "preorder": "is available for preorder",
    "discontinued": "is discontinued",
}


_AVAILABILITY_SHORT = {k: v.removeprefix("is ") for k, v in _AVAILABILITY.items()}  # "in stock"
LISTING_SUMMARY_ITEMS = 3  # products named in a constrained listing's summary fact
ACCESSORY_EXAMPLES = 2  # products named per kind of accessory (the fact stays quotable whole)
BRANDS_NAMED = 12  # brands a brand listing names ("... and 18 more")
_ID_UNSAFE = re.compile(r"[^\w.$,:-]+")  # what a listing's evidence id leaves out of its label
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
# what a listing's attribute constraints are read against: the attributes of this many of the
# category's products, and this many distinct values per key (rarer values go unmatched)
ATTRIBUTE_PRODUCTS_READ = cypher.CATEGORY_ATTRIBUTES_PRODUCTS
ATTRIBUTE_VALUES_READ = cypher.CATEGORY_ATTRIBUTES_VALUES
COMPARISON_SUMMARY_ROWS = 4  # differences named in a comparison's summary fact (price first)


def _words(key: str) -> str:
    return re.sub(r"[_]+", " ", key or "").strip()


def _plural(noun: str) -> str:
    if re.search(r"[^aeiou]y$", noun):
        return noun[:-1] + "ies"
    return noun + ("es" if re.search(r"(s|x|ch|sh)$", noun) else "s")


MAX_VARIANTS_LISTED = 8


def variant_names(variants: list[dict]) -> tuple[str, str, list[str]]:
    """What a family of variants (rows of cypher.PRODUCT_VARIANTS) is called together, what tells
    them apart, and each one's name by it: ("Bassline Halo 150 Wireless Headphones", "colors",
    ["black", "navy blue", "silver"])."""
    def shown(a: dict) -> str:
        value, unit = str(a.get("value") or ""), a.get("unit")
        return f"{value} {unit}" if unit and not value.endswith(str(unit)) else value

    values = [{a["key"]: shown(a) for a in v.get("attributes") or []} for v in variants]
    shared_keys = set.intersection(*(set(vals) for vals in values))
    differ = sorted(k for k in shared_keys if len({vals[k] for vals in values}) > 1)
    titles = [v["title"] or v["id"] for v in variants]
    prefix = os.path.commonprefix(titles)
    base = prefix if prefix == min(titles, key=len) else prefix.rsplit(" ", 1)[0]
    base = base.rstrip(" ,-") if len(base.split()) >= 2 else titles[0]
    what = _plural(_words(differ[0])) if len(differ) == 1 else "variants"
    names = [", ".join(f"{_words(k)} {vals[k]}" if len(differ) > 1 else vals[k] for k in differ) or v["title"]
             for v, vals in zip(variants, values, strict=True)]
    return base, what, names


def _brand_side(row: dict) -> str:
    """One brand's side of a brand comparison: "Crema, 23 products (Coffee Makers), espresso
    machines" (the first sentence of its description, which starts lower case unless its first
    word is a name)."""
    side = f"{row['name']}, {row['products']} products" + (f" ({', '.join(row['categories'][:6])})"
                                                           if row["categories"] else "")
    about = re.split(r"(?<=[.!?])\s+", plain(row.get("description")), maxsplit=1)[0].rstrip(".!? ")
    first = about.split(" ", 1)[0]
    if first[1:] == first[1:].lower() and first.lower() not in row["name"].lower():
        about = about[:1].lower() + about[1:]
    return f"{side}, {about}" if about else side


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def variants_text(variants: list[dict]) -> str:
    """One fact for a product's family of variants (rows of cypher.PRODUCT_VARIANTS): what tells
    them apart and each one's id, price and availability, so "what colors does it come in?" and
    "is the navy one cheaper?" are answered whichever variant the shopper named.
    "Bassline Halo 150 Wireless Headphones comes in 3 colors: black (p000417, $380.99, in
    stock), navy blue (p000075, $90.99, in stock) and silver (p000000, $262.99, in stock)." """
    base, what, names = variant_names(variants)
    listed = []
    for v, name in zip(variants[:MAX_VARIANTS_LISTED], names, strict=False):
        about = [v["id"], _money(v.get("price"), v.get("currency")), _AVAILABILITY_SHORT.get(v.get("availability") or "", "")]
        listed.append(f"{name} ({', '.join(x for x in about if x)})")
    more = len(variants) - len(listed)
    if more:
        listed.append(f"{more} more")
    return f"{base} comes in {len(variants)} {what}: {_listed(listed)}."


def _every(n: int, what: str) -> str:
    """"both colors" for two, "all 3 colors" for more."""
    return f"both {what}" if n == 2 else f"all {n} {what}"


def model_price_and_stock(variants: list[dict]) -> list[tuple[str, str]]:
    """The price and stock facts of a model sold in variants, each variant named by what tells it
    apart: ("price", "Bassline Halo 150 Wireless Headphones costs $90.99 in navy blue, $262.99
    in silver and $380.99 in black."), ("availability", "... is in stock in all 3 colors.")."""
    base, what, names = variant_names(variants)
    shown = list(zip(variants, names, strict=True))[:MAX_VARIANTS_LISTED]
    facts: list[tuple[str, str]] = []
    priced = sorted(((v["price"], _money(v["price"], v.get("currency")), name) for v, name in shown
                     if v.get("price") is not None), key=lambda p: p[0])
    if priced:
        if len({money for _, money, _ in priced}) == 1 and len(priced) == len(variants):
            facts.append(("price", f"{base} costs {priced[0][1]} in {_every(len(variants), what)}."))
        else:
            facts.append(("price", f"{base} costs {_listed([f'{money} in {name}' for _, money, name in priced])}."))
    states: dict[str, list[str]] = {}
    for v, name in shown:
        if v.get("availability"):
            states.setdefault(_AVAILABILITY.get(v["availability"], f"availability: {v['availability']}"), []).append(name)
    if len(states) == 1 and len(next(iter(states.values()))) == len(variants):
        facts.append(("availability", f"{base} {next(iter(states))} in {_every(len(variants), what)}."))
    elif states:
        facts.append(("availability", f"{base} " + "; ".join(f"{state} in {_listed(whom)}" for state, whom in states.items()) + "."))
    return facts


@dataclass
class OverriddenPolicy:
    """A policy that would apply but is overridden by a narrower one (`by`)."""

    policy: Evidence
    by: str
    scope: str
    rank: int


@dataclass
class GraphResult:
    evidence: list[Evidence] = field(default_factory=list)
    overridden: list[OverriddenPolicy] = field(default_factory=list)


class ReadCache:
    """Rows of graph reads per store version (LRU). A published version never changes (a
    change is a new version), and the same reads recur across shoppers (the store-wide
    policies, popular products), so each costs one round trip to the graph per version.
    Cached rows are shared: callers read them and never change them."""

    def __init__(self, version: Callable[[], Hashable], size: int = 4096):
        self.version = version
        self.size = size
        self._rows: OrderedDict[tuple, list[dict[str, Any]]] = OrderedDict()
        self._lock = threading.Lock()

    def read(self, store: GraphStore, statement: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        key = (self.version(), statement, json.dumps(params, sort_keys=True, default=str))
        with self._lock:
            rows = self._rows.get(key)
            if rows is not None:
                self._rows.move_to_end(key)
                return rows
        rows = store.query(statement, params)
        with self._lock:
            self._rows[key] = rows
            while len(self._rows) > self.size:
                self._rows.popitem(last=False)
        return rows


class GraphRetriever:
    """Runs the plan's graph reads on a `GraphStore`."""

    name = "graph"

    def __init__(self, store: GraphStore, max_attributes: int = 40, cache: ReadCache | None = None):
        """`cache`: reuse read results within a store version (serve/container.py passes one
        keyed by the published version); None reads the graph every time."""
        self.store = store
        self.max_attributes = max_attributes
        self.cache = cache
        self._scoped: tuple[Hashable, dict[tuple[str, str], str]] | None = None  # (store version, scoped_documents)

    def _read(self, statement: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        if "$in_stock_only" in statement and "in_stock_only" not in params:
            params = {**params, "in_stock_only": False}  # (every listing, unless asked: kg.cypher)
        if self.cache is None:
            return self.store.query(statement, params)
        return self.cache.read(self.store, statement, params)

    def retrieve(self, query: RetrievalQuery) -> list[Evidence]:
        return self.run(query).evidence

    def run(self, query: RetrievalQuery) -> GraphResult:
        out = GraphResult()
        seen: set[str] = set()
        for gq in query.graph_queries:
            handler = getattr(self, f"_q_{gq.kind}", None)
            if handler is None:
                raise ValueError(f"unknown graph query kind {gq.kind!r}")
            for ev in handler(gq, query, out):
                if ev.id not in seen:
                    seen.add(ev.id)
                    out.evidence.append(ev.model_copy(update={"retriever": self.name}))
        return out

    # -- product facts ------------------------------------------------------------------------
    def product_facts(self, product_ids: list[str], model_only: Collection[str] = ()) -> list[Evidence]:
        """Price, availability, brand/category, variant and attribute facts of the products.
        For a product named by model only (`model_only`), price and stock are the model's: each
        variant's ("how much is the Bassline Halo 150?" was answered with the black one's price
        alone; its colours cost $90.99 to $380.99)."""
        if not product_ids:
            return []
        rows = self._read(cypher.PRODUCT_FACTS, {"ids": list(product_ids)})
        family: dict[str, list[dict]] = {}
        with_variants = [r["id"] for r in rows if r.get("variant_links")]
        for v in self._read(cypher.PRODUCT_VARIANTS, {"ids": with_variants}) if with_variants else []:
            family.setdefault(v["product_id"], []).append(v)
        out: list[Evidence] = []
        for r in rows:
            pid, title = r["id"], r["title"]
            common = dict(kind="graph_fact", owner_id=pid, owner_kind="product", doc_id=pid)
            variants = family.get(pid, [])
            if pid in model_only and len(variants) > 1:
                out += [Evidence(id=f"{pid}#{source}", source=source, score=1.0, text=text, **common)
                        for source, text in model_price_and_stock(variants)]
            else:
                if r.get("price") is not None:
                    out.append(Evidence(id=f"{pid}#price", source="price", score=1.0,
                                        text=f"{title} costs {_money(r['price'], r.get('currency'))}.", **common))
                if r.get("availability"):
                    state = _AVAILABILITY.get(r["availability"], f"availability: {r['availability']}")
                    out.append(Evidence(id=f"{pid}#availability", source="availability", score=1.0,
                                        text=f"{title} {state}.", **common))
            about = []
            if r.get("brand"):
                about.append(f"is made by {r['brand']}")
            if r.get("category_path"):
                about.append(f"is in the category {' > '.join(r['category_path'])}")
            if r.get("sku"):
                about.append(f"has the SKU {r['sku']}")
            if about:
                out.append(Evidence(id=f"{pid}#about", source="product", score=0.5,
                                    text=f"{title} {', '.join(about[:-1]) + ' and ' if len(about) > 1 else ''}{about[-1]}.",
                                    **common))
            if len(variants) > 1:
                out.append(Evidence(id=f"{pid}#variants", source="variants", score=0.5,
                                    text=variants_text(variants), **common))
            for a in sorted(r.get("attributes") or [], key=lambda a: (a["key"], a["id"]))[: self.max_attributes]:
                value = a.get("value") or ""
                unit = a.get("unit")
                shown = f"{value} {unit}" if unit and not str(value).endswith(str(unit)) else str(value)
                out.append(Evidence(id=a["id"], source="attribute", score=0.5,
                                    text=f"{title}: {_words(a['key'])}: {shown}.",
                                    aliases=[s for s in a.get("source_ids") or [] if s != a["id"]], **common))
        return out

    def _q_product_facts(self, gq: GraphQuery, q: RetrievalQuery, out: GraphResult) -> list[Evidence]:
        facts = self.product_facts(gq.product_ids or q.product_ids, gq.model_only_ids)
        if ASKS_SPECS.search(q.text or ""):
            # "what are its specs?": every attribute of it, in one fact (it quoted its driver
            # size alone, the one attribute nearest the question among the eight items it had room for)
            facts = [*specification_sheets(facts), *facts]
        return facts

    def _q_product_price(self, gq: GraphQuery, q: RetrievalQuery, out: GraphResult) -> list[Evidence]:
        """The price alone: what a shipping question about one product is conditioned on ("how
        much is shipping for it?": free over $50 for a $486.99 laptop, not the express price)."""
        return [f for f in self.product_facts(gq.product_ids or q.product_ids, gq.model_only_ids) if f.source == "price"]

    def _q_product_availability(self, gq: GraphQuery, q: RetrievalQuery, out: GraphResult) -> list[Evidence]:
        """That the product cannot ship now, when it cannot: "when will it ship?" of a preorder
        was answered by the shipping rule's "5-7 business days" alone. Nothing when in stock,
        where the rule is the whole answer."""
        in_stock = _AVAILABILITY["in_stock"]
        return [f for f in self.product_facts(gq.product_ids or q.product_ids, gq.model_only_ids)
                if f.source == "availability" and in_stock not in f.text]

    def _q_comparison(self, gq: GraphQuery, q: RetrievalQuery, out: GraphResult) -> list[Evidence]:
        """Two or more products side by side: one row per shared attribute ("Weight: A: 2.58 kg;
        B: 2.61 kg."), led by a summary of where they differ, price first ("A vs B: price
        $1,234.99 vs $2,972.99; battery life 6 h vs 10 h; ..."), which answers "compare A and
        B" or "what's the difference?" in one quotable sentence."""
        ids = gq.product_ids or q.product_ids
        if len(ids) < 2:
            return self.product_facts(ids)
        rows = {r["id"]: r for r in self._read(cypher.PRODUCT_FACTS, {"ids": ids})}
        titles = {pid: r["title"] for pid, r in rows.items()}
        facts = self.product_facts(ids)
        side: list[Evidence] = []
        differences: list[str] = []
        prices = [_money(rows[pid].get("price"), rows[pid].get("currency")) if pid in rows else "" for pid in ids]
        if all(prices) and len(set(prices)) > 1:
            differences.append("price " + " vs ".join(prices))
            # side by side too, with the cheapest named: "which one is cheaper?" got the summary
            cheapest = min(ids, key=lambda pid: float(rows[pid].get("price") or 0))
            side.append(Evidence(
                id=f"compare:{'|'.join(ids)}#price", kind="graph_fact", source="comparison", owner_id=ids[0],
                owner_kind="product", score=0.8,
                text="Price: " + "; ".join(f"{titles.get(pid, pid)}: {price}" for pid, price in zip(ids, prices, strict=True))
                     + f" (the cheapest is {titles.get(cheapest, cheapest)})."))
        asked = measured_comparative(q.text or "")
        compared = [row for row in self._read(cypher.COMPARE_ATTRIBUTES, {"ids": ids}) if row["products"] >= 2]
        # (the one key the comparative measures, first of its names: "bigger" of tents is their
        # capacity, not their packed size; unless it names a measure: "the bigger screen" is the
        # screen size, not the battery capacity, while "the bigger jar" names none, a capacity)
        amount = compared_amount(q.text or "") if asked else None
        measured = next((row["key"] for row in compared if amount and amount[0]
                         and amount[0] <= content_words(_words(row["key"]))
                         and all(_number_alone(v["value"]) is not None for v in row["values"])), None)
        measured = measured or next((row["key"] for name in (asked[0] if asked else ()) for row in compared
                                     if row["key"] == name or name in row["key"].split("_")), None)
        if measured is None and (amount := compared_amount(q.text or "")) is not None:
            # ("which one has more RAM?": the row of what it counts, and who has more of it)
            # (or the one it names by its last word: "the better camera" is the main camera)
            keys = [(row["key"], content_words(_words(row["key"]))) for row in compared]
            measured = (next((key for key, said in keys if said <= amount[0]), None)
                        or next((key for key, said in keys if amount[0] and amount[0] <= said), None))
            asked = (amount[0], amount[1], "fewer" if amount[2] == "fewer" else amount[1])
        for row in compared:
            parts, values = [], {}
            for v in row["values"]:
                unit = v.get("unit")
                value = f"{v['value']} {unit}" if unit and not str(v["value"]).endswith(str(unit)) else str(v["value"])
                parts.append(f"{titles.get(v['product_id'], v['product_id'])}: {value}")
                values[v["product_id"]] = value
            named = _extreme_asked(asked, row, titles, len(ids)) if row["key"] == measured else ""
            side.append(Evidence(id=f"compare:{'|'.join(ids)}#{row['key']}", kind="graph_fact",
                                 source="comparison", owner_id=ids[0], owner_kind="product", score=0.8,
                                 text=f"{_words(row['key']).capitalize()}: " + "; ".join(parts) + named + "."))
            if set(values) == set(ids) and len(set(values.values())) > 1:  # every product has it, not alike
                differences.append(f"{_words(row['key'])} " + " vs ".join(values[pid] for pid in ids))
        if differences:
            # each by its name without the colour, unless two share it (two colours compared)
            short = [titles.get(pid, pid).split(",")[0] for pid in ids]
            names = " vs ".join(titles.get(pid, pid) if short.count(name) > 1 else name
                                for pid, name in zip(ids, short, strict=True))
            side.insert(0, Evidence(
                id=f"compare:{'|'.join(ids)}#differences", kind="graph_fact", source="comparison", owner_id=ids[0],
                owner_kind="product", score=0.8, text=f"{names}: " + "; ".join(differences[:COMPARISON_SUMMARY_ROWS]) + "."))
        if gq.attribute_keys:
            # (the rows of the details asked alone, or each product's own fact of them when no
            # two share one; none when none has them: "how long is the cable?" of two wall
            # chargers quoted one's SKU)
            keys = set(gq.attribute_keys)
            asked_rows = [e for e in side if e.id.rpartition("#")[2] in keys]
            return asked_rows or [f for f in facts if f.id.partition("#attr:")[2] in keys]
        availability = [f for f in facts if f.source in ("price", "availability")]
        return side + availability + [f for f in facts if f.source not in ("price", "availability")]

    # -- policies -------------------------------------------------------------------------------
    def policies(
        self, product_id: str | None, brand_id: str | None, category_id: str | None, kind: str | None
    ) -> GraphResult:
        """The applicable policy per kind (precedence in the graph) and the overridden ones."""
        rows = self._read(
            cypher.APPLICABLE_POLICIES,
            {"product_id": product_id, "brand_id": brand_id, "category_id": category_id, "kind": kind},
        )
        res = GraphResult()
        for row in rows:
            win = row.get("policy")
            if not win:
                continue
            res.evidence.append(self._policy_evidence(win, product_id))
            for lost in row.get("overridden") or []:
                res.overridden.append(OverriddenPolicy(
                    policy=self._policy_evidence(lost, product_id, score=0.0), by=win["id"],
                    scope=lost.get("scope") or "", rank=int(lost.get("rank") or 0)))
        return res

    @staticmethod
    def _policy_evidence(p: dict, product_id: str | None, score: float = 1.0) -> Evidence:
        scope = p.get("scope") or "global"
        title, body = plain(p.get("title")), plain(p.get("body"))
        if title and body.lower().startswith(title.lower()):  # the body repeats its heading
            body = body[len(title):].lstrip(" :.-")
        return Evidence(
            id=f"policy:{p['id']}@v{p.get('version') or 1}", kind="graph_fact", source="policy",
            text=f"{title}: {body}" if title else body,
            owner_id=p.get("target") or "store", owner_kind=scope if scope != "global" else "store",
            doc_id=p["id"], doc_version=p.get("version"), score=score,
            aliases=[p["id"]],
        )

    def _q_policy(self, gq: GraphQuery, q: RetrievalQuery, out: GraphResult) -> list[Evidence]:
        products = gq.product_ids or q.product_ids
        brands = gq.brand_ids or q.brand_ids
        cats = gq.category_ids or q.category_ids
        kind = gq.policy_kind or q.policy_kind
        if gq.asked_only:
            # "what are your store hours?": the store-wide documents the message names by title
            # ("Store hours"), a kind no intent of ours reads
            return [self._policy_evidence(r, None) for r in self._read(cypher.POLICIES, {"kind": kind})
                    if (r.get("scope") or "global") == "global" and names_title(q.text, r.get("title") or "")][: gq.k]
        targets: list[tuple[str | None, str | None, str | None]] = [(p, None, None) for p in products]
        if not targets:
            targets = [(None, brands[0] if brands else None, cats[0] if cats else None)]
        ev: list[Evidence] = []
        for pid, bid, cid in targets:
            res = self.policies(pid, bid, cid, kind)
            if pid is not None and pid in gq.model_only_ids:
                ev += self._policies_of_variants(pid, kind) or res.evidence
            else:
                ev += res.evidence
            out.overridden += res.overridden
        if targets == [(None, None, None)] and gq.scoped:
            ev += self.scoped_policies_on(q.text, kind, store_wide=ev)
        return ev

    def _policies_of_variants(self, product_id: str, kind: str | None) -> list[Evidence]:
        """The policies of a product named by model only, when its variants' differ: each with
        the variants it applies to ("For Bassline Halo 150 Wireless Headphones in silver: ...
        4-year warranty", "... in black and navy blue: ... 2-year warranty"). Empty when they
        all have the same ones, which then simply apply."""
        variants = self._read(cypher.PRODUCT_VARIANTS, {"ids": [product_id]})
        if len(variants) < 2:
            return []
        base, _, names = variant_names(variants)
        applies: dict[str, tuple[Evidence, list[str]]] = {}
        for v, name in zip(variants, names, strict=True):
            for e in self.policies(v["id"], None, None, kind).evidence:
                applies.setdefault(e.id, (e, []))[1].append(name)
        if all(len(whom) == len(variants) for _, whom in applies.values()):
            return []
        return [e if len(whom) == len(variants) else e.model_copy(update={"applies_to": f"{base} in {_listed(whom)}"})
                for e, whom in applies.values()]

    def scoped_policies_on(self, question: str, kind: str | None, store_wide: list[Evidence],
                           limit: int = 3) -> list[Evidence]:
        """Policies for some products only that speak to what a store-wide question asks and the
        store-wide policy leaves out, each marked with whom it applies to (`applies_to`): "is
        there a restocking fee?" -> the laptop returns policy's 10% fee; "are batteries covered
        by the warranty?" -> the electronics warranty's battery clause. Without them the answer
        is the store-wide policy's silence, or a near miss quoted for its meaning. They are not
        the applicable policy (source "scoped_policy", never binding), and a question about a
        product, brand or category gets that one's policy instead (`_q_policy`)."""
        rows = self._read(cypher.SCOPED_POLICIES, {"kind": kind})
        if ACROSS_PRODUCTS.search(question):
            # "what warranties do you offer?", "what's the difference between your warranties?":
            # every rule of the kind, each with whom it is for (the store-wide 1-year warranty
            # alone read as the only one, while electronics have two years)
            return [self._scoped_policy(row) for row in rows][:ACROSS_PRODUCTS_LIMIT]
        asked = content_words(question) - POLICY_WORDS
        left_out = asked - set().union(*(content_words(e.text) for e in store_wide))
        # a period named as the rules write it ("your 3-year and 5-year warranties"), which the
        # words alone do not tell apart ("year")
        periods = {p for p in NAMED_PERIOD.findall(question.lower())
                   if not any(p in e.text.lower() for e in store_wide)}
        if not left_out and not periods:
            return []
        found: list[tuple[int, Evidence]] = []
        for row in rows:
            ev = self._scoped_policy(row)
            hits = len(content_words(ev.text) & left_out) + sum(p in ev.text.lower() for p in periods)
            if hits:
                found.append((hits, ev))
        found.sort(key=lambda h: -h[0])  # stable: the most asked words first, then by kind and id
        return [ev for _, ev in found[:limit]]

    def _scoped_policy(self, row: dict) -> Evidence:
        """A policy for some products only, as context beside the store-wide one: never binding,
        said with whom it is for."""
        return self._policy_evidence(row, None).model_copy(update={
            "source": "scoped_policy", "score": 0.5, "applies_to": plain(row.get("target_name")) or row.get("target")})

    def scoped_documents(self) -> dict[tuple[str, str], str]:
        """Whom each policy or FAQ for some products only is for, by (source, id): a passage of
        one says so, as the graph's facts of one do ("This product is sold as final sale" is one
        product's rule, "What is in the box?" one product's FAQ). Read and built once per store
        version when reads are cached (ReadCache): it is asked on every policy question."""
        version = self.cache.version() if self.cache is not None else None
        if version is not None and self._scoped is not None and self._scoped[0] == version:
            return self._scoped[1]
        whom = {("policy", r["id"]): plain(r.get("target_name")) or r.get("target")
                for r in self._read(cypher.SCOPED_POLICIES, {"kind": None})}
        whom.update({("faq", r["id"]): plain(r.get("target_name")) or r.get("target")
                     for r in self._read(cypher.SCOPED_FAQS, {})})
        whom = {k: v for k, v in whom.items() if v}
        if version is not None:
            self._scoped = (version, whom)
        return whom

    # -- relations ------------------------------------------------------------------------------
    def _q_compatibility(self, gq: GraphQuery, q: RetrievalQuery, out: GraphResult) -> list[Evidence]:
        """What a product works with: its relations (compatible with, accessory for, variant of),
        only of the kinds the plan asks for when it names some (`gq.category_ids`: "what
        chargers work with the X?" was answered with headphones made for it); a kind none of
        whose products is related to it gets the products that share a value with it
        (`_matching_by_value`: "Chargers & Cables (connector: lightning), which match the
        Kestrel One 530's charging port: Lightning"). Two products named: the link between them
        first, or that there is none."""
        ids = gq.product_ids or q.product_ids
        rows = self._read(cypher.PRODUCT_FACTS, {"ids": ids}) if ids else []
        titles = {r["id"]: r["title"] for r in rows}
        kinds = set(gq.category_ids)
        ev: list[Evidence] = []
        for pid in ids:
            me = titles.get(pid, pid)
            related = [r for r in self._read(cypher.PRODUCT_RELATIONS, {"product_id": pid})
                       if not kinds or r.get("category_id") in kinds]
            product = next((r for r in rows if r["id"] == pid), None)
            if kinds and len(ids) == 1 and product is not None:  # (an id the graph lacks has no values)
                found = {r.get("category_id") for r in related}
                if picked := self._linked_picked(me, related, kinds & found, q.text or ""):
                    # (the pick among them is the whole answer: its links and the product's own
                    # facts ranked before it)
                    return picked
                ev += self._linked_listed(pid, me, related, kinds & found)
                for kind in sorted(kinds - found):
                    ev += self._matching_by_value(product, kind)
            elif len(ids) == 1 and asks_for_accessories(q.text or ""):
                ev += self._accessories_of(pid, me, related)
            for r in related:
                rel, other = r["relation"], r["title"]
                if rel == "COMPATIBLE_WITH":
                    text, src = f"{me} is compatible with {other} ({r['id']}).", "compatibility"
                elif rel == "ACCESSORY_FOR" and r["direction"] == "out":
                    text, src = f"{me} is an accessory for {other} ({r['id']}).", "accessory"
                elif rel == "ACCESSORY_FOR":
                    text, src = f"{other} ({r['id']}) is an accessory for {me}.", "accessory"
                else:
                    text, src = f"{me} and {other} ({r['id']}) are variants of the same model.", "variant"
                a, b = (pid, r["id"]) if r["direction"] == "out" else (r["id"], pid)
                ev.append(Evidence(id=f"{a}~{rel.lower()}~{b}", kind="graph_fact", source=src, text=text,
                                   owner_id=pid, owner_kind="product", score=0.9))
            if len(ev) >= gq.k * max(1, len(ids)):
                break
        # with two products named, the link between them (or its absence) is the answer: first
        if len(ids) >= 2:
            pair = set(ids[:2])
            ev.sort(key=lambda e: 0 if {e.id.split("~")[0], e.id.split("~")[-1]} == pair else 1)
            if not ev or {ev[0].id.split("~")[0], ev[0].id.split("~")[-1]} != pair:
                a, b = ids[:2]
                ev.insert(0, Evidence(id=f"{a}~no_link~{b}", kind="graph_fact", source="compatibility",
                                      text=f"{titles.get(a, a)} ({a}) is not listed as compatible with, or as an "
                                           f"accessory for, {titles.get(b, b)} ({b}).",
                                      owner_id=a, owner_kind="product", score=0.9))
        return ev + self.product_facts(ids[:2])

    def _linked_picked(self, me: str, related: list[dict], kinds: set[str], text: str) -> list[Evidence]:
        """The products of each kind asked that are linked to a product, ordered as the message
        asks, as a listing: "which is the fastest?" after "what chargers work with the Veltro Lite
        600?" ("Chargers & Cables for the Veltro Lite 600 ... (wattage, highest first): ..."; it
        listed every charger, or said "I don't know"). None when the message asks no order."""
        price = price_constraint(text)
        if not (price or asks_an_order(text)):
            return []  # (no pick asked: "what chargers work with it?" reads no kind's attributes)
        out: list[Evidence] = []
        for kind in sorted(kinds):
            among = sorted({r["id"] for r in related if r.get("category_id") == kind})
            attribute = next((c for c in self.attribute_constraints(text, kind) if not c.narrows), None)
            if not among or (attribute is None and not price):
                continue  # (a price range alone narrows them: "are any of them under $20?")
            params: dict[str, Any] = {"ids": among, "min_price": price.min_price, "max_price": price.max_price,
                                      "price_order": {"asc": 1, "desc": -1}.get(price.order or "", 0),
                                      "limit": LISTING_SUMMARY_ITEMS}
            if attribute is not None:
                params.update(key=attribute.key, unit=attribute.unit, value=attribute.value, min_value=attribute.min_value,
                              max_value=attribute.max_value, value_order=attribute.value_order)
            rows = self._read(cypher.PRODUCTS_AMONG_WITH_ATTRIBUTE if attribute is not None else cypher.PRODUCTS_AMONG,
                              params)
            name = self._linked_name(kind, me, [r for r in related if r.get("category_id") == kind])
            out += _listing_facts(kind, "fits", rows, price, attribute, [], summarize=True, name=name)[:1]
        return out

    def _linked_listed(self, pid: str, me: str, related: list[dict], kinds: set[str],
                       fewest: int = 2) -> list[Evidence]:
        """The products of each kind asked that are linked to a product, when more than one is,
        as one listing before their links: "what chargers work with the Veltro Lite 600?" quoted
        one of its two chargers' links ("Chargers & Cables for the Veltro Lite 600 ...: ... at
        $15.99, in stock; ..."). Told as what goes with it (source "accessory") and as a listing
        narrowed to them ("chargers-cables~listing~forp000002"), so an answer quotes it whole."""
        out: list[Evidence] = []
        for kind in sorted(kinds):
            among = sorted({r["id"] for r in related if r.get("category_id") == kind})
            if len(among) < fewest:
                continue  # (one link says it whole, unless kinds are listed side by side)
            rows = self._read(cypher.PRODUCTS_AMONG, {"ids": among, "min_price": None, "max_price": None,
                                                      "price_order": 0, "limit": LISTING_SUMMARY_ITEMS})
            name = self._linked_name(kind, me, [r for r in related if r.get("category_id") == kind])
            listed = _listing_facts(kind, "fits", rows, PriceConstraint(), None, [], summarize=True, name=name)[:1]
            more = f" ({len(among)} in all)" if len(among) > LISTING_SUMMARY_ITEMS else ""
            out += [f.model_copy(update={"id": f"{kind}~listing~for{pid}", "source": "accessory",
                                         "text": f.text.replace(f"{name}: ", f"{name}{more}: ", 1)}) for f in listed]
        return out

    def _linked_name(self, kind: str, me: str, links: list[dict]) -> str:
        """A listing's name for the products of a kind linked to a product: "Chargers & Cables
        for the Veltro Lite 600 ..." when each is made for it, "Phones that work with the
        Sonique Active 850 ..." when it is made for them or they are only compatible."""
        made_for_it = {r["id"] for r in links} <= {r["id"] for r in links
                                                    if r["relation"] == "ACCESSORY_FOR" and r["direction"] == "in"}
        return f"{self._category_label(kind)[0]} {'for' if made_for_it else 'that work with'} the {me}"

    def _accessories_of(self, pid: str, me: str, related: list[dict]) -> list[Evidence]:
        """What goes with one product, by kind, the most first: a summary that names the first
        of each ("Accessories for the Veltro Lite 600 ... (products that fit or work with it):
        Phone Cases: ... (p000024) and 2 more; Chargers & Cables: ...") and each kind's listing,
        as listings narrowed to it ("what accessories go with it?" quoted one case's link)."""
        kinds: dict[str, set[str]] = {}
        for r in related:
            if r["relation"] != "VARIANT_OF" and r.get("category_id"):
                kinds.setdefault(r["category_id"], set()).add(r["id"])
        if not kinds:
            return []
        order = sorted(kinds, key=lambda k: (-len(kinds[k]), k))
        listings = {e.owner_id: e for e in self._linked_listed(pid, me, related, set(order), fewest=1)}

        def first(kind: str) -> str:  # (the one its listing names first: in stock first)
            text = listings[kind].text if kind in listings else ""
            named = [i for i in kinds[kind] if f"({i})" in text]
            return min(named, key=lambda i: text.index(f"({i})")) if named else min(kinds[kind])

        titles = {r["id"]: r["title"] for r in related}
        said = "; ".join(f"{self._category_label(k)[0]}: {titles[first(k)]} ({first(k)})"
                         + (f" and {len(kinds[k]) - 1} more" if len(kinds[k]) > 1 else "") for k in order)
        summary = Evidence(id=f"{pid}~listing~accessories", kind="graph_fact", source="accessory", owner_id=pid,
                           owner_kind="product", score=1.0,
                           text=f"Accessories for the {me} (products that fit or work with it): {said}.")
        return [summary, *(listings[k] for k in order if k in listings)]

    def _matching_by_value(self, product: dict, category_id: str) -> list[Evidence]:
        """Products of a kind none of which is linked to `product`, that share a value with it:
        a charger whose connector is the phone's charging port ("lightning"). The first
        attribute of the kind whose values hold one of the product's text values (not its
        colour, not yes/no, not a number) narrows the kind's listing, which says why it
        matches; none when no value is shared (then nothing is said to fit)."""
        own = {str(a.get("value") or "").lower(): a for a in product.get("attributes") or []
               if a.get("key") not in _NOT_MATCHING_KEYS and a.get("value") is not None and not a.get("unit")}
        own = {v: a for v, a in own.items() if v and v not in ("yes", "no") and not v.replace(".", "").isdigit()}
        for key in self._category_keys(category_id):
            if key.key in _NOT_MATCHING_KEYS or key.unit:
                continue
            shared = next((v for v in key.values if v in own), None)
            if shared is None:
                continue
            rows = self._read(cypher.PRODUCTS_IN_CATEGORY_WITH_ATTRIBUTE, {
                "category_id": category_id, "key": key.key, "unit": None, "value": shared, "min_value": None,
                "max_value": None, "value_order": 0, "min_price": None, "max_price": None, "price_order": 0,
                "limit": LISTING_SUMMARY_ITEMS})
            if not rows:
                continue
            name = self._category_label(category_id)[0]
            theirs = own[shared]
            facts = _listing_facts(category_id, "has", rows, PriceConstraint(), AttributeConstraint(key.key, None, shared),
                                   [], summarize=True, name=name)[:1]
            why = f", which match the {product.get('title') or product['id']}'s {_words(theirs['key'])} ({theirs['value']})"
            out = []
            for f in facts:  # "Chargers & Cables (connector: lightning), which match ...: ..."
                heading, _, listed = f.text.partition("): ")
                out.append(f.model_copy(update={"id": f"{f.id}~matches~{product['id']}", "source": "accessory",
                                                "text": f"{heading}){why}: {listed}"}))
            return out
        return []

    def _q_similar(self, gq: GraphQuery, q: RetrievalQuery, out: GraphResult) -> list[Evidence]:
        ev: list[Evidence] = []
        ids = gq.product_ids or q.product_ids
        titles = {r["id"]: r["title"] for r in self._read(cypher.PRODUCT_FACTS, {"ids": ids})} if ids else {}
        for pid in ids:
            # its own colours are no alternative to a product
            family = {v["id"] for v in self._read(cypher.PRODUCT_VARIANTS, {"ids": [pid]})} - {pid}
            rows = self._read(cypher.SIMILAR_PRODUCTS, {"product_id": pid, "candidates": 200, "limit": gq.k + len(family)})
            for r in [r for r in rows if r["id"] not in family][: gq.k]:
                why = [w for w, on in (("the same category", r["same_category"]), ("the same brand", r["same_brand"])) if on]
                if r["shared_attributes"]:
                    why.append("the same " + ", ".join(_words(k) for k in r["shared_attributes"][:4]))
                ev.append(Evidence(id=f"{pid}~similar~{r['id']}", kind="graph_fact", source="similar",
                                   text=f"A product similar to the {titles.get(pid, pid)} is the {r['title']} "
                                        f"({r['id']}): {', '.join(why)}.",
                                   owner_id=r["id"], owner_kind="product", score=float(r["score"])))
        return ev

    def _q_brand_facts(self, gq: GraphQuery, q: RetrievalQuery, out: GraphResult) -> list[Evidence]:
        """Each brand's product count, categories and description; with two brands or more to
        compare or asked about together (`gq.summarize`), led by them side by side in one sentence
        ("what's better, Crema or Kettleworks?" was answered by one of them)."""
        ids = gq.brand_ids or q.brand_ids
        ev = []
        rows = self._read(cypher.BRAND_FACTS, {"ids": ids}) if ids else []
        for r in rows:
            cats = ", ".join(r["categories"][:6])
            text = f"{r['name']} has {r['products']} products in our store" + (f" ({cats})." if cats else ".")
            if r.get("description"):
                text += f" {plain(r['description'])}"
            ev.append(Evidence(id=f"{r['id']}#facts", kind="graph_fact", source="brand", text=text,
                               owner_id=r["id"], owner_kind="brand", doc_id=r["id"], score=0.8))
        if gq.summarize and len(rows) > 1:
            sides = "; ".join(_brand_side(r) for r in rows)
            ev.insert(0, Evidence(id="compare:" + "|".join(r["id"] for r in rows) + "#brands", kind="graph_fact",
                                  source="comparison", text=f"{' vs '.join(r['name'] for r in rows)}: {sides}.",
                                  owner_id=rows[0]["id"], owner_kind="brand", score=0.8))
        return ev

    def _q_category_products(self, gq: GraphQuery, q: RetrievalQuery, out: GraphResult) -> list[Evidence]:
        """Products of a category (of the plan's brands, if it names any; with no category, of
        a brand), one fact each. With the shopper's price constraint ("under $300", "the
        cheapest") or an attribute constraint the category's products can meet ("for 4 people",
        "waterproof", "goose down"; rag.understand.constraints.attribute_constraint) the listing
        is narrowed and ordered in the graph, and a summary fact comes first ("Tents, cheapest
        first: (1) ... at $152.99, in stock; (2) ..."; "Tents (capacity: 4 persons or more):
        ... at $371.99, in stock, capacity 4 persons; ..."), the answer to "the cheapest tent?"
        or "a tent for 4 people?" in one quotable sentence; "No tents (...)" when none does.
        `store_wide`, with no category or brand and a price constraint: every product of the
        store ("what's the cheapest thing you sell?": "Products, cheapest first: ...")."""
        price = PriceConstraint(gq.min_price, gq.max_price, gq.price_order)
        label = None
        compared: list[AttributeConstraint] = []
        if gq.compared_with:
            # "anything cheaper than the X?": X's price is the bound, the closest in price first;
            # "something lighter?": X's weight
            category = (gq.category_ids or q.category_ids or [""])[0]
            against = self._compared_with(gq, q.text, category)
            if against is not None:
                price, label, compared = against
            elif not self.attribute_constraints(q.text, category):
                return []
            # (else a condition of its own: "anything with noise cancelling?" about headphones)
        order = {"asc": 1, "desc": -1}.get(price.order or "", 0)
        # ("tents in stock", and "which is the cheapest?" next: of those in stock)
        in_stock = asks_in_stock(q.text) or any(asks_in_stock(t) for t in gq.narrowed_by)
        bounds = {"min_price": price.min_price, "max_price": price.max_price, "price_order": order, "limit": gq.k,
                  "in_stock_only": in_stock}
        ev = []
        named_here = False  # a kind listed named by this message (not a follow-up's)
        brands = gq.brand_ids or q.brand_ids
        scopes = [(cid, "has", cypher.PRODUCTS_IN_CATEGORY_OF_BRANDS, {"category_id": cid, "brand_ids": brands})
                  if brands else (cid, "has", cypher.PRODUCTS_IN_CATEGORY, {"category_id": cid})
                  for cid in gq.category_ids or q.category_ids]
        if not scopes:
            scopes = [(bid, "makes", cypher.PRODUCTS_OF_BRAND, {"brand_id": bid}) for bid in brands]
        if not scopes and gq.store_wide and price:
            scopes = [(STORE_OWNER, "sells", cypher.STORE_PRODUCTS, {})]
        for owner, link, statement, params in scopes:
            # (not against a product: the message names it, and its colour is no constraint)
            attribute, narrowing = (compared[0], compared[1:]) if compared else (None, [])
            if link == "has" and not compared and not label:
                # the message's conditions ("a 4-person tent under 3 kg"): one orders the listing
                # (an order without a bound if it asks one: "the lightest 4-person tent"), the
                # others narrow it, with the earlier messages' (`_narrowing`)
                stated = self.attribute_constraints(q.text, owner)
                attribute = next((c for c in stated if not c.narrows), None)
                if attribute is None and not order:
                    # (the order asked before, when this message asks none: "lightest tents", then
                    # "under 300" listed the tents under $300 in no order)
                    attribute = self._earlier_order(gq.narrowed_by, owner, stated)
                attribute = attribute or (stated[0] if stated else None)
                narrowing = [c for c in stated if c is not attribute] + self._narrowing(gq.narrowed_by, owner, stated)
                if ((order or (attribute is not None and not attribute.narrows))
                        and _OF_THOSE.search(q.text or "")):
                    narrowing += self._as_listed(gq.narrowed_by, owner, params, stated)
                if attribute is None and narrowing:  # "and the cheapest?" after "a tent for 4 people"
                    attribute, narrowing = narrowing[-1], narrowing[:-1]
            elif link == "has" and label and not compared:
                # cheaper than the X, and what the message asks of it ("any cheaper phones with
                # 5g?" listed every cheaper phone)
                # (not a value of the X's own name: "anything cheaper than the Veltro Lite 600,
                # Graphite?" asks for no graphite phone)
                stated = [c for c in self.attribute_constraints(q.text, owner)
                          if not (c.value and str(c.value).lower() in label[0].lower())]
                narrows = [c for c in stated if c.narrows]
                # (and an order it asks among them, when it asks none by price: "which of those
                # has the best camera?" after "is there a cheaper phone like this one?")
                ordering = None if gq.price_order else next((c for c in stated if not c.narrows), None)
                attribute, narrowing = (ordering, narrows) if ordering else \
                    (narrows[0], narrows[1:]) if narrows else (None, [])
                if ordering is not None:  # (by it, not the closest in price first)
                    price = PriceConstraint(price.min_price, price.max_price, None)
                    bounds = {**bounds, "price_order": 0}
            if attribute is not None:
                statement = cypher.PRODUCTS_IN_CATEGORY_OF_BRANDS_WITH_ATTRIBUTE if brands else \
                    cypher.PRODUCTS_IN_CATEGORY_WITH_ATTRIBUTE
                params = {**params, "key": attribute.key, "unit": attribute.unit, "value": attribute.value,
                          "min_value": attribute.min_value, "max_value": attribute.max_value,
                          "value_order": attribute.value_order}
            if attribute is not None and narrowing:
                statement = cypher.PRODUCTS_IN_CATEGORY_OF_BRANDS_WITH_ATTRIBUTES if brands else \
                    cypher.PRODUCTS_IN_CATEGORY_WITH_ATTRIBUTES
                params = {**params, "narrowing": [{"key": c.key, "unit": c.unit, "value": c.value,
                                                   "min": c.min_value, "max": c.max_value} for c in narrowing]}
            rows = self._read(statement, {**params, **bounds})
            nearest = None
            if not rows and not label and (price.max_price is not None or price.min_price is not None):
                # "laptops under $100" and none is: the cheapest (dearest) that meets the rest,
                # which the answer names after saying so (it quoted a laptop's description)
                unbounded = {**params, **bounds, "min_price": None, "max_price": None, "limit": 1,
                             "price_order": 1 if price.max_price is not None else -1}
                nearest = next(iter(self._read(statement, unbounded)), None)
            name, aliases = self._category_label(owner) if link == "has" else \
                ("Products", []) if link == "sells" else (None, [])
            named_here = named_here or any(content_words(n) <= content_words(q.text or "") for n in [name or "", *aliases] if n)
            start = len(ev)
            ev += _listing_facts(owner, link, rows, price, attribute, brands if link == "has" else [],
                                 summarize=gq.summarize, label=label, name=name,
                                 aliases=aliases if attribute is None else [], narrowing=narrowing, nearest=nearest,
                                 closest=not gq.price_order, in_stock=in_stock)
            if link == "has" and not brands and attribute is None and not price and _HOW_MANY.search(q.text or ""):
                ev[start:start] = self._category_count(owner, name)  # what was asked, first
            elif link == "has" and not brands and attribute is None and not price and _PRICE_RANGE.search(q.text or ""):
                ev[start:start] = self._category_prices(owner, name)  # what was asked, first
            elif rows and link == "has" and not label and _HOW_MANY.search(q.text or ""):
                # "how many 4-season tents do you have?": the listing's own count, first
                every = self._read(statement, {**params, **bounds, "limit": COUNT_LIMIT})
                ev[start:start] = [_listing_count(owner, name, every, price, attribute, narrowing, brands)]
        if len(scopes) > 1 and (_JOINED.search(q.text or "") or not named_here):
            # "do you have tents and backpacks?", then "which are waterproof?": each kind's
            # summary before the products, which the first kind's filled (the backpacks were
            # left out); not "chargers for phones", whose phones say what the chargers are for
            ev = [e for e in ev if e.source == "listing"] + [e for e in ev if e.source != "listing"]
        return ev

    def _q_feature_search(self, gq: GraphQuery, q: RetrievalQuery, out: GraphResult) -> list[Evidence]:
        """"Do you have anything waterproof?", "anything with GPS?": no category named, a feature
        only. The leaf categories whose products have an attribute the message names (a yes/no
        or a value first: "waterproof: yes" of backpacks, "sensors: gps"; then a measure named:
        tents' waterproof rating), a fact that names them all, then the listing of the first
        `k`, each narrowed or ordered by it. Nothing when no category's attributes match."""
        cats = self._read(cypher.CATEGORY_NAMES, {})
        parents = {r["parent_id"] for r in cats if r.get("parent_id")}
        found: list[tuple[dict, AttributeConstraint]] = []
        for r in cats:
            if r["id"] not in parents:
                found += [(r, c) for c in self.attribute_constraints(q.text, r["id"])[:1]]
        if not found:
            return []
        found.sort(key=lambda f: not (f[1].narrows))  # (stable: by id among equals)
        listings, examples = [], []
        for r, c in found[: max(gq.k, 1)]:
            rows = self._read(cypher.PRODUCTS_IN_CATEGORY_WITH_ATTRIBUTE, {
                "category_id": r["id"], "key": c.key, "unit": c.unit, "value": c.value, "min_value": c.min_value,
                "max_value": c.max_value, "value_order": c.value_order, "min_price": None, "max_price": None,
                "price_order": 0, "limit": LISTING_SUMMARY_ITEMS})
            if rows:
                listings += _listing_facts(r["id"], "has", rows, PriceConstraint(), c, [], summarize=True,
                                           name=r.get("name"))[:1]
                price = _money(rows[0].get("price"), rows[0].get("currency"))
                feature = _words(c.key) + (f": {c.value}" if c.value is not None else "")
                examples.append(f"{r.get('name') or r['id']} ({feature}): {rows[0]['title']} ({rows[0]['id']})"
                                + (f" at {price}" if price else ""))
        if len(found) == 1 or not examples:  # one kind: its listing says it all
            return listings
        more = [r.get("name") or r["id"] for r, _ in found[max(gq.k, 1):]]
        also = f"; also in {_listed(more)}" if more else ""
        lead = Evidence(id="store~features~" + _ID_UNSAFE.sub("", "".join(f"{r['id']}{c.key}" for r, c in found)),
                        kind="graph_fact", source="listing", owner_id="store", owner_kind="store", score=0.7,
                        text=f"By category: {'; '.join(examples)}{also}.")
        return [lead, *listings]

    def _q_category_accessories(self, gq: GraphQuery, q: RetrievalQuery, out: GraphResult) -> list[Evidence]:
        """What goes with a category's products: with more than one kind, a summary first
        ("Accessories for Phones (products that fit or work with them): Headphones, 135
        products; Phone Cases, 117 products; ..."), then one fact per kind ("Phone Cases,
        accessories that fit or work with Phones: 117 products, such as ... at $37.99, in
        stock; ..."). The last
        category of the plan is the one they go with; the others, when there are any, are the
        kinds asked for ("what chargers work with phones?"). The shopper's price bounds narrow
        them ("accessories for laptops under $50")."""
        cats = gq.category_ids or q.category_ids
        if not cats:
            return []
        base, wanted = cats[-1], cats[:-1] or None
        price = PriceConstraint(gq.min_price, gq.max_price, None)
        rows = self._read(cypher.CATEGORY_ACCESSORIES, {
            "category_id": base, "accessory_ids": wanted, "per_category": ACCESSORY_EXAMPLES,
            "min_price": gq.min_price, "max_price": gq.max_price})[: max(gq.k, 1)]
        base_name = self._category_label(base)[0] or base.replace("-", " ").capitalize()
        priced = f" at {price.price_range}" if price.price_range else ""
        ev = []
        if len(rows) > 1:
            kinds = "; ".join(f"{r['category']}, {r['products']} products" for r in rows)
            ev.append(Evidence(id=f"{base}~accessories", kind="graph_fact", source="accessory", owner_id=base,
                               owner_kind="category", score=1.0,
                               text=f"Accessories for {base_name}{priced} (products that fit or work with them): "
                                    f"{kinds}."))
        for r in rows:
            examples = "; ".join(f"{e['title']} ({e['id']})" + _price_and_stock(e) for e in r["examples"])
            ev.append(Evidence(
                id=f"{base}~accessories~{r['category_id']}", kind="graph_fact", source="accessory",
                owner_id=base, owner_kind="category", score=1.0,
                text=f"{r['category']}, accessories that fit or work with {base_name}{priced}: {r['products']} "
                     f"products, such as {examples}."))
        return ev

    def _category_count(self, category_id: str, name: str | None) -> list[Evidence]:
        """"We have 64 tents in our store, 51 of them in stock.": how many products the category
        has, for "how many tents do you have?" (read only when the message asks how many)."""
        rows = self._read(cypher.CATEGORY_PRODUCT_COUNT, {"category_id": category_id})
        if not rows:
            return []
        title = (name or category_id.replace("-", " ")).lower()
        # (and how many are in stock: "how many tents do you have in stock?" got the listing,
        # which shares "in stock")
        stocked = rows[0].get("in_stock")
        in_stock = f", {count_said(stocked)} of them in stock" if stocked is not None else ""
        return [Evidence(id=f"{category_id}~count", kind="graph_fact", source="listing", owner_id=category_id,
                         owner_kind="category", score=0.6,
                         text=f"We have {count_said(rows[0]['products'])} {title} in our store{in_stock}.")]

    def _category_prices(self, category_id: str, name: str | None) -> list[Evidence]:
        """"Laptops range in price from $486.99 to $2,972.99 (68 laptops).": the lowest and
        highest price of the category, for "what's the price range for laptops?" (it quoted one
        laptop's price; read only when a message asks for a range)."""
        rows = self._read(cypher.CATEGORY_PRICE_RANGE, {"category_id": category_id})
        if not rows or not rows[0].get("products"):
            return []
        row = rows[0]
        currency = (row.get("currencies") or [None])[0] if len(row.get("currencies") or []) <= 1 else None
        low, high = _money(row.get("lowest"), currency), _money(row.get("highest"), currency)
        if not low or not high:
            return []
        title = name or category_id.replace("-", " ").capitalize()
        return [Evidence(id=f"{category_id}~prices", kind="graph_fact", source="listing", owner_id=category_id,
                         owner_kind="category", score=0.6,
                         text=f"{title} range in price from {low} to {high} ({count_said(row['products'])} "
                              f"{title.lower()}).")]

    def _category_label(self, category_id: str) -> tuple[str | None, list[str]]:
        """The category's name ("Chargers & Cables") and aliases, as the catalog gives them."""
        rows = self._read(cypher.CATEGORY_LABEL, {"id": category_id})
        if not rows:
            return None, []
        return rows[0].get("name"), [str(a) for a in (rows[0].get("aliases") or [])]

    def _compared_with(self, gq: GraphQuery, text: str, category_id: str
                       ) -> tuple[PriceConstraint, tuple[str, str], list[AttributeConstraint]] | None:
        """The bounds of a listing compared with the product X (`GraphQuery.compared_with`):
        X's price for "cheaper / more expensive than the X" (X and the products at its price
        left out) or "for the same price" (at most X's); X's own value of each attribute the
        message compares ("lighter": below X's weight; "the same storage": X's), which are
        shown for each product listed; and how the listing says them ("cheaper than X
        ($1,364.99), with the same storage as it (2048 GB)"). None when
        nothing compared can be read (X has no price, or no value of what was compared)."""
        rows = self._read(cypher.PRODUCT_FACTS, {"ids": [gq.compared_with]})
        if not rows:
            return None
        r = rows[0]
        title, said, ids = r["title"], [], []
        price, at_most = PriceConstraint(), ""
        prices = [float(r["price"])] if r.get("price") is not None else []
        if gq.compared_with in gq.model_only_ids:
            # named without its colour ("anything cheaper than the Bassline Halo 150?"): cheaper
            # than its cheapest colour, dearer than its dearest, by the model's name
            family = self._read(cypher.PRODUCT_VARIANTS, {"ids": [gq.compared_with]})
            if len(family) > 1:
                title = variant_names(family)[0]
                prices = [float(v["price"]) for v in family if v.get("price") is not None]
        if gq.price_relation and prices:
            base = min(prices) if gq.price_relation in ("below", "same") else max(prices)
            cent = 0.005
            money = _money(base, r.get("currency"))
            if gq.price_relation == "same":  # (said last: "with more storage than X, at its price or less")
                price = PriceConstraint(max_price=base + cent)
                at_most = money
            else:
                below = gq.price_relation == "below"
                # (the closest in price first, unless an order was asked: "which of those is
                # the cheapest?" after "is there a cheaper phone like this one?")
                price = (PriceConstraint(max_price=base - cent, order=gq.price_order or "desc") if below
                         else PriceConstraint(min_price=base + cent, order=gq.price_order or "asc"))
                word = "cheaper" if below else "more expensive"
                said.append(f"{word} than {title} ({money})")
                ids.append(word.replace(" ", ""))
        own = {a["key"]: a for a in r.get("attributes") or []}
        compared = []
        for key, way, words in relative_attributes(text, self._category_keys(category_id)):
            a = own.get(key.key)
            number = _leading_number(a["value"]) if a is not None else None
            if a is None or number is None or (key.unit and a.get("unit") and a["unit"] != key.unit):
                continue
            unit = a.get("unit") or ""
            value = f"{a['value']}" + (f" {unit}" if unit and not str(a["value"]).lower().endswith(unit.lower()) else "")
            other = title if not said else "it"
            if way == "same":
                compared.append(AttributeConstraint(key.key, key.unit, min_value=number, max_value=number, relative=True))
                said.append(f"with the same {key.words} as {other} ({value})")
            else:
                bound = {"max_value": number - 1e-6} if way == "less" else {"min_value": number + 1e-6}
                compared.append(AttributeConstraint(key.key, key.unit, relative=True, **bound))
                # ("lighter than X" when the shopper's comparative names its measure, else "with
                # more storage than X"; "compact" is no comparative)
                named = words.lower() in MEASURED_COMPARATIVES and words.lower().endswith("er")
                said.append(f"{words.lower() if named else f'with {way} {key.words}'} than {other} ({value})")
            ids.append(f"{way}{key.key.replace('_', '')}")
        if at_most:
            said.append(f"at its price ({at_most}) or less" if said else f"at the price of {title} ({at_most}) or less")
            ids.append("samepriceorless")
        if not said:
            return None
        ids.append(f"than{r['id']}")
        return price, (", ".join(said), "".join(ids)), compared

    def _q_store_range(self, gq: GraphQuery, q: RetrievalQuery, out: GraphResult) -> list[Evidence]:
        """What the store sells, by top category with its subcategories ("We carry Electronics
        (Headphones, Laptops, Phones); Kitchen (Blenders, Coffee Makers); ..."): said when
        nothing the store sells is what a request asked for ("do you sell TVs?" said "I don't
        know"; its id is rag.types.STORE_RANGE_ID)."""
        cats = self._read(cypher.CATEGORY_NAMES, {})
        if not cats:
            return []
        names = {r["id"]: r.get("name") or r["id"] for r in cats}
        parent = {r["id"]: r.get("parent_id") for r in cats}
        top = {}
        for cid in names:  # each category's top category ("Blenders" under Home > Kitchen)
            t, seen = cid, set()
            while parent.get(t) and t not in seen:
                seen.add(t)
                t = parent[t]
            top[cid] = t
        parents = set(parent.values())
        leaves = [cid for cid in names if cid not in parents and parent.get(cid)]
        said = "; ".join(names[t] + (f" ({', '.join(sorted(names[c] for c in leaves if top[c] == t))})"
                                     if any(top[c] == t for c in leaves) else "")
                         for t in sorted({top[c] for c in names}, key=lambda t: names[t]))
        return [Evidence(id=STORE_RANGE_ID, kind="graph_fact", source="listing", owner_id="store", owner_kind="store",
                         score=0.1, text=f"We carry {said}.")]

    def _q_brands(self, gq: GraphQuery, q: RetrievalQuery, out: GraphResult) -> list[Evidence]:
        """Which brands a category's products come from, most products first ("We carry 4 brands
        in Laptops: Orbis, Lumen Computing, Kestrel and Nimbus Tech."); with no
        category, every brand of the store. At most BRANDS_NAMED are named, with how many more."""
        ev = []
        for cid in gq.category_ids or [None]:
            rows = self._read(cypher.CATEGORY_BRANDS, {"category_id": cid}) if cid else self._read(cypher.BRAND_NAMES, {})
            if not rows:  # no brand to name: nothing to say (a store without brands says nothing)
                continue
            names = [r["name"] for r in rows[:BRANDS_NAMED]]
            more = len(rows) - len(names)
            listed = ", ".join(names[:-1]) + (f", {names[-1]} and {more} more" if more else
                                              f" and {names[-1]}" if len(names) > 1 else names[-1])
            count = f"{len(rows)} brand{'s' if len(rows) != 1 else ''}" + (f" in {rows[0]['category']}" if cid else "")
            ev.append(Evidence(id=f"{cid or 'store'}~brands", kind="graph_fact", source="listing",
                               text=f"We carry {count}: {listed}.", owner_id=cid or "store",
                               owner_kind="category" if cid else "store", score=0.7))
        return ev

    def _narrowing(self, earlier: list[str], category_id: str,
                   stated: list[AttributeConstraint]) -> list[AttributeConstraint]:
        """The conditions of the earlier messages (`GraphQuery.narrowed_by`) that keep only some
        products ("for 4 people", "under 3 kg"), oldest first, but for those on an attribute the
        message bounds itself (`stated`: "under 2 kg" replaces "under 3 kg"; "the lightest"
        keeps it); of two on one attribute the later holds. An order alone ("the lightest")
        narrows nothing and is not carried."""
        if not earlier:
            return []
        listed = {k.key for k in self._category_keys(category_id) if lists_values(k)}
        replaced = {c.key for c in stated if c.narrows}
        said = {(c.key, c.value) for c in stated}
        kept: dict[str | tuple[str, str], AttributeConstraint] = {}
        for text in reversed(earlier):
            for c in self.attribute_constraints(text, category_id):
                if c.key in listed and c.value is not None:
                    # a value of several a product may list adds to the others: "smartwatches
                    # with gps", then "any with ecg too?" asks for both
                    if (c.key, c.value) not in said:
                        kept.setdefault((c.key, c.value), c)
                elif c.narrows and c.key not in replaced and c.key not in kept:
                    kept[c.key] = c
        return list(reversed(kept.values()))

    def _as_listed(self, earlier: list[str], category_id: str, params: dict[str, Any],
                   stated: list[AttributeConstraint]) -> list[AttributeConstraint]:
        """The order an earlier listing was asked by, as the bound its products shown meet: "the
        cheapest of those" after "a phone with lots of storage" (storage, highest first: 512 GB
        each) is the cheapest with 512 GB or more (it was the cheapest phone of all). None when
        it was asked by no number's order."""
        ordered = self._earlier_order(earlier, category_id, stated)
        if ordered is None or ordered.narrows:
            return []
        statement = cypher.PRODUCTS_IN_CATEGORY_OF_BRANDS_WITH_ATTRIBUTE if "brand_ids" in params else \
            cypher.PRODUCTS_IN_CATEGORY_WITH_ATTRIBUTE
        rows = self._read(statement, {
            **params, "key": ordered.key, "unit": ordered.unit, "value": None, "min_value": None, "max_value": None,
            "value_order": ordered.value_order, "min_price": None, "max_price": None, "price_order": 0,
            "limit": LISTING_SUMMARY_ITEMS})
        shown = [_number_alone(v) for r in rows for v in (r.get("shown") or [])[:1]]
        if len(rows) < 2 or None in shown:
            return []
        if ordered.value_order < 0:
            return [dataclasses.replace(ordered, min_value=min(shown))]
        return [dataclasses.replace(ordered, max_value=max(shown))]

    def _earlier_order(self, earlier: list[str], category_id: str,
                       stated: list[AttributeConstraint]) -> AttributeConstraint | None:
        """The order the latest earlier message asked for ("lightest tents": weight, lowest
        first), unless on an attribute bounded since (`stated`, or a later message: "a big
        screen", then "bigger than 6.5 inches")."""
        bounded = {c.key for c in stated}
        for text in reversed(earlier):
            said = self.attribute_constraints(text, category_id)
            for c in said:
                if not c.narrows and c.key not in bounded:
                    return c
            if price_constraint(text).order is not None:
                return None  # (an order by price, asked later: "lightest tents", "cheapest ones?")
            bounded |= {c.key for c in said if c.narrows}
        return None

    def attribute_constraints(self, text: str, category_id: str) -> list[AttributeConstraint]:
        """The attribute conditions `text` states that the category's products can meet."""
        return attribute_constraints(text, self._category_keys(category_id))

    def _category_keys(self, category_id: str) -> list[AttributeKey]:
        """The attributes the category's products have (read from a sample of them)."""
        return [AttributeKey(r["key"], r.get("unit"), tuple(r.get("values") or []))
                for r in self._read(cypher.CATEGORY_ATTRIBUTES, {"category_id": category_id,
                                                                 "products": ATTRIBUTE_PRODUCTS_READ,
                                                                 "values": ATTRIBUTE_VALUES_READ})]

    def _q_faq(self, gq: GraphQuery, q: RetrievalQuery, out: GraphResult) -> list[Evidence]:
        products = gq.product_ids or q.product_ids or [None]
        brands = gq.brand_ids or q.brand_ids
        cats = gq.category_ids or q.category_ids
        ev = []
        for pid in products:
            rows = self._read(cypher.FAQS_FOR_PRODUCT, {
                "product_id": pid, "brand_id": brands[0] if brands else None,
                "category_id": cats[0] if cats else None})
            if gq.asked_only:
                rows = [r for r in rows if asks_question(q.text, r["question"])]
            elif gq.store_wide_asked_only:
                rows = [r for r in rows if (r.get("scope") or "global") != "global" or asks_question(q.text, r["question"])]
            for r in rows[: max(gq.k, 1) * 2]:
                ev.append(Evidence(id=f"faq:{r['id']}", kind="graph_fact", source="faq",
                                   text=f"Q: {r['question']} A: {r['answer']}", owner_id=r.get("target") or "store",
                                   owner_kind=r.get("scope") or "store", doc_id=r["id"], score=r["rank"] / 3000.0,
                                   aliases=[r["id"]]))
        return ev


#: What " (X has ...)" says of the product with the most or least of an amount compared: of two
#: products ("more"), of more ("the most")
_HAS_THE_EXTREME = {"more": ("more", "the most"), "less": ("less", "the least"), "fewer": ("fewer", "the fewest")}


def _extreme_asked(asked: tuple[Any, str, str] | None, row: dict, titles: dict[str, str], products: int = 2) -> str:
    """" (the lightest is X)" for a comparison row of the measure a comparative asks ("which is
    lighter?" got both weights, and which one it is was left to the shopper), " (X has more)"
    for an amount compared ("which one has more RAM?": `asked` ends with "more", "less" or
    "fewer"), when every value is a number in one unit and one product has the extreme; " (the
    same for both)" when none differs; " (the lightest are X and Y)" when some share it; else
    ""."""
    if asked is None:
        return ""
    _, way, superlative = asked
    values = [(v["product_id"], _number_alone(v["value"])) for v in row["values"]]
    if any(n is None for _, n in values) or len({v.get("unit") for v in row["values"]}) > 1:
        return ""
    # (a lower temperature rating keeps warmer: "warmer" is the least)
    best = (min if way == "less" else max)(n for _, n in values)
    which = [pid for pid, n in values if n == best]
    if len(which) == len(values):  # ("which has the bigger battery?" of two with 3500 mAh)
        return " (the same for both)" if products == 2 else " (the same for all)"
    names = [titles.get(pid, pid) for pid in which]
    if len(names) > 1:  # (of three, two alike: "the biggest are X and Y"; it said nothing)
        both = f"{', '.join(names[:-1])} and {names[-1]}"
        if superlative in _HAS_THE_EXTREME:
            return f" ({both} have {_HAS_THE_EXTREME[superlative][1]})"
        return f" (the {superlative} are {both})"
    if superlative in _HAS_THE_EXTREME:
        two, many = _HAS_THE_EXTREME[superlative]
        return f" ({names[0]} has {two if products == 2 else many})"
    return f" (the {superlative} is {names[0]})"


def _number_alone(value: Any) -> float | None:
    """A value that is one number ("5.4", "4 persons"), not a size of several ("49 x 22")."""
    parts = str(value).split()
    if not parts or (len(parts) > 1 and any(ch.isdigit() for p in parts[1:] for ch in p)):
        return None
    return _leading_number(value)


def _products_of(category: str) -> str:
    """What "No ..." says of a category's products: "tents" for Tents, "kitchen products" for
    Kitchen (a category named by a plural is its products)."""
    return category.lower() if category.lower().endswith("s") else f"{category.lower()} products"


def _leading_number(value: Any) -> float | None:
    """The number a value starts with ("2.18" -> 2.18, "4 persons" -> 4), as the listings read it."""
    try:
        return float(str(value).split(" ")[0].replace(",", ""))
    except ValueError:
        return None


#: The most products a narrowed listing counts ("how many 4-season tents ...?"): more reads as "over"
COUNT_LIMIT = 10_000


def _conditions_said(attribute: AttributeConstraint | None, narrowing: Sequence[AttributeConstraint]) -> str:
    """A listing's attribute conditions as its label says them ("capacity: 4 persons or more;
    season: 4-season"); those bounded by a product compared with are said by its price label."""
    said = [c for c in (*narrowing, attribute) if c is not None and not c.relative]
    order = attribute if attribute is not None and attribute.value is None and attribute.min_value is None \
        and attribute.max_value is None else None
    if order is not None and any(c.key == order.key for c in narrowing):
        # an order on a key an earlier condition bounds is said with it: "temperature rating:
        # -10 °C or less, lowest first", not the key twice
        first = order.describe().rpartition(", ")[2]
        return "; ".join(c.describe() + (f", {first}" if c.key == order.key else "") for c in said if c is not order)
    # (values of one attribute, each a product must list, said once: "sensors: gps and ecg")
    values: dict[str, list[str]] = {}
    for c in sorted(said, key=lambda c: c is not attribute):  # (the first the message said, first)
        if c.value is not None:
            values.setdefault(c.key, []).append(str(c.value))
    parts: list[str] = []
    for c in said:
        if c.value is None or len(values[c.key]) == 1:
            parts.append(c.describe())
        elif values[c.key]:
            parts.append(f"{c.key.replace('_', ' ')}: {' and '.join(values[c.key])}")
            values[c.key] = []
    return "; ".join(parts)


def _makers(brands: list[str]) -> str:
    """" by Northpeak, Trailhead" for a listing of some brands' products, else ""."""
    return f" by {', '.join(b.replace('-', ' ').title() for b in brands)}" if brands else ""


def count_said(n: int, capped: bool = False) -> str:
    """How many, as a count fact says it: "7,974" (the category's count said "7974" and the
    narrowed listing's "4,080"); "over 10,000" when `capped` and COUNT_LIMIT rows were read."""
    return f"over {COUNT_LIMIT:,}" if capped and n >= COUNT_LIMIT else f"{int(n):,}"


def _listing_count(owner: str, name: str | None, rows: list[dict], price: PriceConstraint,
                   attribute: AttributeConstraint | None, narrowing: Sequence[AttributeConstraint],
                   brands: list[str]) -> Evidence:
    """"We have 37 tents (season: 4-season) in our store.": how many products a narrowed
    listing has, for "how many 4-season tents do you have?" (it listed three)."""
    title = (name or owner.replace("-", " ")).lower()
    described, makers = _conditions_said(attribute, narrowing), _makers(brands)
    priced = f" at {price.price_range}" if price.price_range else ""
    n = count_said(len(rows), capped=True)
    return Evidence(id=f"{owner}~count~" + _ID_UNSAFE.sub("", described + makers + priced), kind="graph_fact",
                    source="listing", owner_id=owner, owner_kind="category", score=0.6,
                    text=f"We have {n} {title}{makers}{f' ({described})' if described else ''}{priced} in our store.")


def _price_and_stock(r: dict) -> str:
    """" at $37.99, in stock" for a listed product row (id, title, price, currency, availability)."""
    return ((f" at {_money(r.get('price'), r.get('currency'))}" if r.get("price") is not None else "")
            + (f", {_AVAILABILITY_SHORT[r['availability']]}" if r.get("availability") in _AVAILABILITY_SHORT else ""))


_HOW_MANY = re.compile(r"\bhow\s+many\b", re.IGNORECASE)
#: The products just listed, referred to ("the cheapest of those", "which of them is cheapest?")
_OF_THOSE = re.compile(r"\b(?:of|among)\s+(?:those|these|them)\b", re.IGNORECASE)


def specification_sheets(facts: list[Evidence]) -> list[Evidence]:
    """Each product's attribute facts as one fact ("X: battery life: 24 h; color: silver; ..."),
    source "specs", a fact the plan asked for (rag.retrieve.hybrid.PLAN_FACT_SOURCES)."""
    by_owner: dict[str, list[Evidence]] = {}
    for f in facts:
        if f.source == "attribute" and f.owner_id:
            by_owner.setdefault(f.owner_id, []).append(f)
    sheets = []
    for owner, attributes in by_owner.items():
        title, _, _ = attributes[0].text.partition(": ")
        values = "; ".join(a.text.partition(": ")[2].rstrip(".") for a in attributes)
        sheets.append(attributes[0].model_copy(update={"id": f"{owner}#specs", "source": "specs", "score": 1.0,
                                                       "text": f"{title}: {values}.", "aliases": []}))
    return sheets


# "what's the price range for laptops?", "how much do your tents cost?", "how expensive are
# they?": the lowest and highest price of the kind, not one product's
_PRICE_RANGE = re.compile(r"\bprice\s+(?:range|ranges|span|spread)\b|\bprices?\s+(?:go|run|start)\b|\brange\s+in\s+price\b"
                          r"|\bhow\s+(?:much|expensive)\s+(?:are|do|does)\s+(?:your\s+|the\s+|they|these|those)"
                          r"(?![^?.!]*\b(?:it|this|that)\b)"
                          r"|\b(?:average|typical)\s+price\b|\bcheapest\s+and\s+(?:the\s+)?(?:most\s+expensive|dearest)\b",
                          re.IGNORECASE)


#: Kinds asked for together ("tents and backpacks", "a backpack, a sleeping bag")
_JOINED = re.compile(r"\b(?:and|or|plus)\b|[,&]", re.IGNORECASE)
#: Attributes whose shared value says nothing of fitting together (a red case for a red phone).
_NOT_MATCHING_KEYS = frozenset({"color", "colour", "material", "type"})


def _listing_facts(owner: str, link: str, rows: list[dict], price: PriceConstraint,
                   attribute: AttributeConstraint | None, brands: list[str], summarize: bool = False,
                   label: tuple[str, str] | None = None, name: str | None = None,
                   aliases: list[str] | None = None, narrowing: Sequence[AttributeConstraint] = (),
                   nearest: dict | None = None, closest: bool = True, in_stock: bool = False) -> list[Evidence]:
    """A listing's facts: under a constraint, or when the listing is what was asked for
    (`summarize`: "I need a new tent"), a summary that names it and the first
    LISTING_SUMMARY_ITEMS products ("Tents by Northpeak (capacity: 4 persons or more) at
    $300.00 or less: ... at $176.99, in stock, 6 persons; ..."; "Tents: ..."), or "No tents
    (...)." when an attribute constraint leaves none; then one fact per product, with its value
    of a bounded or ordered attribute (an equality says nothing new per product). `label`: the
    price constraint in words instead of its bounds ("cheaper than the X ($99.00), closest in
    price first") and for the summary's id ("cheaperthanp000102"). `name`: the category's own
    ("Chargers & Cables"; else its id in words). `aliases`: its other names, said after it
    ("Outdoor (camping, hiking, outdoors): ..."), so a request in those words ("a gift for
    someone who likes camping") finds its answer in the summary. `narrowing`: earlier
    conditions on other attributes that still hold, said first ("Tents (capacity: 4 persons or
    more; weight, lowest first): ... 4 persons, 1.6 kg"; the rows' `narrowed` values, one list
    per condition). `nearest`: with no rows under a price bound, the product nearest to it
    ("No laptops at $100.00 or less; the cheapest is ... at $520.99, in stock."). `closest`:
    a listing compared with a product in the order of price asked by no one, the closest first
    (else the order asked: "cheapest first"). `in_stock`: of the products in stock alone,
    said after the kind ("Tents in stock at $200.00 or less: ...", "No tents in stock ...")."""
    named = _words(attribute.key) if attribute is not None and attribute.value is None else ""
    bounded = [i for i, c in enumerate(narrowing) if c.value is None and not (named and c.key == attribute.key)]
    narrowed = "; ".join(_words(narrowing[i].key) for i in bounded)

    def said(v: object, c: AttributeConstraint) -> str:
        # (a count without a unit says what it counts: "10 speeds", not "10")
        return f"{v} {_words(c.key)}" if c.unit is None and _NUMBER.fullmatch(str(v)) else str(v)

    def value(r: dict, label: str = "") -> str:
        columns = r.get("narrowed") or []
        shown = [", ".join(said(v, narrowing[i]) for v in columns[i]) for i in bounded if i < len(columns)]
        if named and attribute is not None:
            shown.append(", ".join(said(v, attribute) for v in r.get("shown") or []))
        return f", {label}{', '.join(x for x in shown if x)}" if any(shown) else ""

    ev: list[Evidence] = []
    # (the bounds set by a product compared with are in `label`: "lighter than X (2.18 kg)")
    described = _conditions_said(attribute, narrowing)
    constraint = ", ".join(filter(None, [described, label[1] if label else price.describe(),
                                         "in stock" if in_stock else ""]))
    makers = _makers(brands) + (" in stock" if in_stock else "")
    priced = f" {label[0]}" if label else (f" at {price.price_range}" if price.price_range else "")
    # (the order is the listing's: "No tents for 12 people" has none)
    ordered = (", closest in price first" if label and closest else f", {price.ordering}") if price.order else ""
    title = name or owner.replace("-", " ").capitalize()
    heading = (title + (f" ({', '.join(aliases)})" if aliases else "") + makers
               + (f" ({described})" if described else "") + priced)
    summary_id = f"{owner}~listing~" + _ID_UNSAFE.sub("", constraint)
    if (constraint or summarize) and rows:
        listed = "; ".join(
            (f"({n}) " if price.order else "") + f"{r['title']} ({r['id']})" + _price_and_stock(r) + value(r)
            for n, r in enumerate(rows[:LISTING_SUMMARY_ITEMS], start=1))
        ev.append(Evidence(id=summary_id, kind="graph_fact", source="listing", text=f"{heading}{ordered}: {listed}.",
                           owner_id=owner, score=0.6))
    elif attribute is not None or label is not None or price.price_range or (makers and not rows):
        # "a tent for 12 people?", "anything cheaper?" (than the cheapest), "laptops under
        # $100", "does Orbis make headphones?": that there is none is the answer, and the
        # nearest in price
        closest = ""
        if nearest is not None:
            which = "cheapest" if price.max_price is not None else "most expensive"
            closest = f"; the {which} is {nearest['title']} ({nearest['id']}){_price_and_stock(nearest)}"
        # (not its other names: "No laptops (notebook, computer) at ..." reads as a condition)
        condition = makers + (f" ({described})" if described else "") + priced
        # (the makers in its id too: a listing narrowed for the turn, the whole answer, not a
        # headphone's description before "No headphones by Orbis")
        none_id = summary_id if constraint else f"{summary_id}{_ID_UNSAFE.sub('', makers)}"
        ev.append(Evidence(id=none_id, kind="graph_fact", source="listing",
                           # (the things for a product named as listed: "No Chargers & Cables for
                           # the Veltro Lite 600 ..." read "No chargers & cables for the veltro
                           # lite 600 ... products")
                           text=f"No {name if link == 'fits' and name else _products_of(title)}{condition}{closest}.",
                           owner_id=owner, score=0.6))
    for r in rows:
        state = _AVAILABILITY.get(r.get("availability") or "", "")
        money = _money(r.get("price"), r.get("currency"))
        text = (f"{r['title']} ({r['id']})" + (f" costs {money}" if money else "") + (f" and {state}" if state else "")
                + value(r, f"{'; '.join(filter(None, (narrowed, named)))}: ").replace(", ", "; ", 1) + ".")
        ev.append(Evidence(id=f"{owner}~{link}~{r['id']}", kind="graph_fact", source="product", text=text,
                           owner_id=r["id"], owner_kind="product", score=0.5))
    return ev
