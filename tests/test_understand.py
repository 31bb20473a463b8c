"""Query understanding on real parts: the shipped intent/sentiment artifacts, the real
all-MiniLM-L6-v2 encoder, entity names read from a real FalkorDB graph of the demo store, and a
real SQLite session store. Nothing is mocked."""

from __future__ import annotations

import re
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from rag.understand.linker import EntityLinker, _base_title
from rag.understand.pipeline import Understander, latest_artifact
from rag.understand.router import PRODUCT_INTENTS, plan_for
from rag.understand.state import SessionState, SQLiteSessionStore, name_the_pick, select_candidate
from rag.understand.types import INTENTS, RULE_INTENTS, TRANSACTIONAL_INTENTS, LinkedEntity


@pytest.fixture(scope="module")
def linker(ingested_demo, sync_encoder):
    _, store, _ = ingested_demo
    return EntityLinker.from_graph(store, encoder=sync_encoder)


@pytest.fixture(scope="module")
def understander(linker, sync_encoder, tmp_path_factory):
    sessions = SQLiteSessionStore(tmp_path_factory.mktemp("sessions") / "sessions.sqlite", ttl_s=3600)
    return Understander.from_artifacts(sync_encoder, linker=linker, sessions=sessions)


def _sid() -> str:
    return f"t{time.time_ns()}"


def _declined(u) -> bool:
    """Declined, unless a store document asks it (an FAQ, a document titled by it): the plan
    reads only those, and declines when none answers."""
    return u.plan.answer_mode == "decline" or (
        u.response.decline_unanswered and all(q.asked_only for q in u.plan.graph_queries))


def _one_product(demo_catalog, leaf: str = "headphones"):
    return next(p for p in demo_catalog.products if p.category == leaf)


# ----------------------------------------------------------------------------- linking
def test_linker_reads_every_product_from_the_graph(linker, demo_catalog):
    assert len(linker) == len(demo_catalog.products)
    assert {b.id for b in linker.brands} == {b.id for b in demo_catalog.brands}


def test_exact_title_and_id_and_sku_link(linker, demo_catalog):
    p = _one_product(demo_catalog)
    r = linker.link(f"tell me about the {p.title}")
    assert [e.id for e in r.entities if e.kind == "product"] == [p.id]
    assert linker.link(f"price of {p.id}?").entities[0].id == p.id
    assert linker.link(f"what about {p.sku}").entities[0].id == p.id


def test_a_model_named_without_its_colour_is_every_colours(linker, demo_catalog):
    """"Is the Kettleworks Roast 900 in stock?" linked the black one alone: its navy blue twin's
    longer title scored it below the near-tie margin, so the model did not count as named by model
    only. Every family of colour variants is, whatever its colour names' lengths."""
    families = defaultdict(list)
    for p in demo_catalog.products:
        if "," in p.title:
            families[p.title.rsplit(",", 1)[0]].append(p)
    uneven = {m: ps for m, ps in families.items() if len({len(p.title.split()) for p in ps}) > 1}
    assert uneven, "the demo store fixture has no family whose colour names differ in length"
    for model, ps in uneven.items():
        products = [e for e in linker.link(f"is the {model} in stock?").entities if e.kind == "product"]
        assert len(products) == 1 and products[0].model_only, (model, products)
        assert products[0].id in {p.id for p in ps}


def test_misspelled_name_links(linker, demo_catalog):
    p = _one_product(demo_catalog, "laptops")
    words = _base_title(p.title).split()
    # a slip in the brand and in the model line: "Nimbus Tech Book" -> "Nimbis Tech Bok"
    typo = " ".join(w[:-1] + w[-1] * 2 if w.isalpha() and len(w) > 3 else w for w in words)
    r = linker.link(f"is the {typo} any good")
    linked = [e for e in r.entities if e.kind == "product"]
    assert linked and _base_title(linked[0].name) == _base_title(p.title), (typo, r)
    assert linked[0].method == "fuzzy"


def test_ambiguous_name_gives_candidates(linker, demo_catalog):
    by_line: dict[tuple, set] = defaultdict(set)
    for p in demo_catalog.products:
        words = _base_title(p.title).split()
        brand = next(b.name for b in demo_catalog.brands if b.id == p.brand).lower()
        line = _base_title(p.title)[len(brand):].split()[0]
        by_line[(brand, line)].add(_base_title(p.title))
    (brand, line), titles = next((k, v) for k, v in by_line.items() if len(v) >= 2)
    r = linker.link(f"is the {brand} {line} any good?")
    assert len(r.candidates) >= 2, (brand, line, titles, r)
    assert not [e for e in r.entities if e.kind == "product"]


def test_two_products_for_a_comparison(linker, demo_catalog):
    a, b = [p for p in demo_catalog.products if p.category == "phones"][:2]
    r = linker.link(f"{_base_title(a.title)} vs {_base_title(b.title)}")
    names = {_base_title(e.name) for e in r.entities if e.kind == "product"}
    assert names == {_base_title(a.title), _base_title(b.title)}


def test_brand_and_category_link(linker):
    r = linker.link("recommend a sleeping bag from northpeak")
    kinds = {(e.kind, e.id) for e in r.entities}
    assert ("category", "sleeping-bags") in kinds and ("brand", "northpeak") in kinds


def test_a_brand_named_by_its_first_word_before_a_category(linker):
    """"Any Arcadia phones?": shoppers shorten "Arcadia Mobile" (it listed every brand's phones).
    The first word alone is no brand elsewhere when it is an English word: "good morning, do you
    have coffee makers?" is not about Morning Ritual."""
    r = linker.link("do you have any Arcadia phones?")
    brand = next(e for e in r.entities if e.kind == "brand")
    assert (brand.id, brand.method, brand.mention) == ("arcadia-mobile", "fuzzy", "arcadia")
    assert ("category", "phones") in {(e.kind, e.id) for e in r.entities}
    assert not [e for e in linker.link("good morning, do you have coffee makers?").entities if e.kind == "brand"]
    assert not [e for e in linker.link("is Arcadia a good brand?").entities if e.kind == "brand"]
    # (a first word that is no English word names its brand anywhere: "is Casemate a good
    # brand?" listed every brand)
    assert [e.id for e in linker.link("is Casemate a good brand?").entities if e.kind == "brand"] == ["casemate-studio"]
    assert [e.id for e in linker.link("tell me about Zenfone").entities if e.kind == "brand"] == ["zenfone-labs"]
    plan = plan_for("availability_price", linker.link("do you have any Arcadia phones?").entities, [])
    assert [(q.kind, q.brand_ids, q.category_ids) for q in plan.graph_queries] == [
        ("category_products", ["arcadia-mobile"], ["phones"])]  # the brand's phones, not its description


def test_a_word_of_a_product_name_links_no_other_thing(linker, demo_catalog):
    """"Tell me about the Nimbus Tech Flex 360 Laptop" also linked Electronics ("tech" is its
    alias), and "anything cheaper?" next listed electronics cheaper than it, phones first."""
    laptop = next(p for p in demo_catalog.products if p.brand == "nimbus-tech" and p.category == "laptops")
    linked = {(e.kind, e.id) for e in linker.link(f"tell me about the {laptop.title.split(',')[0]}").entities}
    assert {k for k, _ in linked} == {"product"}, linked
    assert ("category", "electronics") in {(e.kind, e.id) for e in linker.link("any tech gadgets on sale?").entities}
    # nor a brand's: "what about Nimbus Tech?" asks about no electronics
    assert {(e.kind, e.id) for e in linker.link("what about Nimbus Tech?").entities} == {("brand", "nimbus-tech")}


def test_an_english_word_is_never_corrected_into_a_catalog_word(linker):
    """"I'm looking for a tent" linked the Kitchen category: "looking" was a typo of its alias
    "cooking" (rapidfuzz 86). Words of the encoder's vocabulary are no typos; misspellings are."""
    from rag.understand.linker import english_words

    assert {"looking", "cooking", "camping"} <= english_words() and "campng" not in english_words()
    linked = {(e.kind, e.id) for e in linker.link("I'm looking for a tent for 4 people").entities}
    assert linked == {("category", "tents")}, linked
    assert ("category", "outdoor") in {(e.kind, e.id) for e in linker.link("gear for campng").entities}


def test_a_category_named_by_a_list_links_by_each_part(linker):
    """"Chargers & Cables" is what the store calls it; a shopper asks for "a charger"."""
    for text in ("I need a charger for my phone", "do you sell cables?"):
        assert ("category", "chargers-cables") in {(e.kind, e.id) for e in linker.link(text).entities}, text


@pytest.mark.parametrize("message, wanted", [
    ("I need a new tent", True),
    ("I'm looking for a charger for my phone", True),
    ("get me a backpack, please", True),
    ("I want to buy headphones", True),
    ("help me find my lost phone", False),              # CLINC150 find_phone
    ("i need you to pair with my phone", False),        # CLINC150 sync_device
    ("i no longer want this phone to sync", False),
    ("i need new home owners insurance", False),        # the home of "home owners", not the category
    ("what day do i need to pay my phone bill by", False),
])
def test_asking_to_buy_what_the_store_sells_is_shopping(understander, message, wanted):
    """The intent model calls "I need a new tent" out of scope (CLINC150's "I need a new car");
    a request for a category the store sells is a recommendation all the same."""
    u = understander.understand(message, session_id=_sid())
    assert (u.intent.reason == "shopping_request" or u.intent.label == "recommendation") is wanted, (message, u.intent)
    assert (u.intent.label == "out_of_scope") is not wanted, (message, u.intent)


def test_a_full_name_is_never_ambiguous():
    """Every product of the 1,000-product demo store, asked about by its full name (without
    the colour), links to that product with no clarifying question. Near-ties that match only
    part of the name (the 530 when the shopper typed "830", the Halo 490 for "Aria 490") are
    not alternatives; before this rule three of the names asked back."""
    from ingest.demo import generate_demo_store

    catalog = generate_demo_store(products=1000, seed=0)
    linker = EntityLinker.from_catalog(catalog)
    wrong = []
    for p in catalog.products:
        name = _base_title(p.title)
        r = linker.link(f"What is the return policy for the {name}?")
        if [_base_title(e.name) for e in r.entities if e.kind == "product"] != [name] or r.candidates:
            wrong.append((name, [e.name for e in r.entities], [c.name for c in r.candidates]))
    assert not wrong, wrong[:5]


@pytest.mark.parametrize("text, low, high, order", [
    ("recommend a blender under 100 dollars", None, 100.0, None),
    ("a tent under $300", None, 300.0, None),
    ("laptops between 500 and 800 dollars", 500.0, 800.0, None),
    ("a laptop under $1,299.99", None, 1299.99, None),
    ("headphones over $200", 200.0, None, None),
    ("something priced under 50", None, 50.0, None),
    ("what is the cheapest tent?", None, None, "asc"),
    ("your most expensive laptop", None, None, "desc"),
    ("wat is the cheepest tent", None, None, "asc"),  # (misspelt: "I don't know")
    ("whats the chepest laptop", None, None, "asc"),
    # thousands as shoppers write them ("under $1k" was read as $1), and a price near one
    ("blenders under $1k", None, 1000.0, None),
    ("tents under 1.5k", None, 1500.0, None),
    ("headphones around $50", 40.0, 60.0, None),
    ("laptops about 1000 dollars", 800.0, 1200.0, None),
    # the bound after the amount (no bound was read: "is it $461.99 or less?" got no "Yes.")
    ("laptops $1000 or less", None, 1000.0, None),
    ("is it $461.99 or less?", None, 461.99, None),
    ("headphones $50 max", None, 50.0, None),
    ("tents $300 and up", 300.0, None, None),
    ("phones $500 or more", 500.0, None, None),
    # numbers that are not prices
    ("a tent for under 4 people", None, None, None),
    ("how much is the Northpeak Alpine 200 Tent?", None, None, None),
    ("a watch for a 5k run", None, None, None),
])
def test_price_constraints_in_words(text, low, high, order):
    from rag.understand.constraints import price_constraint

    c = price_constraint(text)
    assert (c.min_price, c.max_price, c.order) == (low, high, order)


def _tent_keys():
    from rag.understand.constraints import AttributeKey as K

    return [K("capacity", "persons", ("1 persons", "2 persons", "4 persons", "6 persons")),
            K("season", None, ("3-season", "4-season")), K("weight", "kg", ("1.2 kg", "8.4 kg")),
            K("packed_size", "cm", ("35 x 16 cm", "70 x 14 cm")), K("material", None, ("canvas", "ripstop nylon")),
            K("waterproof_rating", "mm", ("1500 mm", "5000 mm")), K("footprint", None, ("yes", "no")),
            K("weight_limit", "kg", ("100 kg",))]


@pytest.mark.parametrize("text, key, value, low, high", [
    ("which tent is best for 4 people?", "capacity", None, 4.0, None),
    ("the cheapest tent that sleeps 4", "capacity", None, 4.0, None),   # the number after its word
    ("a 2-person tent under $200", "capacity", None, 2.0, 2.0),          # the $200 is a price
    ("tents under 3 kg", None, None, None, None),                         # two keys in kg, neither named
    ("tents with a weight under 3 kg", "weight", None, None, 3.0),
    # a range ("backpacks between 30 and 40 liters" was "40 L or more")
    ("a tent for 2 to 4 people", "capacity", None, 2.0, 4.0),
    ("tents with a weight between 2 and 3 kg", "weight", None, 2.0, 3.0),
    ("tents for 2-4 people", "capacity", None, 2.0, 4.0),
    ("any 4-season tents?", "season", "4-season", None, None),
    ("a canvas tent", "material", "canvas", None, None),
    ("tents with a footprint", "footprint", "yes", None, None),
    ("a tent without a footprint", "footprint", "no", None, None),
    ("non-footprint tents", "footprint", "no", None, None),
    ("do you have any waterproof tents?", "waterproof_rating", None, None, None),  # shown, highest first
    ("the Northpeak Alpine 200 Tent", None, None, None, None),          # a model number, no unit
    ("tents under $300", None, None, None, None),
])
def test_attribute_constraints_in_words(text, key, value, low, high):
    from rag.understand.constraints import attribute_constraint

    c = attribute_constraint(text, _tent_keys())
    got = None if c is None else c.key
    assert got == key, (text, c)
    if c is not None:
        assert (c.value, c.min_value, c.max_value) == (value, low, high), (text, c)


@pytest.mark.parametrize("text, order, label", [
    ("which tent is the lightest?", 1, "weight, lowest first"),
    ("how heavy is the lightest tent?", 1, "weight, lowest first"),
    ("the heaviest tent you have", -1, "weight, highest first"),
    ("tents by weight", -1, "weight, highest first"),
])
def test_the_least_of_an_attribute_lists_the_least_first(text, order, label):
    """"The lightest" names the weight and asks for its least: listed lowest first (it listed
    the heaviest first, or nothing: "lightest" named no attribute)."""
    from rag.understand.constraints import attribute_constraint

    c = attribute_constraint(text, _tent_keys())
    assert c is not None and (c.key, c.value_order, c.describe()) == ("weight", order, label), (text, c)


@pytest.mark.parametrize("text", ["a tent that is not waterproof", "tents that aren't waterproof",
                                  "non-waterproof tents"])
def test_an_attribute_negated_lists_the_least_first(text):
    """"A tent that is not waterproof" listed the most waterproof tents first."""
    from rag.understand.constraints import attribute_constraint

    c = attribute_constraint(text, _tent_keys())
    assert c is not None and c.describe() == "waterproof rating, lowest first", (text, c)


def test_an_attribute_named_by_the_last_word_of_its_key():
    """"The best camera" names main_camera (its key's only word "camera"); a generic last word
    ("size", "rating") names nothing: "what size tent?" is no packed size."""
    from rag.understand.constraints import AttributeKey as K
    from rag.understand.constraints import attribute_constraint

    phone = [K("screen_size", "in", ("6.1", "6.9")), K("main_camera", "mp", ("12", "200")),
             K("battery_capacity", "mah", ("4000", "6000"))]
    c = attribute_constraint("which smartphone has the best camera?", phone)
    assert c is not None and (c.key, c.value_order) == ("main_camera", -1), c
    assert attribute_constraint("what size tent do you have?", _tent_keys()) is None
    assert attribute_constraint("which tent has the best rating?", _tent_keys()) is None


def test_warmth_asks_for_the_lowest_temperature_rating():
    """"The warmest sleeping bag" and "for cold weather" name no attribute by its key: the one
    temperature rating, lowest first (the lower the rating, the warmer the bag)."""
    from rag.understand.constraints import AttributeKey as K
    from rag.understand.constraints import attribute_constraint

    bags = [K("temperature_rating", "°c", ("-9", "10")), K("weight", "g", ("1584", "1752"))]
    for text in ("which sleeping bag is the warmest?", "a sleeping bag for cold weather"):
        c = attribute_constraint(text, bags)
        assert c is not None and (c.key, c.value_order) == ("temperature_rating", 1), (text, c)
    assert attribute_constraint("a warm tent", _tent_keys()) is None  # no temperature rating


def test_a_temperature_a_thing_is_rated_for_is_that_or_colder():
    """"Sleeping bags rated for -10 °C" listed the bags rated -9 °C ("-10 °C or more"): a bag
    rated for -10 keeps one warm there, so the rating asked for is -10 °C or lower, written
    with its unit or without it after "rated for" (not "-10" alone); "above" still bounds it
    from below."""
    from rag.understand.constraints import AttributeKey as K
    from rag.understand.constraints import attribute_constraint

    bags = [K("temperature_rating", "°c", ("-9", "10")), K("weight", "g", ("1584", "1752"))]
    for text in ("sleeping bags rated for -10 °C", "sleeping bag rated to -10 degrees", "-10 degree sleeping bag",
                 "anything rated below -10?", "sleeping bag comfortable at -10C", "warm enough for -10"):
        c = attribute_constraint(text, bags)
        assert c is not None and (c.key, c.min_value, c.max_value) == ("temperature_rating", None, -10), (text, c)
    c = attribute_constraint("a sleeping bag rated above 0", bags)
    assert c is not None and (c.min_value, c.max_value) == (0, None), c
    assert attribute_constraint("sleeping bags -10", [K("weight", "g", ("1584",))]) is None
    tent = attribute_constraint("a tent for 4 people", _tent_keys())  # other measures: as before
    assert tent is not None and tent.min_value == 4 and tent.max_value is None


def test_attribute_constraints_shoppers_write_other_ways():
    """Ways of asking that found no attribute: a unit the catalog stores in another ("at least
    1TB" of storage kept in GB; "at least" asked for the least storage first), a size asked
    for by "biggest" (capacity, screen or case size, whichever the category measures), a word
    made from a key ("waterproof" for water resistance), and one item of a listed value ("GPS"
    in "heart rate, ecg, gps")."""
    from rag.understand.constraints import AttributeKey as K
    from rag.understand.constraints import attribute_constraint, without_quantities

    laptops = [K("ram", "GB", ("16 gb", "32 gb")), K("storage", "GB", ("512 gb", "1024 gb")),
               K("screen_size", "in", ("14 in", "16 in")), K("battery_life", "h", ("6 h", "12 h"))]
    c = attribute_constraint("do you have a laptop with at least 1TB storage?", laptops)
    assert c is not None and (c.key, c.min_value, c.said) == ("storage", 1024.0, "1 TB"), c
    assert c.describe() == "storage: 1024 GB (1 TB) or more"
    c = attribute_constraint("which laptops have 16GB of RAM?", laptops)
    assert c is not None and (c.key, c.min_value, c.said) == ("ram", 16.0, None), c
    c = attribute_constraint("which is the biggest laptop?", laptops)
    assert c is not None and (c.key, c.value_order, c.describe()) == ("screen_size", -1, "screen size, largest first")
    c = attribute_constraint("which laptop has the biggest battery?", laptops)  # a key named wins
    assert c is not None and c.key == "battery_life", c
    backpacks = [K("capacity", "L", ("20 l", "65 l")), K("weight", "g", ("467 g", "1254 g"))]
    c = attribute_constraint("a backpack under 1.5 kg", backpacks)
    assert c is not None and (c.key, c.max_value, c.said) == ("weight", 1500.0, "1.5 kg"), c
    c = attribute_constraint("the smallest backpack", backpacks)
    assert c is not None and (c.key, c.value_order) == ("capacity", 1), c
    c = attribute_constraint("a backpack for my laptop", [*backpacks, K("laptop_sleeve", None, ("yes", "no"))])
    assert c is not None and (c.key, c.value) == ("laptop_sleeve", "yes"), c  # was every backpack
    tents = [K("season", None, ("3-season", "4-season")), K("capacity", "persons", ("2 persons", "4 persons"))]
    for asked, season in (("which tent is best for winter?", "4-season"), ("a tent for summer camping", "3-season"),
                          ("winter tents under 400", "4-season")):
        c = attribute_constraint(asked, tents)  # every tent was listed
        assert c is not None and (c.key, c.value) == ("season", season), (asked, c)
    outdoor = [*tents, K("temperature_rating", "°C", ("-18 °c", "10 °c"))]  # (a group of kinds: warmth says it)
    c = attribute_constraint("I'm going camping in the mountains in winter, what do I need?", outdoor)
    assert c is not None and c.key == "temperature_rating", c
    phones = [K("main_camera", "MP", ("12 mp", "200 mp")), K("storage", "GB", ("64 gb", "512 gb"))]
    c = attribute_constraint("best phone for photos under 500", phones)  # was no order
    assert c is not None and (c.key, c.value_order) == ("main_camera", -1), c
    coffee_makers = [K("capacity", "L", ("0.5 l", "2.0 l")), K("wattage", "W", ("900 w", "1450 w"))]
    for asked in ("which coffee maker makes the most coffee?", "which one holds the most?"):
        c = attribute_constraint(asked, coffee_makers)  # was no order at all
        assert c is not None and (c.key, c.value_order) == ("capacity", -1), (asked, c)
    watches = [K("water_resistance", "m", ("30 m", "100 m")), K("sensors", None, ("heart rate, ecg, gps", "ecg"))]
    c = attribute_constraint("which smartwatch is waterproof?", watches)
    assert c is not None and c.key == "water_resistance", c
    c = attribute_constraint("only the ones with GPS", watches)
    assert c is not None and (c.key, c.value) == ("sensors", "gps"), c
    assert without_quantities("a sleeping bag under 800 g").split() == ["a", "sleeping", "bag", "under"]
    assert without_quantities("the Ember 800") == "the Ember 800"
    assert without_quantities("is the Roast 900 in stock?") == "is the Roast 900 in stock?"


def test_cheaper_than_a_product_lists_its_category_below_its_price():
    """"Anything cheaper than the X?" has no amount: X's price is the bound, in its category.
    Two products named ("is X cheaper than Y?") compare them instead."""
    from rag.understand.constraints import price_constraint
    from rag.understand.router import plan_for

    assert price_constraint("anything cheaper than the Alpine 200?").relative == "below"
    assert price_constraint("something like it but more expensive").relative == "above"
    c = price_constraint("tents cheaper than $100")
    assert (c.max_price, c.relative) == (100.0, None)
    x = LinkedEntity(kind="product", id="p1", name="X", score=1.0, method="exact", category_id="tents")
    y = LinkedEntity(kind="product", id="p2", name="Y", score=1.0, method="exact", category_id="tents")
    cheaper = price_constraint("do you have anything cheaper than X?")
    q = plan_for("availability_price", [x], [], price=cheaper).graph_queries
    assert [(g.kind, g.category_ids, g.compared_with, g.price_relation) for g in q] == [
        ("category_products", ["tents"], "p1", "below")]
    q = plan_for("comparison", [x, y], [], price=price_constraint("is X cheaper than Y?")).graph_queries
    assert not any(g.compared_with for g in q)


@pytest.mark.parametrize("message, compares", [
    ("something lighter?", True), ("is there a lighter one?", True), ("lighter?", True),
    ("any with more storage for the same price?", True), ("any cheaper alternatives with the same RAM?", True),
    ("a bigger one?", True), ("any with a longer battery life?", True),
    ("tell me more about it", False), ("any more details on it?", False), ("does it have more RAM?", False),
    ("is it lighter than 2 kg?", False), ("do you have more colors?", False),
])
def test_another_product_with_more_or_less_of_an_attribute(message, compares):
    """"Something lighter?" about the product in focus lists its category bounded by the
    product's own weight; the router cannot tell attributes apart, the graph reads which
    (`relative_attributes`)."""
    from rag.understand.constraints import AttributeKey, compares_with_it, price_constraint, relative_attributes
    from rag.understand.router import plan_for

    assert compares_with_it(message) == compares
    keys = [AttributeKey("weight", "kg", ("2.1", "1.5")), AttributeKey("storage", "GB", ("512", "1024")),
            AttributeKey("ram", "GB", ("8", "16")), AttributeKey("screen_size", "in", ("13.3", "15.6")),
            AttributeKey("battery_life", "hours", ("10", "12"))]
    if compares:
        assert relative_attributes(message, keys), message
        x = LinkedEntity(kind="product", id="p1", name="X", score=1.0, method="exact", category_id="laptops")
        price = price_constraint(message)
        q = plan_for("recommendation", [x], [], price=price, compares=True).graph_queries
        assert (q[0].kind, q[0].category_ids, q[0].compared_with) == ("category_products", ["laptops"], "p1")
        assert not any(g.kind in ("product_facts", "similar") for g in q)


@pytest.mark.parametrize("message, amount", [
    ("which one has more ram?", ({"ram"}, "more", "more")), ("which has fewer speeds?", ({"speeds"}, "less", "fewer")),
    ("which has a longer battery life?", ({"battery", "life"}, "more", "longer")),
    ("which is lighter?", None), ("tell me more about it", None), ("do you have more colors?", None),
])
def test_an_amount_compared(message, amount):
    """"Which one has more RAM?" compares an amount, which the comparison row names the one
    with more of (rag.retrieve.graph); "lighter" is a measured comparative, "more about" none."""
    from rag.understand.constraints import compared_amount
    from rag.textutil import content_words

    found = compared_amount(message)
    if amount is None:
        assert found is None, found
    else:
        words, way, said = amount
        assert found == (frozenset(content_words(" ".join(words))), way, said), found


@pytest.mark.parametrize("message, to_the_store", [
    ("do you have gift cards?", True), ("do you sell tents?", True),
    ("do you have anything similar?", False), ("do you have anything cheaper?", False),
    ("do you have it in blue?", False), ("do you have other brands?", True),
])
def test_a_question_to_the_store_keeps_what_it_measures_against(message, to_the_store):
    """"Do you have anything similar?" after the Bassline Halo 150 abstained: a question to
    the store at large forgets the product in focus, unless it measures against it."""
    from rag.understand.state import asks_the_store

    assert asks_the_store(message) == to_the_store


@pytest.mark.parametrize("message, condition", [
    ("4 person", True), ("under 300", True), ("lightest", True), ("the warmest", True), ("$500 max", True),
    ("2 kg or less", True), ("tell me a joke", False), ("forest", False), ("4 person tent", False),
    ("what is the best", False), ("ok thanks", False),
    # cheap, said without "the cheapest" ("something cheap" after laptops was listed unordered)
    ("something cheap", True), ("not too expensive", True), ("nothing too pricey", True), ("cheap", True),
    ("it feels cheap", False), ("is it too expensive?", False),
    # the condition changed ("what about 4 people", "actually make that 4 people" were declined)
    ("what about 4 people", True), ("actually make that 4 people", True), ("4 people instead", True),
    ("how about under 200", True), ("what about the Kestrel", False), ("make it blue", False),
])
def test_a_message_that_only_states_a_condition(message, condition):
    """Typed as a shop's filters after a listing: "4 person" read as a request for a person,
    "lightest" as out of scope; "what about 4 people" after a listing of tents for 2 was
    declined."""
    from rag.understand.constraints import only_a_condition

    assert only_a_condition(message) == condition


def test_a_bare_amount_that_ends_a_search_is_a_price():
    from rag.understand.constraints import price_constraint

    assert price_constraint("hedphones under 100").max_price == 100.0
    assert price_constraint("under 300").max_price == 300.0
    assert price_constraint("a tent for under 4 people").max_price is None  # a unit: no price
    assert price_constraint("laptops under 15").max_price is None  # inches as likely as dollars
    # (after more words: "hi do u have any laptops under 800" listed laptops from $1,793.99)
    assert price_constraint("hi do u have any laptops under 800").max_price == 800.0
    assert price_constraint("any that are wireless and under 50?").max_price == 50.0
    # "cheap" added after a comma asks for the cheapest first; a judgement does not
    assert price_constraint("need headphones for running, cheap").order == "asc"
    assert price_constraint("it feels cheap").order is None


def test_a_party_of_people_is_a_capacity():
    """"The best tent for a family of 4" listed every tent: a family, group or party of N is N people."""
    from rag.understand.constraints import attribute_constraint

    for text in ("what's the best tent for a family of 4?", "a tent for a group of 4", "tent for the 4 of us"):
        c = attribute_constraint(text, _tent_keys())
        assert c is not None and (c.key, c.min_value) == ("capacity", 4), (text, c)


def test_relative_attributes_read_which_and_which_way():
    from rag.understand.constraints import AttributeKey, price_constraint, relative_attributes

    keys = [AttributeKey("weight", "kg", ("2.1",)), AttributeKey("storage", "GB", ("512",)),
            AttributeKey("ram", "GB", ("8",)), AttributeKey("screen_size", "in", ("13.3",))]

    def read(text):
        return [(k.key, way) for k, way, _ in relative_attributes(text, keys)]

    assert read("something lighter?") == [("weight", "less")]
    assert read("more RAM and more storage") == [("ram", "more"), ("storage", "more")]
    assert read("same storage but cheaper") == [("storage", "same")]
    assert read("a bigger one?") == [("screen_size", "more")]
    assert [words for _, _, words in relative_attributes("is there a bigger one?", keys)] == ["bigger"]
    assert read("with more pixels") == []
    assert price_constraint("more storage for the same price?").relative == "same"
    assert price_constraint("cheaper, with the same storage").relative == "below"


def test_price_constraint_narrows_the_listing_plan_and_names_no_product():
    """The plan's listing carries the bounds (a brand's facts become its product listing), and
    the amount is not read as a model number ("under $200" is not the Alpine 200)."""
    from rag.understand.constraints import price_constraint
    from rag.understand.linker import NamedNode, ProductName
    from rag.understand.router import plan_for

    brand = LinkedEntity(kind="brand", id="northpeak", name="Northpeak", score=1.0, method="exact")
    plan = plan_for("recommendation", [brand], [], price=price_constraint("any northpeak products under $200?"))
    (q,) = plan.graph_queries  # (its facts and its listing, one listing: the two read the same)
    assert (q.kind, q.brand_ids, q.max_price, q.price_order) == ("category_products", ["northpeak"], 200.0, None)
    linker = EntityLinker([ProductName("p614", "Northpeak Alpine 200 Tent", brand_id="northpeak", category_id="tents"),
                           ProductName("p226", "Northpeak Basecamp 120 Tent", brand_id="northpeak", category_id="tents")],
                          [NamedNode("northpeak", "Northpeak")], [NamedNode("tents", "Tents")])
    r = linker.link("any northpeak tents under $200?")
    assert not [e for e in r.entities if e.kind == "product"] and not r.candidates, r
    assert [e.id for e in linker.link("how much is the Northpeak Alpine 200 Tent?").entities] == ["p614"]


def test_asking_which_brands_reads_the_brands_first():
    """"What brands of laptops do you carry?" reads the category's brands before its listing;
    with no category named (one linked by meaning only does not count), the store's brands;
    a question about one product or brand reads no brand list."""
    from rag.understand.router import asks_for_brands, plan_for

    laptops = LinkedEntity(kind="category", id="laptops", name="Laptops", score=1.0, method="exact")
    near = LinkedEntity(kind="category", id="backpacks", name="Backpacks", score=0.5, method="embedding")
    kestrel = LinkedEntity(kind="brand", id="kestrel", name="Kestrel", score=1.0, method="exact")
    assert asks_for_brands("what brands of laptops do you carry?") and not asks_for_brands("do you sell laptops?")
    assert not asks_for_brands("what coffee maker is easiest to clean?")
    q = plan_for("recommendation", [laptops], [], brands=True).graph_queries
    assert (q[0].kind, q[0].category_ids) == ("brands", ["laptops"]) and q[1].kind == "category_products"
    q = plan_for("recommendation", [near], [], brands=True).graph_queries
    assert (q[0].kind, q[0].category_ids) == ("brands", [])
    assert not any(x.kind == "brands" for x in plan_for("recommendation", [kestrel], [], brands=True).graph_queries)
    assert not any(x.kind == "brands" for x in plan_for("recommendation", [laptops], []).graph_queries)


# -------------------------------------------------------------------------- dialogue state
def test_multi_turn_coreference(understander, demo_catalog):
    p = _one_product(demo_catalog)
    sid = _sid()
    u1 = understander.understand(f"does the {_base_title(p.title)} come in blue?", session_id=sid)
    assert u1.focus_source == "message" and u1.product_ids
    product = u1.product_ids[0]
    u2 = understander.understand("and the warranty?", session_id=sid)
    assert u2.intent.label == "warranty"
    assert u2.focus_source == "session" and u2.product_ids == [product]
    assert any(q.kind == "policy" and q.policy_kind == "warranty" and product in q.product_ids
               for q in u2.plan.graph_queries)
    u3 = understander.understand("is it in stock?", session_id=sid)
    assert u3.product_ids == [product] and u3.turn == 3


def test_short_follow_up_about_the_product_in_focus_stays_in_scope(understander, demo_catalog):
    """Read alone, "What color is it?" looks out of scope to the intent model (it is unsure);
    said about the product in focus it is a product question. A follow-up that is clearly off
    topic is still declined."""
    p = _one_product(demo_catalog)
    sid = _sid()
    understander.understand(f"tell me about the {p.title}", session_id=sid)
    u = understander.understand("What color is it?", session_id=sid)
    assert u.intent.label in ("product_info", "availability_price"), u.intent
    assert u.intent.reason == "follow_up" or u.intent.raw_label != "out_of_scope"
    assert u.plan.answer_mode == "grounded" and u.product_ids == [p.id]
    off = understander.understand("who won the game last night?", session_id=sid)
    assert off.intent.label == "out_of_scope" and _declined(off)


def _an_ambiguous_line(linker, demo_catalog) -> tuple[str, str]:
    """A brand and model line that several differently named products share ("vireo aria")."""
    by_line: dict[tuple, set] = defaultdict(set)
    for p in demo_catalog.products:
        brand = next(b.name for b in demo_catalog.brands if b.id == p.brand).lower()
        by_line[(brand, _base_title(p.title)[len(brand):].split()[0])].add(p.id)
    return next(k for k, v in by_line.items()
                if len({_base_title(linker.products[linker._by_key[i]].title) for i in v}) >= 2)


def test_that_one_after_candidates(understander, linker, demo_catalog):
    brand, line = _an_ambiguous_line(linker, demo_catalog)
    sid = _sid()
    u1 = understander.understand(f"how much is the {brand} {line}?", session_id=sid)
    assert u1.plan.answer_mode == "clarify" and len(u1.candidates) >= 2
    u2 = understander.understand("the second one", session_id=sid)
    assert u2.focus_source == "selection"
    assert u2.product_ids == [u1.candidates[1].id]
    assert u2.intent.label == u1.intent.label  # the clarified question's intent carries over
    assert u2.plan.answer_mode == "grounded"


def test_an_ambiguous_side_of_a_comparison_is_asked_about(understander, linker, demo_catalog):
    """"What's the difference between A and <brand line>?" with the second name ambiguous was
    answered with a look-alike of A. Which one is asked, and the pick completes the pair."""
    brand, line = _an_ambiguous_line(linker, demo_catalog)
    other = next(p for p in demo_catalog.products if p.category == "laptops" and not p.title.lower().startswith(brand))
    sid = _sid()
    u1 = understander.understand(f"what's the difference between the {_base_title(other.title)} and the {brand} {line}?",
                                 session_id=sid)
    assert u1.plan.answer_mode == "clarify" and len(u1.candidates) >= 2, (u1.plan, u1.focus)
    u2 = understander.understand("the first one", session_id=sid)
    assert u2.intent.label == "comparison" and u2.plan.answer_mode == "grounded", u2.intent
    assert u2.product_ids[-1] == u1.candidates[0].id and len(u2.product_ids) == 2, u2.product_ids
    assert any(q.kind == "comparison" for q in u2.plan.graph_queries), u2.plan


def test_product_context_takes_precedence(understander, demo_catalog):
    a, b = [p for p in demo_catalog.products if p.category == "headphones"][:2]
    sid = _sid()
    understander.understand(f"tell me about the {a.title}", session_id=sid)
    u = understander.understand("what's the battery life?", session_id=sid, product_id=b.id)
    assert u.focus_source == "context" and u.product_ids[0] == b.id


def test_a_question_sent_from_a_product_page_is_about_that_product(understander, demo_catalog):
    """Read alone, some shoppers' questions look out of scope to the intent model ("ok so what
    about rain", "any good on a 2015 ford focus?"); sent from a product's page (product_id) such
    a question is about that product: grounded (answered or abstained on), never declined.
    Without the page it is still declined."""
    p = _one_product(demo_catalog)
    for text in ["ok so what about rain", "any good on a 2015 ford focus?"]:
        off_page = understander.understand(text, session_id=_sid())
        assert off_page.intent.label == "out_of_scope" and _declined(off_page)
        on_page = understander.understand(text, session_id=_sid(), product_id=p.id)
        assert on_page.intent.label in PRODUCT_INTENTS and on_page.intent.reason == "product_page", on_page.intent
        assert on_page.plan.answer_mode == "grounded" and on_page.product_ids == [p.id]


def test_a_product_named_by_its_id_is_about_that_product(understander, demo_catalog):
    """"tell me about p000002": the model calls it out of scope (the id is no word it knows);
    the id names a product, so it takes the best product intent (reason "product_id"), and the
    query retrieval reads names the product; the message itself is kept as typed. A message
    that names no product by id is still declined."""
    p = next(x for x in demo_catalog.products if x.id == "p000002")
    u = understander.understand(f"tell me about {p.id.upper()}", session_id=_sid())
    assert u.intent.label in PRODUCT_INTENTS and u.intent.reason == "product_id", u.intent
    assert u.plan.answer_mode == "grounded" and u.product_ids == [p.id]
    assert u.text == f"tell me about {p.id.upper()}" and u.question == f"tell me about {p.title}"
    assert u.vector() @ understander.encoder.encode([u.question])[0] > 0.999
    named = understander.understand(f"tell me about the {p.title}", session_id=_sid())
    assert named.query == "" and named.question == named.text  # nothing to rewrite
    assert _declined(understander.understand("tell me a joke", session_id=_sid()))


def test_an_out_of_scope_message_reads_the_store_documents_that_ask_it_first():
    """"What are your store hours?": no intent of ours, but a store document may say. Only the
    FAQs that ask it and the documents its title names are read, declined when none answers;
    an unreadable message is declined at once."""
    from rag.understand.router import plan_for, response_policy
    from rag.understand.types import SentimentPrediction

    plan = plan_for("out_of_scope", [], [], store_documents=True)
    assert plan.answer_mode == "grounded" and all(q.asked_only for q in plan.graph_queries)
    assert {q.kind for q in plan.graph_queries} == {"faq", "policy"} and set(plan.passages.sources) == {"faq", "policy"}
    neutral = SentimentPrediction(label="neutral", confidence=0.9)
    assert response_policy("out_of_scope", neutral, store_documents=True).decline_unanswered
    assert plan_for("out_of_scope", [], []).answer_mode == "decline"
    assert not response_policy("out_of_scope", neutral).decline_unanswered


def test_transactional_intents_hand_off(understander):
    for text in ["where is my order #10293? it hasn't arrived", "please cancel my order 48213",
                 "I forgot my password and can't log in"]:
        u = understander.understand(text, session_id=_sid())
        assert u.intent.label in TRANSACTIONAL_INTENTS, (text, u.intent)
        assert u.plan.handoff and not u.plan.retrieve and u.plan.answer_mode == "handoff"
        assert u.response.handoff_message and not u.plan.graph_queries


def test_an_order_question_asked_how_reads_the_faq_that_asks_it():
    """"How do I track my order?" is answered by the store's FAQ when one asks it, and handed
    off when none does (ResponsePolicy.handoff_unanswered); "where is my order?" is handed off."""
    from rag.understand.router import asks_how_to, response_policy
    from rag.understand.types import SentimentPrediction

    assert asks_how_to("how do I track my order?") and asks_how_to("what's the best way to return an item")
    assert asks_how_to("can I track my order?") and asks_how_to("is there a way to change my address?")
    assert not asks_how_to("where is my order?") and not asks_how_to("how long does shipping take?")
    plan = plan_for("order_status", [], [], how_to=True)
    assert plan.retrieve and plan.answer_mode == "grounded" and not plan.handoff
    assert [(q.kind, q.asked_only) for q in plan.graph_queries] == [("faq", True)]
    policy = response_policy("order_status", SentimentPrediction(label="neutral", confidence=0.9), how_to=True)
    assert policy.handoff_unanswered and policy.handoff_message
    assert not plan_for("order_status", [], []).retrieve


@pytest.mark.parametrize(("text", "claim"), [
    ("how do I make a claim?", True),
    ("I want to file a warranty claim", True),
    ("can I make a claim on my warranty?", True),
    ("my headphones stopped working, how do I claim the warranty?", True),
    ("what's the warranty claim process?", True),
    ("how do I file an insurance claim?", False),   # not the store's
    ("i'm in baggage claim at the airport and my luggage didn't make it", False),  # CLINC150
    ("how can i claim my rewards for my visa card", False),                         # CLINC150
    ("what does the warranty cover?", False),
])
def test_a_warranty_claim_is_answered_with_the_warranty_then_handed_off(understander, text, claim):
    """A warranty claim is opened by support, who can see the order: "how do I make a claim?"
    after a broken blender was declined, and "how do I file a warranty claim?" got the
    warranty's exclusions. It is now read as the warranty that applies (WARRANTY_QUESTION),
    whatever the classifier said, and the reply hands the conversation to support."""
    from rag.understand.router import CLAIM_MESSAGE, asks_to_claim

    assert asks_to_claim(text) == claim
    if claim:
        u = understander.understand(text, session_id=_sid())
        assert (u.intent.label, u.intent.reason) == ("warranty", "warranty_claim"), u.intent
        assert u.question == "what is the warranty?" and u.plan.answer_mode == "grounded"
        assert u.response.escalate and u.response.handoff_message == CLAIM_MESSAGE


def test_a_bare_how_long_after_a_policy_question_asks_it_of_the_policy(understander, demo_catalog):
    """"Do blenders have a warranty?" then "how long?" said "I don't know" (a product question
    to the model, with nothing to ask about): it asks the same policy. Not with a product in
    focus, whose price "how much is it?" may ask."""
    sid = _sid()
    understander.understand("do blenders have a warranty?", session_id=sid)
    u = understander.understand("how long?", session_id=sid)
    assert (u.intent.label, u.intent.reason) == ("warranty", "policy_follow_up"), u.intent
    assert u.question == "do blenders have a warranty, how long?", u.question
    phone = next(p for p in demo_catalog.products if p.category == "phones")
    sid = _sid()
    understander.understand(f"tell me about the {phone.title}", session_id=sid)
    understander.understand("what is the warranty on it?", session_id=sid)
    assert understander.understand("how much is it?", session_id=sid).intent.label == "availability_price"


def test_what_about_another_thing_of_the_same_kind_asks_the_same(understander):
    """"Do you price match amazon?" then "what about walmart?" was declined: the same question
    about another thing of the kind (near in meaning to "amazon"); "what about the weather?"
    is still declined."""
    sid = _sid()
    understander.understand("do you price match amazon?", session_id=sid)
    u = understander.understand("what about walmart?", session_id=sid)
    assert (u.intent.reason, u.question) == ("ellipsis", "do you price match amazon (walmart)?"), u.intent
    sid = _sid()
    understander.understand("do you price match amazon?", session_id=sid)
    assert understander.understand("what about the weather?", session_id=sid).intent.label == "out_of_scope"


def test_accessories_for_a_category_read_what_goes_with_it():
    """"What accessories do you have for phones?" and "what chargers work with phones?" read the
    products of other categories linked to the category's (the last category named is the one
    they go with), before the plan's own reads; a product in focus keeps its compatibility read."""
    from rag.understand.router import asks_for_accessories

    phones = LinkedEntity(kind="category", id="phones", name="Phones", score=1.0, method="exact")
    chargers = LinkedEntity(kind="category", id="chargers-cables", name="Chargers & Cables", score=1.0, method="exact")
    assert asks_for_accessories("any tent accessories?") and not asks_for_accessories("what tents do you have?")
    q = plan_for("recommendation", [phones], [], accessories=True).graph_queries[0]
    assert (q.kind, q.category_ids) == ("category_accessories", ["phones"])
    q = plan_for("compatibility", [chargers, phones], []).graph_queries[0]
    assert (q.kind, q.category_ids) == ("category_accessories", ["chargers-cables", "phones"])
    from rag.understand.constraints import price_constraint
    q = plan_for("recommendation", [phones], [], accessories=True, price=price_constraint("under $50")).graph_queries[0]
    assert (q.kind, q.max_price) == ("category_accessories", 50.0)
    assert not any(x.kind == "category_accessories" for x in plan_for("recommendation", [phones], []).graph_queries)


def test_plain_requests_are_not_negative_and_do_not_escalate(understander):
    """Sentiment v4 called "tell me a joke" negative (0.73), as it did 12% of CLINC150's
    out-of-scope requests, so two such turns handed a calm shopper to a person as "repeated
    contact". v5 also learned real requests as neutral (benchmarks/sentiment_real_messages.py)."""
    sid = _sid()
    for text in ["can I return it if I don't like it?", "tell me a joke", "tell me a joke please",
                 # (a case asked about, after other turns: it apologized "I'm sorry about the trouble.")
                 "and can I return it if I don't like it?", "what if it doesn't fit?", "even if it's unopened?"]:
        u = understander.understand(text, session_id=sid)
        assert u.sentiment.label != "negative" and not u.sentiment.escalate, (text, u.sentiment)


def test_asking_for_the_cheapest_is_no_complaint(understander):
    """The sentiment model calls "and the cheapest?" negative (0.63: "cheap" judges in reviews),
    so the shopper got an apology, and three such turns a handoff as repeated contact. A
    message that asks for a price order or bound without a complaint is neutral."""
    sid = _sid()
    for text in ["the cheapest one", "and the most expensive?", "and the cheapest?", "cheapest?"]:
        u = understander.understand(text, session_id=sid)
        assert u.sentiment.label != "negative" and not u.sentiment.escalate and not u.response.apologize, (text, u.sentiment)
    u = understander.understand("your cheapest tent is too expensive", session_id=_sid())
    assert u.sentiment.label == "negative", u.sentiment


def test_a_category_near_by_meaning_does_not_replace_what_them_refers_to(understander):
    """"What brands make them?" after tents: "make" brings Coffee Makers near by meaning only;
    "them" is the tents."""
    sid = _sid()
    understander.understand("I need a new tent", session_id=sid)
    u = understander.understand("what brands make them?", session_id=sid)
    assert [(e.kind, e.id) for e in u.focus] == [("category", "tents")], u.focus
    assert [(q.kind, q.category_ids) for q in u.plan.graph_queries][0] == ("brands", ["tents"]), u.plan


def test_angry_repeated_contact_escalates(understander):
    sid = _sid()
    understander.understand("my refund still hasn't arrived", session_id=sid)
    u = understander.understand("THIS IS THE THIRD TIME I ASK, this is ridiculous, where is my refund!!",
                                session_id=sid)
    assert u.sentiment.label == "negative"
    assert u.sentiment.escalate and {"anger", "repeated_contact"} <= set(u.sentiment.signals)
    assert u.response.apologize and u.response.handoff_message


def test_a_broken_product_then_what_can_i_do_then_frustration(understander):
    """"My blender broke after 3 months", then "what can I do?" was declined as out of scope, and
    "this is really frustrating" said "I'm sorry ... I don't know". The first is the rule just
    quoted, asked again; frustration is handed to a person."""
    sid = _sid()
    first = understander.understand("my blender broke after 3 months", session_id=sid)
    u = understander.understand("what can I do?", session_id=sid)
    assert u.intent.label == first.intent.label and u.intent.reason == "policy_follow_up", u.intent
    u = understander.understand("this is really frustrating", session_id=sid)
    assert u.sentiment.label == "negative" and "anger" in u.sentiment.signals, u.sentiment
    assert u.sentiment.escalate and u.response.handoff_message


@pytest.mark.parametrize("message, escalate", [
    ("I want to talk to a person", True),
    ("I want a 4 person tent under 300 dollars", False),   # a tent's size, not a request
    ("I need a 2-person tent", False),
    ("Can I talk to someone about the Nimbus Tech Book 690?", True),   # the intent model says product_info
    ("is this a good gift for someone who likes hiking?", False),
])
def test_a_person_is_asked_for_not_a_tent_size(understander, message, escalate):
    u = understander.understand(message, session_id=_sid())
    assert ("human_request" in u.sentiment.signals) is escalate, (message, u.sentiment.signals)


@pytest.mark.parametrize("message, allowed", [
    ("", {"out_of_scope"}),
    ("   \n\t ", {"out_of_scope"}),
    ("😀😀👍", {"greeting_thanks"}),
    (b"\x00\xff\xfe\x81\x92garbage\x00\x01\x02\x03\x04\x05\x06\x07", {"out_of_scope"}),
    ("¿Dónde está mi pedido? Lo compré hace una semana", {"out_of_scope"}),
    ("我的订单在哪里", {"out_of_scope"}),
])
def test_odd_messages_are_handled(understander, message, allowed):
    u = understander.understand(message, session_id=_sid())
    assert u.intent.label in allowed, (message, u.intent)
    assert u.intent.reason
    assert u.vector().shape == (384,)


def test_very_long_message(understander, demo_catalog):
    p = _one_product(demo_catalog)
    text = f"what is the warranty on the {p.title}? " + "blah " * 20_000
    assert len(text) >= 100_000
    u = understander.understand(text, session_id=_sid())
    assert u.intent.label == "warranty" and u.product_ids == [p.id]
    assert len(u.text) <= 2000


def test_embedding_is_reused_when_given(understander, sync_encoder):
    v = sync_encoder.encode(["do you ship to canada"])[0]
    u = understander.understand("do you ship to canada", embedding=v)
    assert u.intent.label == "shipping"
    assert np.array_equal(u.vector(), v)
    assert "embedding" not in u.model_dump_json()


# ------------------------------------------------------------------------------ routing
def test_every_intent_routes(demo_catalog):
    p = _one_product(demo_catalog)
    focus = [LinkedEntity(kind="product", id=p.id, name=p.title, score=1.0, method="exact",
                          brand_id=p.brand, category_id=p.category)]
    for intent in INTENTS:
        plan = plan_for(intent, focus, [])
        assert plan.intent == intent
        if intent in TRANSACTIONAL_INTENTS or intent == "human_agent":
            assert plan.handoff and not plan.retrieve
    assert plan_for("comparison", focus * 2, []).graph_queries[0].kind == "comparison"


def test_a_compatibility_question_reads_what_shoppers_say_about_the_product(demo_catalog):
    """Reviews and bullets say what a product works with ("great card stock that i use with my
    hallmark card studio software"), so a compatibility plan reads them with the graph's links."""
    p = _one_product(demo_catalog)
    focus = [LinkedEntity(kind="product", id=p.id, name=p.title, score=1.0, method="exact",
                          brand_id=p.brand, category_id=p.category)]
    plan = plan_for("compatibility", focus, [])
    assert plan.graph_queries[0].kind == "compatibility"
    assert {"review", "bullet", "cqa", "description"} <= set(plan.passages.sources)
    assert plan.passages.owner_ids == [p.id]


# ------------------------------------------------------------------------------- sessions
def test_sqlite_session_store_ttl_and_delete(tmp_path):
    store = SQLiteSessionStore(tmp_path / "s.sqlite", ttl_s=60)
    s = SessionState.new("abc")
    store.put(s)
    assert store.get("abc").id == "abc"
    s.updated_at = time.time() - 120
    store.put(s)
    assert store.get("abc") is None  # expired
    store.put(SessionState.new("x"))
    assert store.delete("x") and store.get("x") is None and not store.delete("x")


# ------------------------------------------------------------------------ own held-out set
def test_shipped_intent_artifact_and_heldout_macro_f1(sync_encoder):
    """The shipped artifact is versioned with its metrics; re-scored here on the held-out set
    (phrasings from templates disjoint from training)."""
    import json

    from rag.understand.intent import IntentModel
    from rag.understand.training import OWN_HELDOUT, macro_f1, read_labelled

    folder = latest_artifact("intent")
    meta = json.loads((folder / "meta.json").read_text())
    assert meta["encoder"] == "all-MiniLM-L6-v2" and re.fullmatch(r"[0-9a-f]{16}", meta["data_hash"])
    assert set(meta["labels"]) == set(INTENTS) - RULE_INTENTS
    model = IntentModel.load(folder)
    texts, gold = read_labelled(OWN_HELDOUT)
    pred = [d.label for d in model.predict(texts, sync_encoder.encode(texts))]
    f1 = macro_f1(gold, pred)
    shipped = json.loads((folder / "metrics.json").read_text())["heldout"]["macro_f1"]
    assert abs(f1 - shipped) < 0.01
    assert f1 >= 0.85  # target 0.90: see docs/understanding.md for the measured number


def test_picking_from_listed_products_needs_a_pick():
    """From products an answer listed (strict), an ordinal counts with its noun or alone; from
    the candidates of our own clarifying question, as before. The pick is read by its name."""
    listed = [LinkedEntity(kind="product", id=f"p{i}", name=f"Tent {i}", score=1.0, method="selection") for i in range(3)]
    for text, want in [("tell me more about the second one", "p1"), ("the 2nd", "p1"), ("3", "p2"),
                       ("is the last option in stock?", "p2"), ("what's the last day to return it?", None),
                       ("the first time I used it", None), ("and the third?", "p2"),
                       ("what about the last one?", "p2"), ("and the last day?", None)]:
        picked = select_candidate(text, listed, strict=True)
        assert (picked.id if picked else None) == want, text
    assert select_candidate("the first time", listed).id == "p0"  # an answer to our question
    assert name_the_pick("tell me more about the second one", listed[1]) == "tell me more about the Tent 1"
    assert name_the_pick("does the first one have a mic?", listed[1]) == "does the Tent 1 have a mic?"
    assert name_the_pick("is that one in stock?", listed[1]) == "is the Tent 1 in stock?"
    assert name_the_pick("2", listed[1]) == "Tent 1"


@pytest.mark.parametrize("message, wanted", [
    ("blue headphones", True),
    ("four season tents", True),
    ("sleeping bag for winter", True),
    ("sleeping bag rated for below freezing?", True),
    ("sleeping bag comfortable at -5C", True),
    ("sync phone", False),                 # CLINC150 sync_device: a command
    ("phone sarah", False),                # CLINC150 make_call: a name after it
    ("answer the phone", False),           # CLINC150 oos
    ("when's the next phone bill", False), # a question
    ("my headphones broke", False),
])
def test_a_search_of_the_catalog(linker, message, wanted):
    """A category and a few words that narrow it, as typed in a shop's search box; over all of
    CLINC150's 23,700 messages none is read so (measured with the demo store's linker)."""
    from rag.understand.pipeline import searches_the_catalog

    assert searches_the_catalog(message, linker.link(message).entities) is wanted, message


def test_which_one_is_cheapest_asks_for_one():
    """"Which one is cheapest?" (no "the") asks for one product: "does it have a timer?" next is
    about the first listed, not answered "which one do you mean?"."""
    from rag.understand.pipeline import asks_for_one

    assert asks_for_one("which one is cheapest?") and asks_for_one("which is the lightest?")
    assert asks_for_one("and the most expensive?") and not asks_for_one("which ones are waterproof?")
    # "your" too ("does it track sleep?" after it asked which), but not a plural after it
    assert asks_for_one("what's your cheapest smartwatch?") and asks_for_one("the cheapest one please")
    assert not asks_for_one("what are your cheapest tents?") and not asks_for_one("the lightest 4-person tents")


def test_the_blue_one_names_no_product_called_one(linker, demo_catalog):
    """"How much is the navy blue one?" linked the Kestrel One 530 in navy blue: "one" picks a
    thing there. Written "One", after its brand and with its number, it names the model."""
    one = next((p for p in demo_catalog.products if " One " in p.title and "," in p.title), None)
    assert one is not None, "the demo catalog (seeded) has a product named '... One ...'"
    colour = one.title.rsplit(",", 1)[1].strip().lower()
    assert not [e for e in linker.link(f"how much is the {colour} one?").entities if e.kind == "product"]
    named = linker.link(f"tell me about the {one.title.split(',')[0]}").entities
    assert any(e.kind == "product" and e.name.split(",")[0] == one.title.split(",")[0] for e in named), named


def test_a_word_of_the_catalog_is_no_misspelt_name(linker):
    """"a laptop with ChromeOS" linked the brand Chronos ("chromeos" is 80% like it) and the
    answer said "No laptops by Chronos". The catalog's attribute values are words it knows, read
    from the graph (ATTRIBUTE_VALUE_SAMPLE), and never corrected to a name; a misspelt brand
    still is."""
    linked = {(e.kind, e.id) for e in linker.link("I want a laptop with ChromeOS").entities}
    assert linked == {("category", "laptops")}, linked
    assert ("brand", "chronos") in {(e.kind, e.id) for e in linker.link("chronoss smartwatches").entities}


@pytest.mark.parametrize("message, purchase", [
    ("ok I'll take it", True),                      # was declined as out of scope
    ("great, I'll buy it", True),                   # was an order-status request, handed to support
    ("Perfect, I'll take it then, thanks!", True),
    ("add it to my cart please", True),
    ("can I buy it here?", True),
    ("how do I buy it?", True),                     # was "I don't know"
    ("great, how do I order?", True),               # was handed to support as an order change
    ("how do I order a tent?", False),              # how to buy a thing: a search, as before
    ("I'll take it back to the store", False),      # a return
    ("I'll take it if it's waterproof?", False),    # a question about it
    ("I want to buy a tent", False),                # a search
    ("I'll take the cheaper one", True),            # after a comparison: it quoted the dearer's price
    ("ok I'll take the first one", True), ("I'll take the black one then", True),
    ("I'll take the cheaper one if it's in stock?", False),
])
def test_a_purchase_is_told_where_to_buy(understander, message, purchase):
    """The store takes no orders in the chat: a shopper who has decided is told so and where to
    buy, neither declined nor handed to support. Over CLINC150's 23,700 messages and ePQA's and
    hetPQA's 16,597 questions the rule takes none (measured when it was written)."""
    from rag.respond import PURCHASE_REPLY, reply_without_retrieval

    u = understander.understand(message, session_id=_sid())
    assert (u.intent.reason == "purchase") is purchase, (message, u.intent)
    if purchase:
        reply = reply_without_retrieval(u)
        assert u.plan.answer_mode == "smalltalk" and not reply.escalate and not reply.abstained
        assert reply.text.endswith(PURCHASE_REPLY)
        assert reply.text.startswith("Great choice!") is (not message.endswith("?"))


@pytest.mark.parametrize("text, value", [
    ("what's the difference between a 3-season and 4-season tent?", "3-season"),
    ("4-season or 3-season tents?", "4-season"),
])
def test_of_two_values_as_long_the_first_written_is_read(text, value):
    """"The difference between a 3-season and 4-season tent" listed either season's tents, by the
    order a set of strings took in that process (it changed from one run to the next)."""
    from rag.understand.constraints import attribute_constraint

    assert attribute_constraint(text, _tent_keys()).value == value


@pytest.mark.parametrize("text, order", [
    ("something cheap", "asc"), ("not too expensive", "asc"), ("nothing too pricey please", "asc"),
    ("cheap ones please", "asc"), ("it feels cheap", None), ("this is not very expensive", None),
    ("is it too expensive?", None),
])
def test_cheap_said_alone_asks_for_the_cheapest_first(text, order):
    """After a listing, "something cheap" or "not too expensive" asks for the cheapest first (it
    listed in no order, and "not too expensive" apologized as a complaint); a judgement of a
    product ("it feels cheap", "this is not very expensive") asks for nothing."""
    from rag.understand.constraints import price_constraint

    assert price_constraint(text).order == order, text


def test_several_conditions_without_amounts_are_all_kept():
    """"In-ear headphones with noise cancelling" kept the noise cancelling alone (the first
    condition without an amount won); a value written with a number is no amount ("5g" is a
    network, not 5 g of weight; "3.5mm jack" no 3.5 mm driver); "a tent for 2" counts people;
    "ultralight" asks for the lightest first; a yes/no key is named without its qualifier
    ("works with wireless charging")."""
    from rag.understand.constraints import AttributeKey as K
    from rag.understand.constraints import attribute_constraints

    def said(text, keys):
        return [c.describe() for c in attribute_constraints(text, keys)]

    headphones = [K("type", None, ("over-ear", "in-ear")), K("noise_cancelling", None, ("yes", "no")),
                  K("connectivity", None, ("bluetooth 5.3, usb-c", "3.5 mm jack")),
                  K("driver_size", "mm", ("6", "40")), K("weight", "g", ("4", "220"))]
    assert said("in-ear headphones with noise cancelling", headphones) == ["noise cancelling: yes", "type: in-ear"]
    assert said("headphones with a 3.5mm jack", headphones) == ["connectivity: 3.5 mm jack"]
    phones = [K("network", None, ("5g", "4g lte")), K("weight", "g", ("140", "240"))]
    assert said("cheapest 5g phone", phones) == ["network: 5g"]
    assert said("a phone under 150 g", phones) == ["weight: 150 g or less"]
    assert said("ultralight tent for 2", _tent_keys()) == ["capacity: 2 persons or more", "weight, lowest first"]
    assert said("a tent for 2 under $400", _tent_keys()) == ["capacity: 2 persons or more"]
    assert said("a tent for 2 years", _tent_keys()) == []
    cases = [K("wireless_charging_compatible", None, ("yes", "no")), K("drop_protection", "m", ("1.2", "4"))]
    assert said("a case that works with wireless charging", cases) == ["wireless charging compatible: yes"]


@pytest.mark.parametrize("message, store", [
    ("do u have student discounts?", True), ("what are your customer service hours?", True),
    ("what's your phone number?", True), ("do you charge sales tax?", True),
    ("are your products new or refurbished?", True), ("do you have a warehouse in europe?", True),
    ("can I use two discount codes?", True), ("do you give store credit?", True), ("do you do trade ins", True),
    ("what is your name?", False), ("can you calculate my state taxes", False), ("what is the weather", False),
    ("is there a better way to check my visa rewards card balance", False),
])
def test_a_question_about_the_store_itself(message, store):
    """The store's own services and whereabouts ("do you have student discounts?") were
    declined as out of scope ("I can only help with questions about ... store policies"): they
    are about the store; not the shopper's own taxes or cards, nor the assistant."""
    from rag.understand.request import asks_about_the_store

    assert asks_about_the_store(message) == store


@pytest.mark.parametrize("message, wish", [
    ("for the gym", True), ("mostly for travel", True), ("I like espresso", True), ("preferably black", True),
    ("wireless", True), ("glass jar", True),
    ("ok", False), ("no thanks", False), ("who are you?", False), ("tell me a joke please now", False),
    ("for how long?", False),
])
def test_what_the_shopper_wants_of_a_listing(message, wish):
    """After a listing, "for the gym", "I like espresso" and "wireless" say what is wanted of it
    (each was declined as out of scope, "wireless" linked to phones by meaning)."""
    from rag.understand.pipeline import wants_of_the_listing

    assert wants_of_the_listing(message) == wish


def test_values_that_name_a_kind_of_product_of_one_category():
    """"Do you have power banks?" asked which product was meant and "aramid fiber case" was
    declined: a value of two words or more that one category's products alone have names it; a
    value of one word ("glass") or of several categories ("usb-c") names none, nor does a colour."""
    from rag.understand.linker import values_naming_categories

    named = values_naming_categories({
        "chargers": ["power bank", "wall charger", "usb-c"], "phone-cases": ["aramid fiber", "leather"],
        "phones": ["usb-c", "4g lte"], "blenders": ["glass"], "kitchen": []})
    assert named == {"power bank": "chargers", "wall charger": "chargers", "aramid fiber": "phone-cases",
                     "4g lte": "phones"}


@pytest.mark.parametrize("text, low, high", [
    ("my budget is around 100", 80.0, 120.0),     # it listed the cheapest first, unbounded
    ("phones under 300 with 128gb", None, 300.0),  # the price was lost before "with"
    ("tents under 3 kg", None, None),
    ("a 4 season tent under 500", None, 500.0),    # a number before it lost it
    ("a 2 person tent under 300", None, 300.0),
    ("a tent for under 4 people", None, None),
    ("under 200 each", None, 200.0),               # "each" lost it
    ("I don't want to spend more than 800", None, 800.0),  # no price: read as a return question
    ("I dont want to pay more than $300", None, 300.0),    # (it was $300 to $300)
    ("no more than $50", None, 50.0),                      # (so was this)
    ("not more than 800", None, 800.0),
    ("over $100 but no more than $300", 100.0, 300.0),
    ("more than 800 reviews", None, None),
    ("under 500 if possible", None, 500.0),  # "if possible" lost it
    ("under 300 or so", None, 300.0),
    ("my daughter needs a laptop for school, budget 700", None, 700.0),  # read as "budget": cheapest first
    ("my budget is 700", None, 700.0),
    ("laptop budget 700 max", None, 700.0),
    ("budget 2 person tent", None, None),
])
def test_prices_said_in_more_ways(text, low, high):
    from rag.understand.constraints import price_constraint

    c = price_constraint(text)
    assert (c.min_price, c.max_price) == (low, high), (text, c)
    if "budget" in text and high is not None:
        assert c.order is None, c  # a budget with its amount bounds the price: no cheapest first


def test_a_name_with_its_version_is_named_by_the_name():
    """"Which laptops run windows?" said "I don't know": the operating system Windows 11."""
    from rag.understand.constraints import AttributeKey as K
    from rag.understand.constraints import attribute_constraint

    laptops = [K("operating_system", None, ("windows 11", "linux", "chromeos")), K("ram", "GB", ("16 gb",))]
    c = attribute_constraint("which laptops run windows?", laptops)
    assert c is not None and (c.key, c.value) == ("operating_system", "windows 11"), c
    two = [K("connectivity", None, ("bluetooth 5.0", "bluetooth 5.3"))]
    assert attribute_constraint("bluetooth headphones", two) is None  # which one is not said


def test_noise_cancellation_is_noise_cancelling():
    """"with noise cancellation" after earbuds listed every pair ("I can't tell ...")."""
    from rag.understand.constraints import AttributeKey as K
    from rag.understand.constraints import attribute_constraint

    c = attribute_constraint("with noise cancellation", [K("noise_cancelling", None, ("yes", "no"))])
    assert c is not None and (c.key, c.value) == ("noise_cancelling", "yes"), c


def test_the_fastest_is_the_most_watts():
    """"what charger is the fastest?" said "I don't know": the one wattage, highest first."""
    from rag.understand.constraints import AttributeKey as K
    from rag.understand.constraints import attribute_constraint

    chargers = [K("wattage", "W", ("20 w", "100 w")), K("length", "m", ("1 m",))]
    c = attribute_constraint("what charger is the fastest?", chargers)
    assert c is not None and c.key == "wattage" and not c.lowest_first, c
    assert attribute_constraint("fast shipping chargers", chargers) is None


def test_light_is_light_in_weight():
    """"Something light" after tents listed them in no order: the lightest first. Not a colour."""
    from rag.understand.constraints import AttributeKey as K
    from rag.understand.constraints import attribute_constraint, only_a_condition

    tents = [K("weight", "kg", ("4.1 kg", "1.2 kg")), K("capacity", "persons", ("2 persons",))]
    for text in ("something light", "a light tent", "light one please"):
        c = attribute_constraint(text, tents)
        assert c is not None and c.key == "weight" and c.lowest_first, (text, c)
    assert attribute_constraint("light grey", tents) is None
    assert only_a_condition("under 200 each")
    laptops = [K("battery_life", "h", ("6 h", "22 h")), K("weight", "kg", ("1.2 kg",))]
    c = attribute_constraint("laptop with long battery and light", laptops)
    assert c is not None and c.key == "battery_life" and not c.lowest_first, c  # (not the least battery)


def test_a_temperature_in_fahrenheit_is_read_in_celsius():
    """"A sleeping bag rated to 0 degrees fahrenheit" listed bags rated 0 °C or less."""
    from rag.understand.constraints import AttributeKey as K
    from rag.understand.constraints import attribute_constraint

    bags = [K("temperature_rating", "°C", ("-9", "10")), K("weight", "g", ("1584",))]
    for text, bound in (("sleeping bag rated to 0 degrees fahrenheit", -18), ("a 20°F sleeping bag", -7)):
        c = attribute_constraint(text, bags)
        assert c is not None and c.max_value == bound, (text, c)


def test_a_number_below_zero_alone_is_a_temperature():
    """"Sleeping bag -10" listed every sleeping bag (read as a comparison with nothing to
    compare): only a temperature is below zero; a range keeps both its ends."""
    from rag.understand.constraints import AttributeKey as K
    from rag.understand.constraints import attribute_constraint

    bags = [K("temperature_rating", "°C", ("-9", "10")), K("weight", "g", ("1584",))]
    c = attribute_constraint("sleeping bag -10", bags)
    assert c is not None and c.key == "temperature_rating" and c.max_value == -10, c
    c = attribute_constraint("sleeping bags from -15 to -5 c", bags)
    assert c is not None and (c.min_value, c.max_value) == (-15, -5), c


@pytest.mark.parametrize("template", ["do you have a case for the {}?", "what case fits the {}?",
                                      "which case works with the {}?", "what case would you recommend for the {}?"])
def test_a_thing_asked_for_a_product_is_of_the_kind_made_for_it(linker, demo_catalog, template):
    """"Case" alone names no category; asked for a phone it is a phone case, also before "fits",
    "works with" and after "would you recommend" (it led with a smartwatch made for the phone,
    or listed any cases)."""
    from rag.understand.pipeline import accessory_named_for_its_product

    phone = next(p for p in demo_catalog.products if p.category == "phones")
    message = template.format(phone.title.split(",")[0])
    mentioned = linker.link(message).entities
    found = accessory_named_for_its_product(message, mentioned, linker)
    assert found is not None and found.id == "phone-cases", (message, mentioned)


def test_chat_shorthand_is_written_out():
    """"wat about sleeping bags" was no "what about ...?" to the rules (nor "ur", "n")."""
    from rag.understand.pipeline import written_out

    assert written_out("whats ur cheapest tent") == "whats your cheapest tent"
    assert written_out("wat about sleeping bags") == "what about sleeping bags"
    assert written_out("n backpacks?") == "and backpacks?"
    assert written_out("backpack w/ laptop sleeve, thx") == "backpack with laptop sleeve, thanks"
    assert written_out("the Vireo Boost 200 n") == "the Vireo Boost 200 n"  # a letter elsewhere stays
    assert written_out("a u-lock") == "a u-lock"


def test_an_english_word_with_an_ending_is_no_typo(linker):
    """"camper" (camp + er, two WordPiece pieces) was corrected to the brand word "ampere", and
    "what would you recommend for a beginner camper?" answered "No tents by Ampere Co"."""
    r = linker.link("what would you recommend for a beginner camper?")
    assert not [e for e in r.entities if e.kind == "brand"], r.entities
    assert [e.id for e in linker.link("headphnes").entities] == ["headphones"]  # a typo still is one


@pytest.mark.parametrize("message, spelled, not_intent", [
    ("do u have blendrs", {"blendrs": "blenders"}, "out_of_scope"),
    ("smartwach with heart rate monitor", {"smartwach": "smartwatch"}, "out_of_scope"),
    ("whats ur retrun policy", {"retrun": "return"}, "out_of_scope"),
    ("how long is the warrenty on laptops", {"warrenty": "warranty"}, "out_of_scope"),
    ("waterprof backpack", {"waterprof": "waterproof"}, "out_of_scope"),  # (a value's word)
    ("goose dwon sleeping bag", {"dwon": "down"}, "out_of_scope"),       # (two letters swapped)
    ("cheep blender", {"cheep": "cheap"}, "out_of_scope"),
])
def test_typos_are_corrected_before_the_models_read_them(understander, message, spelled, not_intent):
    """"Do u have blendrs" was declined as out of scope though the linker read Blenders, and
    "whats ur retrun policy" said "I don't know": the intent model never saw those words. A typo
    of a brand's or category's name, or of a word shoppers ask about the store with, is corrected
    first, and the understanding says so."""
    u = understander.understand(message, session_id=_sid())
    assert u.spelled == spelled and u.intent.label != not_intent, (u.spelled, u.intent)
    assert all(read in u.text for read in spelled.values()), u.text


@pytest.mark.parametrize("message", ["do you sell iphones?", "I'm looking for a tent", "is the Kestrel good?",
                                     "what would you recommend for a beginner camper?",
                                     "what is the priciest item in your store?", "I haven't received my refund"])
def test_no_word_is_corrected_that_is_no_typo(understander, message):
    """An English word, a name of the catalog, or a longer word holding a name ("iphone" is no
    misspelled "phone") stays as typed; so does a word of another length than the store's word
    it is near ("priciest" was corrected to "prices"), and a store's word itself ("refund" was
    corrected to "refunds")."""
    assert understander.understand(message, session_id=_sid()).spelled == {}


def test_chat_shorthand_of_verbs_is_written_out():
    """"does it hav wireless charging" was no "does it have ...?" to the feature rule (it quoted
    the phone's charging port), "i dont want" no negation."""
    from rag.understand.pipeline import written_out

    assert written_out("does it hav wireless charging") == "does it have wireless charging"
    assert written_out("i dont want a tent over 3kg") == "i don't want a tent over 3kg"
    assert written_out("im looking for ths one") == "I'm looking for this one"


def test_each_value_a_product_lists_several_of_is_a_condition():
    """"A smartwatch with gps and ecg" listed the ones with GPS (one condition per attribute);
    a product lists several sensors, so each value written is one ("gps or ecg" asks for
    either). "A blue smartwatch with gps" lost its colour (a value by its last word was read only
    when no other value was); "10 speeds" counts an attribute without a unit; "I don't want a tent
    over 3 kg" and "nothing over $200" bound from above (both listed the ones above it)."""
    from rag.understand.constraints import AttributeKey as K
    from rag.understand.constraints import attribute_constraints, price_constraint

    def said(text, keys):
        return [c.describe() for c in attribute_constraints(text, keys)]

    watches = [K("sensors", None, ("heart rate, ecg, gps", "gps", "heart rate, spo2")),
               K("color", None, ("navy blue", "red")), K("battery_life", "h", ("24", "336"))]
    assert said("smartwatch with gps and ecg", watches) == ["sensors: gps", "sensors: ecg"]
    assert said("a smartwatch with ecg and heart rate", watches) == ["sensors: ecg", "sensors: heart rate"]
    assert said("smartwatch with gps or ecg", watches) == ["sensors: gps"]
    assert said("blue smartwatch with gps", watches) == ["sensors: gps", "color: navy blue"]
    blenders = [K("speeds", None, ("3", "5", "10")), K("capacity", "L", ("1.0", "2.0"))]
    assert said("a blender with 10 speeds", blenders) == ["speeds: 10 or more"]
    assert said("a 3-speed blender", blenders) == ["speeds: 3"]
    assert said("which blender has the most speeds?", blenders) == ["speeds, highest first"]
    tents = [k for k in _tent_keys() if k.key != "weight_limit"]  # (one attribute in kg)
    assert said("i don't want a tent over 3kg", tents) == ["weight: 3 kg or less"]
    assert said("a tent, nothing above 2 kg", tents) == ["weight: 2 kg or less"]
    assert said("tents over 3kg", tents) == ["weight: 3 kg or more"]
    assert price_constraint("tents, nothing over 200 dollars").max_price == 200
    assert price_constraint("tents, nothing over 200 dollars").min_price is None
    assert price_constraint("tents over $300").min_price == 300


def test_an_amount_goes_to_the_attribute_named_next_to_it():
    """"Laptops with at least 16gb ram and 1tb storage under 2000" kept no condition: both keys
    in GB were named, so neither amount was given to one; and the price, after nine words, was
    no bound. Each amount is the key named next to it."""
    from rag.understand.constraints import AttributeKey as K
    from rag.understand.constraints import attribute_constraints, price_constraint

    laptops = [K("ram", "GB", ("8", "16", "32", "64")), K("storage", "GB", ("256", "512", "1024", "2048"))]
    text = "laptops with at least 16gb ram and 1tb storage under 2000"
    assert sorted(c.describe() for c in attribute_constraints(text, laptops)) == [
        "ram: 16 GB or more", "storage: 1024 GB (1 tb) or more"]
    assert sorted(c.describe() for c in attribute_constraints("laptop with 32 GB of RAM and 512 GB of storage",
                                                              laptops)) == ["ram: 32 GB or more", "storage: 512 GB or more"]
    assert price_constraint(text).max_price == 2000


def test_a_comparison_for_the_cold_measures_warmth():
    """"Which is better for winter?" of two sleeping bags said it depends: the warmer. (For
    travel, which this test once read as no measure, is now the lighter: the thirty-first
    session; a purpose no detail measures still is none.)"""
    from rag.understand.constraints import measured_comparative

    assert measured_comparative("which is better for winter?")[2] == "warmest"
    assert measured_comparative("which is better for travel?")[2] == "lightest"
    assert measured_comparative("which is better for gaming?") is None


def test_products_listed_with_commas_are_each_linked(linker, demo_catalog):
    """"Compare the X, the Y and the Z" linked Y and Z alone (a comma was no boundary: a title's
    comes before its colour)."""
    phones = [p for p in demo_catalog.products if p.category == "phones" and "," in p.title][:3]
    names = [p.title.split(",")[0] for p in phones]
    r = linker.link(f"compare the {names[0]}, the {names[1]} and the {names[2]}")
    assert len([e for e in r.entities if e.kind == "product"]) == 3, r.entities


def test_the_linker_knows_which_kinds_go_together(linker, demo_catalog):
    """Read from the graph (kg.cypher.LINKED_CATEGORIES) as from the catalog: the kinds whose
    products are linked, either way ("what charger do I need?" on a phone's page asks of one)."""
    from rag.understand.linker import EntityLinker

    assert linker.goes_with("phones", "phone-cases") and linker.goes_with("phone-cases", "phones")
    assert not linker.goes_with("phones", "tents") and not linker.goes_with(None, "phones")
    assert EntityLinker.from_catalog(demo_catalog)._linked == linker._linked
