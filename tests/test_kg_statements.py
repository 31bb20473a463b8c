"""Every statement of kg/cypher.py runs for real on FalkorDB, and the reads answer correctly on
a small hand-made store (policy precedence product > brand > category (walking up) > global,
overrides, facts, relations, similarity, names, passages, deletes)."""

from __future__ import annotations

import re

import pytest

from kg import cypher as C

# --- a small hand-made store ----------------------------------------------------------------
# electronics > audio > headphones; kitchen. Brands acme, zen.
CATEGORIES = [
    {"id": "electronics", "name": "Electronics", "aliases": None, "hash": "h", "parent": None},
    {"id": "audio", "name": "Audio", "aliases": ["sound"], "hash": "h", "parent": "electronics"},
    {"id": "headphones", "name": "Headphones", "aliases": ["earbuds", "headset"], "hash": "h", "parent": "audio"},
    {"id": "kitchen", "name": "Kitchen", "aliases": None, "hash": "h", "parent": None},
]
BRANDS = [
    {"id": "acme", "name": "Acme", "description": "Acme makes audio gear.", "hash": "h"},
    {"id": "zen", "name": "Zen", "description": "Zen sound.", "hash": "h"},
]


def _product(pid, title, brand, category, price=10.0, **attrs):
    return {
        "id": pid, "title": title, "description": f"{title} description", "sku": f"SKU-{pid}",
        "price": price, "currency": "USD", "availability": "in_stock", "hash": "h",
        "brand": brand, "category": category, "attrs": attrs,
    }  # fmt: skip


PRODUCTS = [
    _product("p1", "Acme Pro Headphones", "acme", "headphones", 99.0, color="black", wireless="yes"),
    _product("p2", "Zen Headphones", "zen", "headphones", 59.5, color="black", wireless="no"),
    _product("p3", "Acme Ear Pads", "acme", "audio", 9.0, color="black"),
    _product("p4", "Zen Speaker", "zen", "audio", 120.0, color="white", wireless="yes"),
    _product("p5", "Acme Kettle", "acme", "kitchen", 30.0, color="black"),
]
RELATIONS = {
    "accessory_for": [{"source": "p3", "target": "p1"}],
    "compatible_with": [{"source": "p4", "target": "p2"}],
    "variant_of": [{"source": "p2", "target": "p1"}],
}


def _policy(pid, kind, scope, target=None, version=1):
    return {
        "id": pid, "kind": kind, "scope": scope, "target": target, "title": f"{pid} title",
        "body": f"Body of {pid}.", "version": version, "effective_date": "2026-01-01", "hash": "h",
    }  # fmt: skip


POLICIES = [
    _policy("ret-global", "returns", "global"),
    _policy("ret-electronics", "returns", "category", "electronics"),
    _policy("ret-audio", "returns", "category", "audio"),
    _policy("ret-acme", "returns", "brand", "acme"),
    _policy("ret-p1", "returns", "product", "p1"),
    _policy("war-global", "warranty", "global"),
    _policy("war-zen", "warranty", "brand", "zen"),
]
FAQS = [
    {"id": "f-global", "question": "Do you ship abroad?", "answer": "Yes.", "scope": "global", "target": None, "hash": "h"},
    {"id": "f-acme", "question": "Where is Acme from?", "answer": "Oslo.", "scope": "brand", "target": "acme", "hash": "h"},
    {"id": "f-p1", "question": "Is p1 foldable?", "answer": "Yes.", "scope": "product", "target": "p1", "hash": "h"},
    {"id": "f-audio", "question": "Audio returns?", "answer": "30 days.", "scope": "category", "target": "audio", "hash": "h"},
]  # fmt: skip


def _passage(key, vid, owner_id, owner_kind, source, text):
    return {
        "id": key, "vid": vid, "text": text, "source": source, "owner_id": owner_id,
        "owner_kind": owner_kind, "doc_id": owner_id, "doc_version": 1, "hash": "h",
        "aliases": [f"{key}-alias"],
    }  # fmt: skip


PASSAGES = [
    _passage("pa1", 101, "p1", "product", "description", "Acme Pro Headphones fold flat."),
    _passage("pa1b", 102, "p1", "product", "review", "Great \"bass\", ünïcode ✓\nsecond line."),
    _passage("pa2", 103, "ret-global", "policy", "policy", "Return anything within 14 days."),
    _passage("pa3", 104, "acme", "brand", "description", "Acme makes audio gear."),
    _passage("pa4", 105, "f-global", "faq", "faq", "Do you ship abroad? Yes."),
    _passage("pa5", 106, "store", "store", "other", "Open every day."),
    _passage("pa6", 107, "audio", "category", "description", "Audio things."),
]


def load_sample(tx, batch_size: int = 2) -> None:
    """Write the sample store with the upsert/link statements, in dependency order.
    A tiny batch size so batching itself is exercised."""
    w = tx.write_rows
    w(C.UPSERT_CATEGORIES, CATEGORIES, batch_size)
    w(C.LINK_CATEGORY_PARENTS, CATEGORIES, batch_size)
    w(C.UPSERT_BRANDS, BRANDS, batch_size)
    w(C.UPSERT_PRODUCTS, PRODUCTS, batch_size)
    w(C.LINK_PRODUCT_BRANDS, PRODUCTS, batch_size)
    w(C.LINK_PRODUCT_CATEGORIES, PRODUCTS, batch_size)
    attrs = [
        {"product_id": p["id"], "id": f"{p['id']}#attr:{k}", "key": k, "value": v, "unit": None, "text": f"{k}: {v}"}
        for p in PRODUCTS
        for k, v in p["attrs"].items()
    ]
    w(C.UPSERT_ATTRIBUTES, attrs, batch_size)
    for kind, rows in RELATIONS.items():
        w(C.RELATION_UPSERTS[kind], rows, batch_size)
    w(C.UPSERT_POLICIES, POLICIES, batch_size)
    for scope, statement in C.POLICY_LINKS.items():
        w(statement, [p for p in POLICIES if p["scope"] == scope], batch_size)
    w(C.UPSERT_FAQS, FAQS, batch_size)
    for scope, statement in C.FAQ_LINKS.items():
        w(statement, [f for f in FAQS if f["scope"] == scope], batch_size)
    tx.run(C.SET_STORE_VERSION, {"version": 1, "updated_at": "2026-11-23T00:00:00Z"})
    w(C.UPSERT_PASSAGES, PASSAGES, batch_size)
    for kind, statement in C.PASSAGE_LINKS.items():
        w(statement, [x for x in PASSAGES if x["owner_kind"] == kind], batch_size)
    for statement in C.POLICY_OVERRIDES_REBUILD:
        tx.run(statement)


@pytest.fixture
def sample_store(falkordb_store):
    tx = falkordb_store.begin()
    load_sample(tx)
    ref = tx.commit()
    falkordb_store.ensure_schema(ref)
    falkordb_store.use(ref)
    return falkordb_store


# --- every statement runs ---------------------------------------------------------------------
# Parameters by name for reads. Statements appended by other helpers that this file does not
# know get these values by name, else the string "sample" (their `$rows` get []), so they
# still execute on FalkorDB; their own tests run them with real rows.
READ_PARAMS = {
    "ids": ["p1", "p2"], "product_id": "p1", "brand_id": None, "category_id": None, "kind": None,
    "limit": 10, "candidates": 50, "after": "", "owner_id": "p1", "source": None,
    "vids": [101, 103], "version": 2, "updated_at": "2026-11-24T00:00:00Z", "rows": [],
    "in_stock_only": True,
}  # fmt: skip
PARAM_OVERRIDES = {
    "PASSAGE_PAGE": {"after": -1, "limit": 100},
    "PRODUCTS_IN_CATEGORY": {"category_id": "electronics", "limit": 10, "min_price": None, "max_price": 100.0,
                             "price_order": 1},
    "PRODUCTS_IN_CATEGORY_OF_BRANDS": {"category_id": "electronics", "brand_ids": ["acme"], "limit": 10,
                                       "min_price": None, "max_price": None, "price_order": 0},
    "PRODUCTS_OF_BRAND": {"brand_id": "acme", "limit": 10, "min_price": 10.0, "max_price": None, "price_order": -1},
    "STORE_PRODUCTS": {"limit": 10, "min_price": None, "max_price": 100.0, "price_order": 1},
    "CATEGORY_ATTRIBUTES": {"category_id": "electronics", "products": 100, "values": 50},
    "CATEGORY_PRODUCT_COUNT": {"category_id": "electronics"},
    "ATTRIBUTE_VALUE_SAMPLE": {"products": 100, "values": 50},
    "CATEGORY_ACCESSORIES": {"category_id": "electronics", "accessory_ids": ["kitchen"], "per_category": 2,
                             "min_price": None, "max_price": 100.0},
    "PRODUCTS_IN_CATEGORY_WITH_ATTRIBUTE": {
        "category_id": "electronics", "key": "weight", "unit": None, "value": None, "min_value": 1.0,
        "max_value": None, "value_order": -1, "min_price": None, "max_price": None, "price_order": 0, "limit": 10},
    "PRODUCTS_IN_CATEGORY_OF_BRANDS_WITH_ATTRIBUTE": {
        "category_id": "electronics", "brand_ids": ["acme"], "key": "color", "unit": None, "value": "black",
        "min_value": None, "max_value": None, "value_order": 0, "min_price": None, "max_price": 100.0,
        "price_order": 1, "limit": 10},
    "PRODUCTS_IN_CATEGORY_WITH_ATTRIBUTES": {
        "category_id": "electronics", "key": "weight", "unit": None, "value": None, "min_value": None,
        "max_value": None, "value_order": 1, "min_price": None, "max_price": None, "price_order": 0, "limit": 10,
        "narrowing": [{"key": "color", "unit": None, "value": "black", "min": None, "max": None}]},
    "PRODUCTS_IN_CATEGORY_OF_BRANDS_WITH_ATTRIBUTES": {
        "category_id": "electronics", "brand_ids": ["acme"], "key": "color", "unit": None, "value": "black",
        "min_value": None, "max_value": None, "value_order": 0, "min_price": None, "max_price": 100.0,
        "price_order": 1, "limit": 10, "narrowing": [
            {"key": "weight", "unit": None, "value": None, "min": 1.0, "max": None},
            {"key": "color", "unit": None, "value": "black", "min": None, "max": None}]},
    "BRAND_FACTS": {"ids": ["acme", "zen"]},
    "DELETE_BRANDS": {"ids": ["zen"]},
    "DELETE_CATEGORIES": {"ids": ["kitchen"]},
    "DELETE_POLICIES": {"ids": ["war-zen"]},
    "DELETE_FAQS": {"ids": ["f-acme"]},
    "DELETE_PASSAGES": {"ids": ["pa5"]},
    "DELETE_PASSAGES_OF_OWNERS": {"ids": ["p1"]},
    "DELETE_PRODUCTS": {"ids": ["p5"]},
    "DELETE_ATTRIBUTES_OF_PRODUCTS": {"ids": ["p2"]},
    "DELETE_RELATIONS_OF_PRODUCTS": {"ids": ["p3"]},
}
LOADED_BY_SAMPLE = {
    name
    for name, value in C.statements().items()
    if value in {*C.RELATION_UPSERTS.values(), *C.POLICY_LINKS.values(), *C.FAQ_LINKS.values(),
                 *C.PASSAGE_LINKS.values(), *C.POLICY_OVERRIDES_REBUILD}
    or name in {"UPSERT_CATEGORIES", "LINK_CATEGORY_PARENTS", "UPSERT_BRANDS", "UPSERT_PRODUCTS",
                "LINK_PRODUCT_BRANDS", "LINK_PRODUCT_CATEGORIES", "UPSERT_ATTRIBUTES",
                "UPSERT_POLICIES", "UPSERT_FAQS", "UPSERT_PASSAGES", "SET_STORE_VERSION"}
}  # fmt: skip


def _params_for(name: str, statement: str) -> dict:
    wanted = set(re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", statement))
    params = {p: READ_PARAMS.get(p, "sample") for p in wanted}
    params.update({k: v for k, v in PARAM_OVERRIDES.get(name, {}).items() if k in wanted})
    return params


def test_every_statement_runs_on_falkordb(sample_store):
    """Upserts/links ran in load_sample; here reads, counts, then deletes (last) run on a
    staging copy. Each must execute without a server error."""
    names = C.statements()
    assert LOADED_BY_SAMPLE <= set(names)
    tx = sample_store.begin()
    writes_last = sorted(n for n in names if n.startswith("DELETE_"))
    others = sorted(n for n in names if n not in writes_last)
    ran = []
    for name in others + writes_last:
        tx.run(names[name], _params_for(name, names[name]))  # raises naming the statement
        ran.append(name)
    tx.rollback()
    assert set(ran) == set(names)


def test_upserts_are_idempotent(falkordb_store):
    tx = falkordb_store.begin()
    load_sample(tx)
    ref = tx.commit()
    falkordb_store.use(ref)
    before = (falkordb_store.query(C.COUNT_NODES_BY_LABEL), falkordb_store.query(C.COUNT_RELATIONSHIPS_BY_TYPE))
    tx = falkordb_store.begin()
    load_sample(tx, batch_size=1000)
    ref2 = tx.commit()
    falkordb_store.use(ref2)
    after = (falkordb_store.query(C.COUNT_NODES_BY_LABEL), falkordb_store.query(C.COUNT_RELATIONSHIPS_BY_TYPE))
    assert before == after
    nodes = {r["label"]: r["count"] for r in after[0]}
    assert nodes == {"Attribute": 8, "Brand": 2, "Category": 4, "FAQ": 4, "Passage": 7, "Policy": 7, "Product": 5, "Store": 1}
    rels = {r["type"]: r["count"] for r in after[1]}
    assert rels["SUBCATEGORY_OF"] == 2 and rels["APPLIES_TO"] == 5 and rels["PASSAGE_OF"] == 7
    assert rels["MADE_BY"] == 5 and rels["IN_CATEGORY"] == 5 and rels["HAS_ATTRIBUTE"] == 8


# --- policy precedence ------------------------------------------------------------------------
def _policies(store, **params):
    p = {"product_id": None, "brand_id": None, "category_id": None, "kind": None, **params}
    return {r["kind"]: r for r in store.query(C.APPLICABLE_POLICIES, p)}


def test_product_policy_beats_brand_category_global(sample_store):
    row = _policies(sample_store, product_id="p1", kind="returns")["returns"]
    assert row["policy"]["id"] == "ret-p1"
    assert row["policy"]["rank"] == 3000
    assert [p["id"] for p in row["overridden"]] == ["ret-acme", "ret-audio", "ret-electronics", "ret-global"]
    assert row["policy"]["body"] == "Body of ret-p1."


def test_brand_beats_category(sample_store):
    row = _policies(sample_store, product_id="p3", kind="returns")["returns"]
    assert row["policy"]["id"] == "ret-acme"
    assert [p["id"] for p in row["overridden"]] == ["ret-audio", "ret-electronics", "ret-global"]


def test_category_walks_up_the_hierarchy_nearest_first(sample_store):
    # p2: headphones (no policy) -> audio -> electronics; zen has no returns policy
    row = _policies(sample_store, product_id="p2", kind="returns")["returns"]
    assert row["policy"]["id"] == "ret-audio"
    assert [p["id"] for p in row["overridden"]] == ["ret-electronics", "ret-global"]
    assert row["policy"]["rank"] > row["overridden"][0]["rank"]


def test_global_when_nothing_narrower_applies(sample_store):
    # p5: acme (no warranty policy), kitchen (no policies at all)
    row = _policies(sample_store, product_id="p5", kind="warranty")["warranty"]
    assert row["policy"]["id"] == "war-global" and row["overridden"] == []
    row = _policies(sample_store, product_id="p5", kind="returns")["returns"]
    assert row["policy"]["id"] == "ret-acme"
    assert [p["id"] for p in row["overridden"]] == ["ret-global"]


def test_all_kinds_and_direct_brand_or_category(sample_store):
    both = _policies(sample_store, product_id="p2")
    assert both["warranty"]["policy"]["id"] == "war-zen"
    assert both["returns"]["policy"]["id"] == "ret-audio"
    assert _policies(sample_store, brand_id="zen", kind="warranty")["warranty"]["policy"]["id"] == "war-zen"
    assert _policies(sample_store, category_id="headphones", kind="returns")["returns"]["policy"]["id"] == "ret-audio"
    assert _policies(sample_store, kind="returns")["returns"]["policy"]["id"] == "ret-global"
    assert _policies(sample_store, product_id="nope", kind="warranty")["warranty"]["policy"]["id"] == "war-global"


def test_overrides_recorded(sample_store):
    by_id = {r["id"]: set(r["overrides"]) for r in sample_store.query(C.POLICIES, {"kind": None})}
    assert by_id["ret-p1"] == {"ret-acme", "ret-audio", "ret-electronics", "ret-global"}
    assert by_id["ret-audio"] == {"ret-electronics", "ret-global"}
    assert by_id["ret-acme"] == {"ret-audio", "ret-electronics", "ret-global"}
    assert by_id["war-zen"] == {"war-global"}
    assert by_id["ret-global"] == set() and by_id["ret-electronics"] == {"ret-global"}
    row = _policies(sample_store, product_id="p1", kind="returns")["returns"]
    assert set(row["policy"]["overrides"]) == by_id["ret-p1"]


# --- other reads ------------------------------------------------------------------------------
def test_product_facts_side_by_side(sample_store):
    rows = sample_store.query(C.PRODUCT_FACTS, {"ids": ["p1", "p4", "missing"]})
    assert [r["id"] for r in rows] == ["p1", "p4"]
    p1 = rows[0]
    assert p1["brand"] == "Acme" and p1["category"] == "Headphones"
    assert p1["category_path"] == ["Electronics", "Audio", "Headphones"]
    assert p1["price"] == 99.0 and p1["currency"] == "USD" and p1["availability"] == "in_stock"
    assert {a["key"]: a["value"] for a in p1["attributes"]} == {"color": "black", "wireless": "yes"}
    compare = {r["key"]: r for r in sample_store.query(C.COMPARE_ATTRIBUTES, {"ids": ["p1", "p4"]})}
    assert {v["product_id"]: v["value"] for v in compare["color"]["values"]} == {"p1": "black", "p4": "white"}


def test_relations_accessories_compatible(sample_store):
    rel = sample_store.query(C.PRODUCT_RELATIONS, {"product_id": "p1"})
    assert {(r["relation"], r["direction"], r["id"]) for r in rel} == {
        ("ACCESSORY_FOR", "in", "p3"),
        ("VARIANT_OF", "in", "p2"),
    }
    assert [r["id"] for r in sample_store.query(C.PRODUCT_ACCESSORIES, {"product_id": "p1", "limit": 5})] == ["p3"]
    assert [r["id"] for r in sample_store.query(C.COMPATIBLE_PRODUCTS, {"product_id": "p3", "limit": 5})] == ["p1"]
    assert [r["id"] for r in sample_store.query(C.COMPATIBLE_PRODUCTS, {"product_id": "p2", "limit": 5})] == ["p4"]


def test_similar_products(sample_store):
    rows = sample_store.query(C.SIMILAR_PRODUCTS, {"product_id": "p1", "candidates": 50, "limit": 3})
    assert rows[0]["id"] == "p2"  # same category, shares color
    assert rows[0]["same_category"] and not rows[0]["same_brand"]
    assert rows[0]["shared_attributes"] == ["color"]
    assert {r["id"] for r in rows} == {"p2", "p3", "p5"}  # acme products share brand


def test_names_for_entity_linking(sample_store):
    page1 = sample_store.query(C.PRODUCT_NAMES, {"after": "", "limit": 3})
    page2 = sample_store.query(C.PRODUCT_NAMES, {"after": page1[-1]["id"], "limit": 3})
    assert [r["id"] for r in page1 + page2] == ["p1", "p2", "p3", "p4", "p5"]
    assert page1[0] == {"id": "p1", "sku": "SKU-p1", "title": "Acme Pro Headphones", "brand": "Acme"}
    assert [r["name"] for r in sample_store.query(C.BRAND_NAMES)] == ["Acme", "Zen"]
    cats = {r["id"]: r["parent_id"] for r in sample_store.query(C.CATEGORY_NAMES)}
    assert cats == {"audio": "electronics", "electronics": None, "headphones": "audio", "kitchen": None}
    aliases = {r["id"]: r["aliases"] for r in sample_store.query(C.CATEGORY_NAMES)}
    assert aliases["headphones"] == ["earbuds", "headset"] and not aliases["kitchen"], aliases


def test_passages(sample_store):
    rows = sample_store.query(C.PASSAGES_OF_OWNER, {"owner_id": "p1", "source": None, "limit": 10})
    assert [r["id"] for r in rows] == ["pa1", "pa1b"]
    assert rows[1]["text"] == 'Great "bass", ünïcode ✓\nsecond line.'
    by_vid = sample_store.query(C.PASSAGES_BY_VIDS, {"vids": [103]})
    assert by_vid[0]["id"] == "pa2" and by_vid[0]["owner_kind"] == "policy" and by_vid[0]["aliases"] == ["pa2-alias"]
    page = sample_store.query(C.PASSAGE_PAGE, {"after": 104, "limit": 2})
    assert [r["vid"] for r in page] == [105, 106]
    faqs = sample_store.query(C.FAQS_FOR_PRODUCT, {"product_id": "p1", "brand_id": None, "category_id": None})
    assert [f["id"] for f in faqs] == ["f-p1", "f-acme", "f-audio", "f-global"]


def test_changed_product_links_replace_old_ones(sample_store):
    tx = sample_store.begin()
    tx.write_rows(C.LINK_PRODUCT_BRANDS, [{"id": "p1", "brand": "zen"}])
    tx.write_rows(C.LINK_PRODUCT_CATEGORIES, [{"id": "p1", "category": "kitchen"}])
    tx.write_rows(C.LINK_CATEGORY_PARENTS, [{"id": "headphones", "parent": "electronics"}])
    moved = dict(POLICIES[3], scope="global", target=None)  # ret-acme becomes global
    tx.write_rows(C.UPSERT_POLICIES, [moved])
    sample_store.use(tx.commit())
    facts = sample_store.query(C.PRODUCT_FACTS, {"ids": ["p1"]})[0]
    assert (facts["brand_id"], facts["category_id"]) == ("zen", "kitchen")
    cats = {r["id"]: r["parent_id"] for r in sample_store.query(C.CATEGORY_NAMES)}
    assert cats["headphones"] == "electronics"
    rels = {r["type"]: r["count"] for r in sample_store.query(C.COUNT_RELATIONSHIPS_BY_TYPE)}
    assert rels["MADE_BY"] == 5 and rels["IN_CATEGORY"] == 5 and rels["APPLIES_TO"] == 4


def test_deletes_for_incremental_update_and_prune(sample_store):
    tx = sample_store.begin()
    assert tx.run(C.DELETE_PASSAGES_OF_OWNERS, {"ids": ["p1"]})[0]["vids"] in ([101, 102], [102, 101])
    tx.run(C.DELETE_ATTRIBUTES_OF_PRODUCTS, {"ids": ["p2"]})
    tx.run(C.DELETE_RELATIONS_OF_PRODUCTS, {"ids": ["p3"]})
    assert tx.run(C.DELETE_PRODUCTS, {"ids": ["p5", "nope"]}) == [{"deleted": 1}]
    assert tx.run(C.DELETE_PASSAGES, {"ids": ["pa5"]}) == [{"vids": [106]}]
    ref = tx.commit()
    sample_store.use(ref)
    nodes = {r["label"]: r["count"] for r in sample_store.query(C.COUNT_NODES_BY_LABEL)}
    assert nodes["Passage"] == 4 and nodes["Product"] == 4
    assert nodes["Attribute"] == 8 - 2 - 1  # p2's two, p5's one
    assert sample_store.query(C.PRODUCT_ACCESSORIES, {"product_id": "p1", "limit": 5}) == []
    assert sample_store.query(C.GET_STORE_VERSION)[0]["version"] == 1


def test_brand_and_relative_price_listings_on_the_sample(sample_store, falkordb_store_factory):
    """The graph's brand listing (most products first, ties by id; none for a category without
    products, nor for a store without brands) and the listing priced against a product."""
    from rag.retrieve.base import RetrievalQuery
    from rag.retrieve.graph import GraphRetriever
    from rag.understand.types import GraphQuery

    graph = GraphRetriever(sample_store)

    def texts(*queries: GraphQuery) -> list[str]:
        return [e.text for e in graph.run(RetrievalQuery(text="q", graph_queries=list(queries))).evidence]

    assert texts(GraphQuery(kind="brands", category_ids=["electronics"])) == [
        "We carry 2 brands in Electronics: Acme and Zen."]
    assert texts(GraphQuery(kind="brands", category_ids=["kitchen"])) == ["We carry 1 brand in Kitchen: Acme."]
    assert texts(GraphQuery(kind="brands")) == ["We carry 2 brands: Acme and Zen."]
    assert texts(GraphQuery(kind="brands", category_ids=["no-such-category"])) == []
    above = texts(GraphQuery(kind="category_products", category_ids=["headphones"], compared_with="p2",
                             price_relation="above", summarize=True))
    assert above[0].startswith("Headphones (earbuds, headset) more expensive than Zen Headphones ($59.50), "
                               "closest in price first: (1) Acme Pro Headphones (p1) at $99.00"), above
    assert texts(GraphQuery(kind="category_products", category_ids=["headphones"], compared_with="p2",
                            price_relation="below", summarize=True)) == [
        "No headphones cheaper than Zen Headphones ($59.50)."]
    assert texts(GraphQuery(kind="brands"), GraphQuery(kind="category_products", category_ids=["kitchen"],
                                                        compared_with="p5", price_relation="below")) == [
        "We carry 2 brands: Acme and Zen.", "No kitchen products cheaper than Acme Kettle ($30.00)."]
    empty = falkordb_store_factory()
    assert GraphRetriever(empty).run(RetrievalQuery(text="q", graph_queries=[GraphQuery(kind="brands")])).evidence == []
