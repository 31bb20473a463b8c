"""Catalog readers on the sample files in tests/data: every format, name resolution, and bad
input rejected with errors that name file, line and field (raise and report modes)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from ingest.models import Availability, Scope
from ingest.readers import load_catalog
from ingest.validation import CatalogValidationError, render_errors, validate_catalog, write_error_report

DATA = Path(__file__).parent / "data"
GOOD = DATA / "catalog_good"
BAD = DATA / "catalog_bad"


@pytest.fixture(scope="module")
def good():
    return load_catalog(GOOD)


@pytest.fixture(scope="module")
def bad_report():
    return load_catalog(BAD, on_error="report")


def by_id(items):
    return {getattr(i, "id", None) or i.key: i for i in items}


def test_good_folder_mixes_every_format(good):
    c = good.catalog
    assert good.errors == []
    assert {p.name for p in good.files} == {
        "brands.jsonl", "categories.jsonl", "products.csv", "extras.jsonl",
        "returns-global.md", "returns-phones.html", "warranty-acme.md", "faq-chargers.md",
    }
    assert c.counts() | {} == {
        "brands": 3, "categories": 6, "products": 5, "attribute_facts": 13, "relations": 5,
        "policies": 3, "faqs": 3, "passages": 1, "omitted": 0,
    }
    assert validate_catalog(c) == []


def test_csv_columns(good):
    products = by_id(good.catalog.products)
    ph1, ph2, ch1 = products["ph-1"], products["ph-2"], products["ch-1"]
    attrs = {a.key: a for a in ph1.attributes}
    assert attrs["color"].values == ["black", "blue"]  # `|` separates values
    assert attrs["weight"].values == ["180"] and attrs["weight"].unit == "g"  # attr:weight[g]
    assert attrs["connectivity"].values == ["USB-C", "Bluetooth 5.3"]
    assert ph1.price == 499.0 and ph1.currency == "USD" and ph1.availability == Availability.in_stock
    assert products["kt-1"].availability == Availability.out_of_stock  # "out-of-stock" normalised
    assert [(r.kind.value, r.target) for r in ph2.relations] == [("variant_of", "ph-1")]
    assert [(r.kind.value, r.target) for r in ch1.relations] == [
        ("compatible_with", "ph-1"), ("compatible_with", "ph-2"), ("accessory_for", "ph-1")]


def test_names_resolve_to_defined_or_created_ids(good):
    c = good.catalog
    products = by_id(c.products)
    # "Volta" matches the defined brand by name; "Brewster" creates brand `brewster`.
    assert products["ch-1"].brand == "volta"
    assert products["kt-1"].brand == "brewster"
    assert by_id(c.brands)["brewster"].name == "Brewster"
    # "Electronics > Chargers" walks the defined hierarchy; "Home > Kitchen" creates both levels.
    assert products["ch-1"].category == "chargers"
    cats = by_id(c.categories)
    assert products["kt-1"].category == "kitchen" and cats["kitchen"].parent == "home"
    assert cats["home"].parent is None
    # JSONL uses the same rule: "Electronics > Phone Cases" creates phone-cases under electronics.
    assert products["case-1"].category == "phone-cases" and cats["phone-cases"].parent == "electronics"


def test_jsonl_short_forms(good):
    case = by_id(good.catalog.products)["case-1"]
    attrs = {a.key: a for a in case.attributes}
    assert attrs["drop_protection"].values == ["1.8"] and attrs["drop_protection"].unit == "m"
    assert attrs["material"].values == ["TPU"]
    assert [(r.kind.value, r.target) for r in case.relations] == [("accessory_for", "ph-1")]


def test_policy_documents(good):
    policies = by_id(good.catalog.policies)
    g = policies["returns-global"]
    assert (g.kind.value, g.scope, g.version, str(g.effective_date)) == ("returns", Scope.global_, 2, "2025-03-01")
    assert g.title == "Returns" and "**30-day returns**" in g.body
    html = policies["returns-phones"]
    assert (html.scope, html.target, html.title) == (Scope.category, "phones", "Phone returns")
    assert "**14-day returns**" in html.body and "- Include all accessories." in html.body
    for leaked in ("alert(1)", "color: red", "ignored", "<p>", "<strong>"):
        assert leaked not in html.body
    # id from the file name, title from the first heading
    acme = policies["warranty-acme"]
    assert (acme.kind.value, acme.scope, acme.target, acme.title) == ("warranty", Scope.brand, "acme", "Acme warranty")
    faq = by_id(good.catalog.faqs)["faq-chargers-cable"]
    assert faq.question == "Do chargers come with a cable?" and faq.answer.startswith("Yes, every charger")
    assert (faq.scope, faq.target) == (Scope.category, "chargers")


def test_single_files(tmp_path):
    md = tmp_path / "privacy.md"
    md.write_text("---\nkind: privacy\ntitle: Privacy\n---\nWe never sell your data.\n", encoding="utf-8")
    assert [p.id for p in load_catalog(md).catalog.policies] == ["privacy"]
    csv_file = tmp_path / "items.csv"
    csv_file.write_text("id,title,brand_name,category_path\nx1,Thing,Acme Tools,Tools > Hand Tools\n", encoding="utf-8")
    c = load_catalog(csv_file).catalog
    assert [(b.id, b.name) for b in c.brands] == [("acme-tools", "Acme Tools")]
    assert [(k.id, k.parent) for k in c.categories] == [("tools", None), ("hand-tools", "tools")]
    gz = tmp_path / "brands.jsonl.gz"  # a kind-named file: `type` may be left out
    with gzip.open(gz, "wt", encoding="utf-8") as fh:
        fh.write('{"id": "acme", "name": "Acme"}\n')
    assert [b.id for b in load_catalog(gz).catalog.brands] == ["acme"]
    tsv = tmp_path / "items.tsv"
    tsv.write_text("id\ttitle\tattr:size\nx2\tShirt\tS|M|L\n", encoding="utf-8")
    assert load_catalog(tsv).catalog.products[0].attributes[0].values == ["S", "M", "L"]


def test_bad_input_raises_with_every_error():
    with pytest.raises(CatalogValidationError) as info:
        load_catalog(BAD)
    errors = info.value.errors
    assert len(errors) == 24
    text = str(info.value)
    assert text.startswith("catalog rejected, 24 errors:")
    rendered = render_errors(errors).splitlines()
    expected = [
        f"{BAD}/products.csv:3: product c2: field 'price': expected greater than or equal to 0 (found '-3')",
        f"{BAD}/products.csv:4: product c3: field 'title': missing (a value is required)",
        f"{BAD}/products.csv:4: product c3: field 'currency': expected a 3-letter ISO 4217 currency code "
        "in capitals, like USD (found 'US DOLLAR')",
        f"{BAD}/products.csv:5: product c4: field 'accessory_for': accessory_for points to the product itself (found 'c4')",
        f"{BAD}/catalog.jsonl:5: product p2: field 'brand': no brand with id 'nobrand' in the catalog "
        "(expected the id of a brand defined in the input)",
        f"{BAD}/catalog.jsonl:6: product p1: field 'id': duplicate product id (first defined at {BAD}/catalog.jsonl:4) (found 'p1')",
        f"{BAD}/catalog.jsonl:12: not valid JSON: Expecting ',' delimiter at column 1 (expected one JSON object per line)",
        f"{BAD}/catalog.jsonl:15: faq f1: field 'target': scope 'product' target: no product with id 'p404' "
        "in the catalog (expected the id of a product defined in the input)",
        f"{BAD}/warranty.md:3: policy warranty-x: field 'kind': expected 'returns', 'warranty', 'shipping', "
        "'payment', 'privacy' or 'other' (found 'guarantee')",
        f"{BAD}/broken-yaml.md:3: front matter is not valid YAML: expected ',' or ']', but got '<stream end>'",
    ]
    for line in expected:
        assert line in rendered, line
    assert any(r.startswith(f"{BAD}/bad-header.csv:1: field 'prce': unknown column") for r in rendered)
    assert any(r.startswith(f"{BAD}/notes.md:1: no YAML front matter") for r in rendered)
    assert any("catalog.jsonl:17: product p7: field 'colour': unknown field; expected one of: id, title" in r
               for r in rendered)
    assert any("catalog.jsonl:14: policy ret-2: field 'kind': a second 'returns' policy for scope global" in r
               for r in rendered)
    assert any("products.csv:7: row has 9 cells, the header has 8" in r for r in rendered)


def test_report_mode_keeps_good_items_and_cascades(bad_report, tmp_path):
    c = bad_report.catalog
    assert [p.id for p in c.products] == ["p1", "c1"]
    assert [b.id for b in c.brands] == ["acme"] and [k.id for k in c.categories] == ["tablets"]
    assert [p.id for p in c.policies] == ["ret-1"] and [p.key for p in c.passages] == ["r1"]
    assert validate_catalog(c) == []
    rendered = render_errors(bad_report.errors)
    # p3 is rejected because its category was, and says so; p4 because its relation target was.
    assert (f"catalog.jsonl:7: product p3: field 'category': category 'phones' was rejected "
            f"(see {BAD}/catalog.jsonl:2)") in rendered
    assert "catalog.jsonl:8: product p4: field 'relations[0].target': accessory_for target: product 'p2' was rejected" in rendered

    report = write_error_report(bad_report.errors, tmp_path / "out" / "errors.jsonl")
    rows = [json.loads(line) for line in report.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == len(bad_report.errors) == 24
    assert set(rows[0]) == {"file", "line", "field", "message", "found", "item"}
    price = next(r for r in rows if r["field"] == "price")
    assert (price["file"], price["line"], price["item"], price["found"]) == (f"{BAD}/products.csv", 3, "product c2", "'-3'")
    assert not list((tmp_path / "out").glob(".*"))  # no temporary file left behind


def test_fatal_inputs_always_raise(tmp_path):
    with pytest.raises(CatalogValidationError, match="does not exist"):
        load_catalog(tmp_path / "nope", on_error="report")
    (tmp_path / "empty").mkdir()
    with pytest.raises(CatalogValidationError, match="no catalog files found"):
        load_catalog(tmp_path / "empty", on_error="report")
    (tmp_path / "sheet").mkdir()
    (tmp_path / "sheet" / "catalog.xlsx").write_bytes(b"PK")
    with pytest.raises(CatalogValidationError, match="unsupported file type"):
        load_catalog(tmp_path / "sheet", on_error="report")
    with pytest.raises(ValueError, match="on_error"):
        load_catalog(GOOD, on_error="ignore")  # type: ignore[arg-type]


def test_name_rules_and_hierarchy_errors(tmp_path):
    f = tmp_path / "c.jsonl"
    rows = [
        {"type": "category", "id": "a", "name": "A", "parent": "b"},
        {"type": "category", "id": "b", "name": "B", "parent": "a"},
        {"type": "product", "id": "p1", "title": "T", "category": "a"},
        {"type": "product", "id": "p2", "title": "T", "brand": "x", "brand_name": "X"},
        {"type": "product", "id": "p3", "title": "T", "brand_name": "Volta"},
        {"type": "product", "id": "p4", "title": "T", "brand_name": "VOLTA"},
        {"type": "product", "id": "p5", "title": "T", "category_path": "Gear > > Bits"},
    ]
    f.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    result = load_catalog(f, on_error="report")
    rendered = render_errors(result.errors)
    assert "c.jsonl:1: category a: field 'parent': category hierarchy has a cycle (expected a tree) (found 'b')" in rendered
    assert "c.jsonl:3: product p1: field 'category': category 'a' was rejected" in rendered
    assert "c.jsonl:4: product p2: field 'brand_name': give either 'brand' (an id) or 'brand_name', not both" in rendered
    assert "c.jsonl:7: product p5: field 'category_path': expected non-empty category names separated by '>'" in rendered
    assert {p.id: p.brand for p in result.catalog.products} == {"p3": "volta", "p4": "volta"}
    assert [b.id for b in result.catalog.brands] == ["volta"]


def test_category_aliases(tmp_path):
    """Other words for a category are read as a list of non-empty strings; a bad one is named."""
    f = tmp_path / "c.jsonl"
    rows = [{"type": "category", "id": "outdoor", "name": "Outdoor", "aliases": ["camping", "hiking"]},
            {"type": "category", "id": "home", "name": "Home", "aliases": ["house", ""]}]
    f.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    result = load_catalog(f, on_error="report")
    assert [(c.id, c.aliases) for c in result.catalog.categories] == [("outdoor", ["camping", "hiking"])]
    assert ("c.jsonl:2: category home: field 'aliases[1]': String should have at least 1 character"
            in render_errors(result.errors)), render_errors(result.errors)


def test_front_matter_field_lines(tmp_path):
    doc = tmp_path / "p.html"
    doc.write_text("---\nid: ship\nkind: shipping\nversion: zero\n---\n<p>Ships fast.</p>\n", encoding="utf-8")
    rendered = render_errors(load_catalog(doc, on_error="report").errors)
    assert f"{doc}:4: policy ship: field 'version': expected a valid integer" in rendered
    assert f"{doc}:1: policy ship: field 'title': missing (a value is required)" in rendered
    doc.write_text("---\nid: ship\nkind: shipping\nscope: brand\n---\n# Shipping\n\nFast.\n", encoding="utf-8")
    rendered = render_errors(load_catalog(doc, on_error="report").errors)
    assert rendered == f"{doc}:1: policy ship: scope 'brand' needs a target id"
    # YAML dates and numbers given as ids are read as text; reference errors point at the field's line
    doc.write_text("---\nid: 2024-01-01\nkind: other\nscope: product\ntarget: 42\ntitle: T\n---\nBody\n",
                   encoding="utf-8")
    rendered = render_errors(load_catalog(doc, on_error="report").errors)
    assert rendered.startswith(f"{doc}:5: policy 2024-01-01: field 'target': scope 'product' target: "
                               "no product with id '42' in the catalog")


def test_jsonl_text_in_memory():
    from ingest.readers import load_jsonl_text

    body = "\n".join([
        '{"type": "brand", "id": "acme", "name": "Acme"}',
        '{"type": "product", "id": "p1", "title": "Thing", "brand": "acme"}',
        '{"type": "product", "id": "p2", "title": "Other", "brand": "nobody"}',
    ])
    with pytest.raises(CatalogValidationError) as info:
        load_jsonl_text(body, source="request body")
    assert [e.render() for e in info.value.errors] == [
        "request body:3: product p2: field 'brand': no brand with id 'nobody' in the catalog "
        "(expected the id of a brand defined in the input)"]
    result = load_jsonl_text(body, source="request body", on_error="report")
    assert [p.id for p in result.catalog.products] == ["p1"]
    with pytest.raises(CatalogValidationError, match="holds no records"):
        load_jsonl_text("\n\n")


def test_demo_catalog_round_trips_through_csv_and_jsonl(tmp_path):
    """Write the demo store as a products CSV (one column per attribute key and unit, e.g.
    attr:weight[g] next to attr:weight[kg]) plus JSONL for the rest; reading it back gives the
    same catalog."""
    import csv

    from ingest.demo import generate_demo_store

    demo = generate_demo_store(products=300, seed=3)
    keys = sorted({(a.key, a.unit or "") for p in demo.products for a in p.attributes})
    rel_kinds = ["compatible_with", "accessory_for", "variant_of"]
    base = ["id", "title", "description", "sku", "brand", "category", "price", "currency", "availability"]
    with (tmp_path / "products.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(base + [f"attr:{k}" + (f"[{u}]" if u else "") for k, u in keys] + rel_kinds)
        for p in demo.products:
            attrs = {(a.key, a.unit or ""): "|".join(a.values) for a in p.attributes}
            rels = {k: "|".join(r.target for r in p.relations if r.kind.value == k) for k in rel_kinds}
            w.writerow([p.id, p.title, p.description, p.sku, p.brand, p.category, p.price, p.currency,
                        p.availability.value] + [attrs.get(k, "") for k in keys] + [rels[k] for k in rel_kinds])
    with (tmp_path / "rest.jsonl").open("w", encoding="utf-8") as fh:
        for kind, objs in (("brand", demo.brands), ("category", demo.categories),
                           ("policy", demo.policies), ("faq", demo.faqs)):
            for o in objs:
                fh.write(json.dumps({"type": kind, **o.model_dump(mode="json")}) + "\n")
    back = load_catalog(tmp_path).catalog

    def canon(p):
        d = p.model_dump(mode="json")
        d["relations"] = sorted(d["relations"], key=json.dumps)  # CSV groups relations by column
        d["attributes"] = sorted(d["attributes"], key=json.dumps)  # and orders attributes by column
        return d

    assert [canon(p) for p in back.products] == [canon(p) for p in demo.products]
    assert (back.brands, back.categories, back.policies, back.faqs) == (
        demo.brands, demo.categories, demo.policies, demo.faqs)
