"""The demo store: deterministic, consistent, realistic, and with policies whose facts differ by
scope so precedence can be checked (a product reaches its brand's and category's policies)."""

from __future__ import annotations

from collections import Counter

import pytest

from ingest.demo import POLICY_FACTS, generate_demo_store
from ingest.models import SCOPE_PRECEDENCE, Catalog, PolicyKind, Product, RelationKind, Scope
from ingest.validation import validate_catalog


@pytest.fixture(scope="module")
def demo() -> Catalog:
    return generate_demo_store(products=1000, seed=0)


def test_same_seed_is_byte_identical(demo):
    again = generate_demo_store(products=1000, seed=0)
    assert again.model_dump_json() == demo.model_dump_json()
    other = generate_demo_store(products=1000, seed=1)
    assert other.model_dump_json() != demo.model_dump_json()


def test_counts_and_consistency(demo):
    counts = demo.counts()
    assert counts["products"] == 1000
    assert counts["brands"] == 40
    assert 10 <= counts["categories"] <= 20
    assert counts["attribute_facts"] >= 4 * 1000
    assert validate_catalog(demo, "<demo>") == []
    assert len({p.id for p in demo.products}) == 1000
    assert len({p.sku for p in demo.products}) == 1000
    # the hierarchy has depth: Home > Kitchen > Coffee Makers
    parents = {c.id: c.parent for c in demo.categories}
    assert parents["coffee-makers"] == "kitchen" and parents["kitchen"] == "home" and parents["home"] is None
    leaves = {c.id for c in demo.categories} - set(parents.values())
    assert {p.category for p in demo.products} == leaves  # every leaf has products, only leaves do


def test_products_look_real(demo):
    units = Counter(a.unit for p in demo.products for a in p.attributes if a.unit)
    for unit in ("h", "g", "kg", "L", "W", "mAh", "in", "GB"):
        assert units[unit] > 0, unit
    rel = Counter(r.kind for p in demo.products for r in p.relations)
    assert all(rel[k] > 20 for k in RelationKind), rel
    avail = Counter(p.availability.value for p in demo.products)
    assert avail["in_stock"] > 600 and avail["out_of_stock"] > 0
    for p in demo.products[:50]:
        assert p.price and p.price > 0 and p.currency == "USD" and p.brand and p.sku
        assert p.description.count(".") >= 2  # a few sentences ...
        numbers = [v for a in p.attributes for v in a.values if v[0].isdigit()]
        assert any(n in p.description for n in numbers)  # ... that mention its attributes
    products = {p.id: p for p in demo.products}
    # cases are accessories for phones; chargers are compatible with products on the same port
    for p in demo.products:
        for r in p.relations:
            target = products[r.target]
            if p.category == "phone-cases" and r.kind == RelationKind.accessory_for:
                assert target.category == "phones"
            if p.category == "chargers-cables" and target.category == "phones":
                port = {a.key: a.values[0] for a in target.attributes}["charging_port"]
                assert port == {a.key: a.values[0] for a in p.attributes}["connector"]
            if r.kind == RelationKind.variant_of:
                assert (target.brand, target.category) == (p.brand, p.category)


def applicable(catalog: Catalog, product: Product, kind: PolicyKind):
    """The policy of `kind` that governs `product`: product > brand > category (nearest
    ancestor first) > global. Mirrors the precedence the answer path must apply."""
    parents = {c.id: c.parent for c in catalog.categories}
    chain, node = [], product.category
    while node is not None:
        chain.append(node)
        node = parents[node]
    best, best_rank = None, None
    for pol in catalog.policies:
        if pol.kind != kind:
            continue
        if pol.scope == Scope.global_:
            rank = (SCOPE_PRECEDENCE[pol.scope], 0)
        elif pol.scope == Scope.product and pol.target == product.id:
            rank = (SCOPE_PRECEDENCE[pol.scope], 0)
        elif pol.scope == Scope.brand and pol.target == product.brand:
            rank = (SCOPE_PRECEDENCE[pol.scope], 0)
        elif pol.scope == Scope.category and pol.target in chain:
            rank = (SCOPE_PRECEDENCE[pol.scope], -chain.index(pol.target))
        else:
            continue
        if best_rank is None or rank > best_rank:
            best, best_rank = pol, rank
    return best


def fact(kind: str, scope: str, target: str | None) -> str:
    return POLICY_FACTS[(kind, scope, target)]


def test_policies_cover_every_kind_and_state_their_facts(demo):
    global_kinds = {p.kind for p in demo.policies if p.scope == Scope.global_}
    assert global_kinds == {PolicyKind.returns, PolicyKind.warranty, PolicyKind.shipping,
                            PolicyKind.payment, PolicyKind.privacy}
    scopes = Counter(p.scope for p in demo.policies)
    assert scopes[Scope.brand] >= 3 and scopes[Scope.category] >= 3 and scopes[Scope.product] == 2
    by_key = {(p.kind.value, p.scope.value, p.target): p for p in demo.policies}
    assert set(by_key) == set(POLICY_FACTS)
    for key, statement in POLICY_FACTS.items():
        assert statement in by_key[key].body, key
    # the same kind states different facts at different levels
    returns = {POLICY_FACTS[k] for k in POLICY_FACTS if k[0] == "returns"}
    assert len(returns) == 5


def test_products_reach_brand_and_category_policies(demo):
    products = demo.products
    northpeak = next(p for p in products if p.brand == "northpeak" and p.id != "p000001")
    assert fact("returns", "brand", "northpeak") in applicable(demo, northpeak, PolicyKind.returns).body
    # a laptop of a brand without its own policy: the laptop returns, the electronics warranty
    laptop = next(p for p in products if p.category == "laptops" and p.brand != "orbis" and p.id != "p000001")
    assert fact("returns", "category", "laptops") in applicable(demo, laptop, PolicyKind.returns).body
    assert fact("warranty", "category", "electronics") in applicable(demo, laptop, PolicyKind.warranty).body
    assert fact("payment", "category", "laptops") in applicable(demo, laptop, PolicyKind.payment).body
    # the brand overrides the category
    orbis = next(p for p in products if p.brand == "orbis")
    assert fact("warranty", "brand", "orbis") in applicable(demo, orbis, PolicyKind.warranty).body
    # product-scoped overrides win over everything
    assert fact("warranty", "product", "p000000") in applicable(demo, products[0], PolicyKind.warranty).body
    assert fact("returns", "product", "p000001") in applicable(demo, products[1], PolicyKind.returns).body
    # outdoor gear: global returns, outdoor shipping
    tent = next(p for p in products if p.category == "tents" and p.brand != "northpeak")
    assert fact("returns", "global", None) in applicable(demo, tent, PolicyKind.returns).body
    assert fact("shipping", "category", "outdoor") in applicable(demo, tent, PolicyKind.shipping).body


def test_faqs_global_and_scoped(demo):
    scopes = Counter(f.scope for f in demo.faqs)
    assert scopes[Scope.global_] >= 3 and scopes[Scope.brand] >= 2 and scopes[Scope.category] >= 2
    assert scopes[Scope.product] >= 1


@pytest.mark.parametrize("n", [0, 1, 2, 30])
def test_small_stores_stay_consistent(n):
    c = generate_demo_store(products=n, seed=7)
    assert len(c.products) == n
    assert validate_catalog(c) == []


def test_negative_size_rejected():
    with pytest.raises(ValueError, match="products must be >= 0"):
        generate_demo_store(products=-1)


def test_documents_of_kind_other_may_share_a_scope():
    """Precedence needs one policy per kind and scope; documents of kind "other" are each about
    their own topic ("Store hours", "Gift wrapping"), so a store may have several."""
    from ingest.models import Policy

    c = generate_demo_store(products=2, seed=7)
    other = [Policy(id=f"doc-{i}", kind="other", title=t, body=f"{t}: ...", scope="global")
             for i, t in enumerate(["Store hours", "Gift wrapping"])]
    returns = Policy(id="returns-second", kind="returns", title="Returns", body="30 days.", scope="global")
    assert validate_catalog(c.model_copy(update={"policies": [*c.policies, *other]})) == []
    (error,) = validate_catalog(c.model_copy(update={"policies": [*c.policies, returns]}))
    assert "a second 'returns' policy for scope global" in str(error)
