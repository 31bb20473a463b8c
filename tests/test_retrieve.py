"""Retrieval: field parsing, BM25, fusion (pure units), then the graph, dense and hybrid
retrievers on the real ingested demo store (FalkorDB + FAISS + MiniLM, `ingested_demo`)."""

from __future__ import annotations

import numpy as np
import pytest

from rag.retrieve.base import RetrievalQuery
from rag.retrieve.fields import fields, readable, stem
from rag.retrieve.fusion import FusionConfig, rrf
from rag.retrieve.hybrid import as_ranked
from rag.retrieve.lexical import BM25Index, LexDoc, tokenize
from rag.retrieve.rerank import FeatureReranker
from rag.types import Evidence
from rag.understand.types import GraphQuery, PassageQuery, RetrievalPlan

# -- fields -------------------------------------------------------------------------------------


def test_attribute_snippets_read_as_words():
    f = fields("item_weight:  { unit:kilograms, normalized_value:{ unit:pounds, value:7.58 }, value:3.44 }", "attribute")
    assert (f.key, f.body) == ("item weight", "3.44 kilograms")
    assert readable('color:  { standardized_values:[ "blue" ], value:"blue" }', "attribute") == "color: blue"
    assert readable("Weight: 3.4 kg", "attribute") == "weight: 3.4 kg"


def test_cqa_snippets_split_answer_and_question():
    f = fields("yes it fits the 2019 model. Question: will this fit a 2019 civic? ", "cqa")
    assert f.body == "yes it fits the 2019 model."
    assert f.question == "will this fit a 2019 civic?"
    assert fields("plain review text", "review").question == ""


def test_stem_matches_question_words_to_keys():
    assert stem("weighs") == stem("weight") == stem("weigh")
    assert stem("batteries") == stem("battery")


# -- BM25 ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_bm25():
    docs = [
        LexDoc("a", "The battery lasts ten hours on one charge", "review", "p1"),
        LexDoc("b", "Great sound, the battery is fine", "review", "p2"),
        LexDoc("c", "fits my frs20-qrb refrigerator", "cqa", "p1"),
        LexDoc("d", "item_weight:  { unit:pounds, value:3 }", "attribute", "p1", kind="graph_fact"),
    ]
    return BM25Index(docs)


def test_bm25_scoped_search_stays_in_scope(small_bm25):
    hits = small_bm25.search("battery", k=5, owner_ids=["p2"])
    assert [d.key for d, _ in hits] == ["b"]
    assert {d.key for d, _ in small_bm25.search("battery", k=5)} == {"a", "b"}


def test_bm25_matches_model_numbers_and_attribute_keys(small_bm25):
    assert "frs20" in tokenize("my model is FRS20-QRB")
    assert small_bm25.search("does it fit frs20-qrb", k=1)[0][0].key == "c"
    assert small_bm25.search("how much does it weigh", k=1)[0][0].key == "d"


def test_bm25_scores_outside_texts_on_the_index_scale(small_bm25):
    q = "how long does the battery last"
    inside = small_bm25.score_keys(q, ["a", "b", "zzz"])
    outside = small_bm25.score_texts(q, [small_bm25.docs[0].text, small_bm25.docs[1].text])
    assert inside[2] == -1.0
    np.testing.assert_allclose(inside[:2], outside, rtol=1e-4)


# -- fusion -------------------------------------------------------------------------------------


def _ev(id_, source="review", kind="passage", aliases=()):
    return Evidence(id=id_, text=f"text {id_}", kind=kind, source=source, aliases=list(aliases))


def test_rrf_merges_lists_and_aliases():
    fused = rrf({
        "dense": [_ev("x"), _ev("y")],
        "bm25": [_ev("y2", aliases=["y"]), _ev("z")],
    }, FusionConfig(priors={}))
    ids = [e.id for e in fused]
    assert ids[0] == "y"  # found by both
    assert fused[0].retriever == "dense+bm25"
    assert set(ids) == {"x", "y", "z"}


def test_rrf_weights_and_priors_order_ties():
    cfg = FusionConfig(weights={"graph": 2.0, "dense": 1.0}, priors={"policy": 0.01})
    fused = rrf({"dense": [_ev("d")], "graph": [_ev("g", source="attribute", kind="graph_fact")]}, cfg)
    assert fused[0].id == "g"
    fused = rrf({"dense": [_ev("d"), _ev("p", source="policy")]}, cfg)
    assert fused[0].id == "p"


def test_reranker_prefers_matching_community_answer_over_review():
    rr = FeatureReranker()
    cands = [_ev("r", "review"), Evidence(id="c", kind="passage", source="cqa",
                                          text="yes, it does. Question: is it waterproof?")]
    out = rr.rerank("is this jacket waterproof?", cands, dense=np.array([0.5, 0.5]), bm25=np.array([0.0, 2.0]))
    assert out[0].id == "c"


def test_attribute_facts_are_reranked_by_key_and_value_not_by_their_title():
    """The reranker's weights were fitted on "key: value" attribute snippets. A graph attribute
    fact reads "<title>: <key>: <value>."; read whole, its product's title would be taken for
    the key and its words for words the fact shares with the question (as_ranked)."""
    fact = Evidence(id="p1#attr:weight", kind="graph_fact", source="attribute", owner_id="p1",
                    text="Trail Lite 2 Tent, Green: weight: 2.1 kg.")
    assert as_ranked(fact).text == "weight: 2.1 kg." and as_ranked(fact).id == fact.id
    review = _ev("r", "review")
    assert as_ranked(review) is review
    question = "what is the weight of the tent?"
    whole, ranked = (FeatureReranker().features(question, [e], np.zeros(1), np.zeros(1)) for e in (fact, as_ranked(fact)))
    assert ranked.key[0] == 1.0 and whole.key[0] < 0.5  # "weight" is the key, not "trail lite 2 tent green"


# -- on the ingested demo store -------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_parts(retrieval_parts):
    return retrieval_parts


def _product(catalog, exclude=(), **want):
    for p in catalog.products:
        if p.id not in exclude and all(getattr(p, k) == v for k, v in want.items()):
            return p
    raise AssertionError(f"the demo store fixture has no product with {want}")


def _policy_query(product_id, kind):
    return RetrievalQuery(text=f"what is the {kind} policy", product_ids=[product_id],
                          graph_queries=[GraphQuery(kind="policy", product_ids=[product_id], policy_kind=kind)])


@pytest.mark.parametrize("want, kind, expected", [
    ({"id": "p000001"}, "returns", "returns-p000001"),          # product beats everything
    ({"id": "p000000"}, "warranty", "warranty-p000000"),
    ({"brand": "orbis", "category": "laptops"}, "warranty", "warranty-orbis"),  # brand > category
    ({"category": "laptops"}, "returns", None),                # category > global (checked below)
    ({"brand": "northpeak"}, "returns", "returns-northpeak"),
    ({"category": "coffee-makers"}, "warranty", None),
])
def test_policy_precedence(demo_parts, demo_catalog, want, kind, expected):
    if expected is None:  # the nearest category's policy (no brand or product policy of that kind)
        p = _product(demo_catalog, exclude=("p000000", "p000001"), **want)
        expected = {"laptops": "returns-laptops", "coffee-makers": "warranty-coffee-makers"}[p.category]
        if p.brand in ("orbis", "northpeak"):
            expected = {"orbis": {"warranty": "warranty-orbis"}, "northpeak": {"returns": "returns-northpeak"}}[p.brand].get(kind, expected)
    else:
        p = _product(demo_catalog, **want)
    res = demo_parts["graph"].run(_policy_query(p.id, kind))
    assert [e.doc_id for e in res.evidence] == [expected]
    assert res.evidence[0].source == "policy" and res.evidence[0].doc_version is not None
    lost = {o.policy.doc_id for o in res.overridden}
    assert f"{kind}-global" in lost and expected not in lost
    assert all(o.by == expected for o in res.overridden)


def test_global_policy_without_product(demo_parts):
    q = RetrievalQuery(text="how does shipping work", graph_queries=[GraphQuery(kind="policy", policy_kind="shipping")])
    res = demo_parts["graph"].run(q)
    assert [e.doc_id for e in res.evidence] == ["shipping-global"]


def test_product_facts_are_citable(demo_parts, demo_catalog):
    p = demo_catalog.products[3]
    ev = demo_parts["graph"].product_facts([p.id])
    by_id = {e.id: e for e in ev}
    assert f"{p.id}#price" in by_id and f"{p.price:,.2f}" in by_id[f"{p.id}#price"].text
    assert f"{p.id}#availability" in by_id
    for a in p.attributes:
        fact = by_id[f"{p.id}#attr:{a.key}"]
        assert fact.kind == "graph_fact" and fact.source == "attribute"
        assert a.values[0] in fact.text


def test_compatibility_and_similar(demo_parts, demo_catalog):
    case = next(p for p in demo_catalog.products if p.relations and p.category == "phone-cases")
    phone = case.relations[0].target
    q = RetrievalQuery(text="does this case fit", product_ids=[case.id, phone],
                       graph_queries=[GraphQuery(kind="compatibility", product_ids=[case.id, phone])])
    ev = demo_parts["graph"].retrieve(q)
    assert ev[0].source == "accessory" and phone in ev[0].text
    sim = demo_parts["graph"].retrieve(RetrievalQuery(
        text="something similar", graph_queries=[GraphQuery(kind="similar", product_ids=[case.id], k=3)]))
    assert 0 < len(sim) <= 3 and all(e.source == "similar" for e in sim)


def test_compatibility_of_a_kind_for_an_unknown_product_is_empty(demo_parts):
    """A kind asked for a product id the graph lacks reads no values to match: nothing, no error."""
    ev = demo_parts["graph"].retrieve(RetrievalQuery(text="what chargers work with it", graph_queries=[GraphQuery(
        kind="compatibility", product_ids=["p999999"], category_ids=["chargers-cables"])]))
    assert not [e for e in ev if e.source in ("accessory", "compatibility")]


def test_comparison_side_by_side(demo_parts, demo_catalog):
    laptops = [p.id for p in demo_catalog.products if p.category == "laptops"][:2]
    ev = demo_parts["graph"].retrieve(RetrievalQuery(
        text="compare", graph_queries=[GraphQuery(kind="comparison", product_ids=laptops)]))
    side = [e for e in ev if e.source == "comparison"]
    assert side and all(laptops[0] in e.id and laptops[1] in e.id for e in side)


def test_category_listing_honours_price_bounds_order_and_brand(demo_parts, demo_catalog):
    """"Tents under $X, cheapest first" and "Northpeak tents" are answered in the graph: only
    products inside the bounds, cheapest first, of the brand asked for, with a summary fact
    first that names the constraint."""
    tents = sorted((p for p in demo_catalog.products if p.category == "tents" and p.price is not None),
                   key=lambda p: (p.price, p.id))
    cap = tents[len(tents) // 2].price
    graph = demo_parts["graph"]
    ev = graph.retrieve(RetrievalQuery(text="cheap tents", graph_queries=[GraphQuery(
        kind="category_products", category_ids=["tents"], max_price=cap, price_order="asc", k=50)]))
    summary, rows = ev[0], ev[1:]
    assert summary.source == "listing" and "cheapest first" in summary.text and f"${cap:,.2f} or less" in summary.text
    assert [e.owner_id for e in rows] == [p.id for p in tents if p.price <= cap]
    assert tents[0].id in summary.text
    dearest = graph.retrieve(RetrievalQuery(text="x", graph_queries=[GraphQuery(
        kind="category_products", category_ids=["tents"], price_order="desc", k=1)]))
    assert dearest[1].owner_id == min(tents, key=lambda p: (-p.price, p.id)).id
    brand = tents[0].brand
    mine = graph.retrieve(RetrievalQuery(text="x", graph_queries=[GraphQuery(
        kind="category_products", category_ids=["tents"], brand_ids=[brand], k=50)]))
    assert [e.owner_id for e in mine] == sorted(p.id for p in demo_catalog.products
                                                if p.category == "tents" and p.brand == brand)
    assert all(e.source == "product" for e in mine)  # no constraint: no summary


def test_category_listing_honours_an_attribute_constraint(demo_parts, demo_catalog):
    """"A tent for 4 people under $X": only tents that sleep 4 or more, inside the price bound,
    each with its capacity; "a tent for 12 people": a fact that says there is none; a value
    written out ("4-season") is matched as it is stored."""
    def value(p, key):
        return next(a.values[0] for a in p.attributes if a.key == key)

    tents = [p for p in demo_catalog.products if p.category == "tents" and p.price is not None]
    cap = sorted(p.price for p in tents)[len(tents) // 2]
    graph = demo_parts["graph"]
    listing = [GraphQuery(kind="category_products", category_ids=["tents"], max_price=cap, k=50)]
    ev = graph.retrieve(RetrievalQuery(text="a tent for 4 people", graph_queries=listing))
    summary, rows = ev[0], ev[1:]
    assert summary.source == "listing" and "(capacity: 4 persons or more)" in summary.text, summary.text
    want = sorted(p.id for p in tents if float(str(value(p, "capacity")).split()[0]) >= 4 and p.price <= cap)
    assert want and sorted(e.owner_id for e in rows) == want
    assert all("; capacity: " in e.text for e in rows), rows[0].text
    sizes = [int(e.text.rsplit("; capacity: ", 1)[1].split()[0]) for e in rows]
    assert sizes == sorted(sizes), sizes  # the closest to what was asked first
    (none,) = graph.retrieve(RetrievalQuery(text="a tent for 12 people", graph_queries=listing))
    assert none.text.startswith("No tents (capacity: 12 persons or more)"), none.text
    season = graph.retrieve(RetrievalQuery(text="any 4-season tents?", graph_queries=listing))
    assert sorted(e.owner_id for e in season[1:]) == sorted(
        p.id for p in tents if value(p, "season") == "4-season" and p.price <= cap)


def test_a_listing_compared_with_a_product_is_bounded_by_its_own_values(demo_parts, demo_catalog):
    """"Something lighter?" about a laptop listed every laptop's weight, or nothing: it lists the
    laptops lighter than that one, with their weights; "more storage for the same price?" those
    with more storage at its price or less, or says there is none; "anything cheaper?" about
    the cheapest says there is none."""
    def number(p, key):
        return next(float(str(a.values[0]).split()[0]) for a in p.attributes if a.key == key)

    laptops = [p for p in demo_catalog.products if p.category == "laptops" and p.price is not None]
    x = sorted(laptops, key=lambda p: number(p, "weight"))[len(laptops) // 2]
    graph = demo_parts["graph"]

    def listing(text, relation=None):
        return graph.retrieve(RetrievalQuery(text=text, graph_queries=[GraphQuery(
            kind="category_products", category_ids=["laptops"], compared_with=x.id, price_relation=relation,
            k=100, summarize=True)]))

    ev = listing("something lighter?")
    title = x.title
    assert ev[0].text.startswith(f"Laptops lighter than {title} ("), ev[0].text
    assert sorted(e.owner_id for e in ev[1:]) == sorted(p.id for p in laptops if number(p, "weight") < number(x, "weight"))
    ev = listing("is there anything with more storage for the same price?", "same")
    want = sorted(p.id for p in laptops if number(p, "storage") > number(x, "storage") and p.price <= x.price)
    head = ev[0].text
    assert ("with more storage than " + title) in head and "at its price (" in head, head
    assert sorted(e.owner_id for e in ev[1:]) == want
    cheapest = min(laptops, key=lambda p: p.price)
    (none,) = graph.retrieve(RetrievalQuery(text="anything cheaper?", graph_queries=[GraphQuery(
        kind="category_products", category_ids=["laptops"], compared_with=cheapest.id, price_relation="below")]))
    assert none.text.startswith(f"No laptops cheaper than {cheapest.title} ("), none.text
    assert "closest" not in none.text
    # nothing the message compares that the product has: no listing
    assert listing("something with more pixels?") == []


def test_a_feature_with_no_category_is_searched_in_every_category(demo_parts, demo_catalog):
    """"Do you have anything waterproof?" names no category: the categories whose products
    have a waterproof attribute (a yes first), one product of each in a first fact, then their
    listings; a feature of one category is its listing alone; a feature no category has, nothing."""
    graph = demo_parts["graph"]

    def search(text):
        return graph.retrieve(RetrievalQuery(text=text, graph_queries=[GraphQuery(kind="feature_search", k=3)]))

    ev = search("do you have anything waterproof?")
    assert ev[0].text.startswith("By category: Backpacks (waterproof: yes): "), ev[0].text
    assert "Tents (waterproof rating)" in ev[0].text
    backpacks = {p.id for p in demo_catalog.products if p.category == "backpacks"
                 and any(a.key == "waterproof" and a.values[0] == "yes" for a in p.attributes)}
    assert ev[1].id.startswith("backpacks~listing~") and ev[1].text.split("(p", 2)[1][:6] in {i[1:] for i in backpacks}
    (gps,) = search("anything with GPS?")[:1]
    assert gps.text.startswith("Smartwatches (sensors: gps): "), gps.text
    assert search("anything made of unobtainium?") == []


def test_similar_products_leave_out_the_products_own_variants(demo_parts, demo_catalog):
    base, variant = next((p.relations[0].target, p.id) for p in demo_catalog.products
                         if p.relations and p.relations[0].kind == "variant_of")
    family = {base, variant} | {p.id for p in demo_catalog.products
                                if any(r.kind == "variant_of" and r.target == base for r in p.relations)}
    ev = demo_parts["graph"].retrieve(RetrievalQuery(text="x", graph_queries=[
        GraphQuery(kind="similar", product_ids=[variant], k=5)]))
    assert len(ev) == 5 and not {e.owner_id for e in ev} & family, [e.id for e in ev]


def test_dense_scoped_to_owner(demo_parts, demo_catalog):
    p = demo_catalog.products[5]
    ev = demo_parts["dense"].retrieve(RetrievalQuery(text="tell me about it", owner_ids=[p.id], k=5))
    assert ev and all(e.owner_id == p.id for e in ev)


def test_hybrid_finds_policy_passage_unscoped(demo_parts):
    q = RetrievalQuery(text="can I pay for a laptop in monthly installments?", k=5)
    res = demo_parts["hybrid"].retrieve(q)
    assert any(e.doc_id == "payment-laptops" for e in res.evidence[:3])
    assert set(res.by_retriever) == {"dense", "bm25"}
    assert {"dense", "bm25", "fuse", "rerank"} <= set(res.timings_ms)


def test_a_passage_of_a_document_for_some_products_says_whom_it_is_for(demo_parts, demo_catalog):
    """One product's "What is in the box?" FAQ and final-sale policy, found by passage search,
    carry whom they are for (`applies_to`), as the graph's facts of them do; the store-wide ones
    carry nothing. Quoted alone they read as the store's answer for everything."""
    by_id = {p.id: p for p in demo_catalog.products}
    res = demo_parts["hybrid"].retrieve(RetrievalQuery(text="what's in the box?", k=8))
    box = next(e for e in res.evidence if e.doc_id == "faq-p000000-box")
    assert box.kind == "passage" and box.applies_to == by_id["p000000"].title, box
    res = demo_parts["hybrid"].retrieve(RetrievalQuery(text="is anything sold as final sale?", k=8))
    final = next(e for e in res.evidence if e.doc_id == "returns-p000001")
    assert final.applies_to == by_id["p000001"].title, final
    assert all(not e.applies_to for e in res.evidence if e.doc_id in ("returns-global", "faq-price-match"))


def test_whom_scoped_documents_are_for_is_built_once_per_store_version(demo_parts):
    """Asked on every policy question: with cached reads it is built once per published
    version, and a new version (a merchandiser replaced a policy) builds it again."""
    from rag.retrieve.graph import GraphRetriever, ReadCache

    version = [1]
    graph = GraphRetriever(demo_parts["store"], cache=ReadCache(lambda: version[0]))
    first = graph.scoped_documents()
    assert first and graph.scoped_documents() is first
    version[0] = 2
    again = graph.scoped_documents()
    assert again is not first and again == first


def test_hybrid_plan_facts_first_then_reranked(demo_parts, demo_catalog):
    p = demo_catalog.products[2]
    plan = RetrievalPlan(intent="availability_price", graph_queries=[GraphQuery(kind="product_facts", product_ids=[p.id])],
                         passages=PassageQuery(owner_ids=[p.id], k=4))
    q = RetrievalQuery.from_plan("how much is it and is it in stock?", plan)
    res = demo_parts["hybrid"].retrieve(q)
    assert res.evidence[0].id in (f"{p.id}#price", f"{p.id}#availability")
    assert all(e.owner_id == p.id for e in res.evidence)


def test_hybrid_reranks_attribute_facts_without_their_title(demo_parts, demo_catalog, monkeypatch):
    p = demo_catalog.products[2]
    hybrid = demo_parts["hybrid"]
    seen: list[Evidence] = []
    scores = hybrid.reranker.scores

    def spy(question, candidates, *args, **kwargs):
        seen.extend(candidates)
        return scores(question, candidates, *args, **kwargs)

    monkeypatch.setattr(hybrid.reranker, "scores", spy)
    plan = RetrievalPlan(intent="product_info", graph_queries=[GraphQuery(kind="product_facts", product_ids=[p.id])],
                         passages=PassageQuery(owner_ids=[p.id], k=4))
    res = hybrid.retrieve(RetrievalQuery.from_plan("what does it weigh?", plan))
    attributes = [e for e in seen if e.source == "attribute"]
    assert attributes and not any(p.title in e.text for e in attributes)
    assert all(e.text.startswith(p.title) for e in res.evidence if e.source == "attribute")  # cited whole


def test_facts_the_question_names_come_first():
    """A charger's compatibility links fill the list before its attributes; "what connector"
    names the connector attribute, which moves to the front (rows keep their order otherwise)."""
    from rag.retrieve.hybrid import named_facts_first
    from rag.types import Evidence

    links = [Evidence(id=f"c~compatible_with~p{i}", kind="graph_fact", source="compatibility", retriever="graph",
                      text=f"Charger is compatible with Phone {i}.") for i in range(5)]
    connector = Evidence(id="c#attr:connector", kind="graph_fact", source="attribute", retriever="graph+bm25",
                         text="Charger: connector: USB-C.")
    color = Evidence(id="c#attr:color", kind="graph_fact", source="attribute", retriever="graph", text="Charger: color: white.")
    # found by a catalog-wide search, not read for the product in focus: keeps its place
    other = Evidence(id="d#attr:connector", kind="graph_fact", source="attribute", retriever="bm25",
                     text="Cable: connector: Lightning.")
    items = [*links, color, other, connector]
    assert [e.id for e in named_facts_first("What connector does the Charger use?", items)] == [
        connector.id, *(e.id for e in links), color.id, other.id]
    assert named_facts_first("Is the Charger any good?", items) == items
    # a value named ("USB-C") finds its attribute too; the product's own name finds nothing
    assert named_facts_first("Does the Charger take USB-C?", items)[0] is connector
    assert named_facts_first("Tell me about the Charger", items) == items


def test_variants_text_names_what_tells_the_variants_apart():
    from rag.retrieve.graph import variants_text

    def row(pid, title, price, **attrs):
        return {"id": pid, "title": title, "price": price, "currency": "USD", "availability": "in_stock",
                "attributes": [{"key": k, "value": v, "unit": None} for k, v in attrs.items()]}

    colours = [row("p1", "Halo 150 Headphones, Black", 80.0, color="black", weight="4 g"),
               row("p2", "Halo 150 Headphones, Navy Blue", 90.0, color="navy blue", weight="4 g")]
    assert variants_text(colours) == ("Halo 150 Headphones comes in 2 colors: black (p1, $80.00, in stock) "
                                      "and navy blue (p2, $90.00, in stock).")
    sizes = [row("t1", "Dome Tent 2P", 100.0, capacity="2 persons", color="green"),
             row("t2", "Dome Tent 3P", 150.0, capacity="3 persons", color="orange")]
    assert variants_text(sizes).startswith("Dome Tent comes in 2 variants: capacity 2 persons, color green (t1, $100.00")


def test_counts_are_said_with_thousands_separators():
    """"We have 7974 tents" (the category's count) and "We have 4,080 tents (season: 4-season)"
    (a narrowed listing's) were said two ways at 100k products."""
    from rag.retrieve.graph import COUNT_LIMIT, count_said

    assert count_said(7974) == "7,974" and count_said(64) == "64"
    assert count_said(COUNT_LIMIT, capped=True) == f"over {COUNT_LIMIT:,}"
    assert count_said(COUNT_LIMIT + 5) == f"{COUNT_LIMIT + 5:,}"
