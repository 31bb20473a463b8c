"""Yes or no to a bound asked of one product (rag.verdict), read off the cited fact: the same
parser that narrows listings reads the bound, so "for 4 people" or "good for -10" mean here what
they mean in a search. No store is needed: the evidence is written as the graph writes it."""

import pytest

from rag.types import Evidence
from rag.verdict import bound_verdict, compared_verdict, may_ask_a_bound


def _attribute(product: str, key: str, title: str, value: str) -> Evidence:
    return Evidence(id=f"{product}#attr:{key}", text=f"{title}: {key.replace('_', ' ')}: {value}.",
                    kind="graph_fact", owner_id=product, owner_kind="product", source="attribute")


TENT = _attribute("p1", "capacity", "Trailhead Meadow 780 Tent", "2 persons")
TENT_WEIGHT = _attribute("p1", "weight", "Trailhead Meadow 780 Tent", "7.7 kg")
BAG = _attribute("p2", "temperature_rating", "Northpeak Cocoon 940 Sleeping Bag", "-9 °C")
BLENDER = _attribute("p3", "capacity", "PulsePro Blend 610 Blender, Black", "1.0 L")
HEADPHONES = _attribute("p4", "battery_life", "Bassline Halo 150 Wireless Headphones", "24 h")
PRICE = Evidence(id="p3#price", text="PulsePro Blend 610 Blender, Black costs $461.99.", kind="graph_fact",
                 owner_id="p3", owner_kind="product", source="price")
VARIANT_PRICES = Evidence(id="p5#price", text="X Phone costs $899.00 in Black and $949.00 in Blue.",
                          kind="graph_fact", owner_id="p5", owner_kind="product", source="price")


@pytest.mark.parametrize("question, fact, verdict", [
    ("does it fit 4 people?", TENT, "No"),
    ("does it sleep 2?", TENT, "Yes"),
    ("is it good for a family of 4?", TENT, "No"),
    ("is it under 3 kg?", TENT_WEIGHT, "No"),
    ("is it over 5 kg?", TENT_WEIGHT, "Yes"),
    # a temperature rating measures the other way round: rated -9 °C keeps one warm at -5, not -10
    ("is it good for -10?", BAG, "No"),
    ("is this warm enough for -5", BAG, "Yes"),
    ("will it keep me warm at 0 degrees?", BAG, "Yes"),
    ("is it warm enough for 0 degrees fahrenheit?", BAG, "No"),  # -18 °C
    ("does it hold 2 liters?", BLENDER, "No"),
    ("is it at least 1 litre?", BLENDER, "Yes"),
    ("does the battery last 20 hours?", HEADPHONES, "Yes"),
    ("does it last 30 hours?", HEADPHONES, "No"),
    ("is it under $500?", PRICE, "Yes"),
    ("is it under 300?", PRICE, "No"),
    ("does it cost more than 400 dollars?", PRICE, "Yes"),
    ("is it under $1000?", VARIANT_PRICES, "Yes"),
])
def test_a_bound_asked_is_met_or_not(question, fact, verdict):
    assert bound_verdict(question, [fact]) == verdict


@pytest.mark.parametrize("question, evidence", [
    ("is it heavy?", [TENT_WEIGHT]),  # no number
    ("how heavy is it, under 3 kg?", [TENT_WEIGHT]),  # no yes or no
    ("is it 7 kg?", [TENT_WEIGHT]),  # a value asked, not a bound, and not the one cited
    ("is it under $900?", [VARIANT_PRICES]),  # one colour is, one is not
    ("is it under 2 kg?", [PRICE]),  # the measure asked is not cited
    ("are they under 3 kg?", [TENT_WEIGHT, _attribute("p9", "weight", "Other Tent", "2 kg")]),  # two products
    # an amount in the fact's unit said of another thing: a phone's only key in GB is its storage
    ("does it have at least 8gb of ram?", [_attribute("p6", "storage", "Veltro Lite 600", "512 GB")]),
    ("does it hold at least 2 liters of water?", [BLENDER]),
])
def test_no_verdict_without_one_cited_measure_that_decides(question, evidence):
    assert bound_verdict(question, evidence) is None


def test_the_very_value_asked_is_a_yes():
    assert bound_verdict("is it 7.7 kg?", [TENT_WEIGHT]) == "Yes"


def test_only_a_yes_or_no_with_a_number_may_have_one():
    assert may_ask_a_bound("does it fit four people?") and may_ask_a_bound("is it under $500?")
    assert not may_ask_a_bound("how much is it?") and not may_ask_a_bound("is it waterproof?")


LAPTOP_WEIGHT = _attribute("p7", "weight", "Nimbus Tech Flex 360 Laptop, Silver", "2.18 kg")
LAPTOP_PRICE = Evidence(id="p7#price", text="Nimbus Tech Flex 360 Laptop, Silver costs $1,364.99.", kind="graph_fact",
                        owner_id="p7", owner_kind="product", source="price")


@pytest.mark.parametrize("question, evidence, verdict", [
    ("is it under 3 kg and under $1500?", [LAPTOP_WEIGHT, LAPTOP_PRICE], "Yes"),
    ("is it under 3 kg and under $1000?", [LAPTOP_WEIGHT, LAPTOP_PRICE], "No"),
    ("is it under 2 kg and under $1500?", [LAPTOP_WEIGHT], "No"),  # one no decides "and"
    ("is it under 3 kg and under $100?", [LAPTOP_WEIGHT], None),  # the price is not cited
    ("is it under 2 kg or under $1500?", [LAPTOP_WEIGHT, LAPTOP_PRICE], "Yes"),  # one yes decides "or"
    ("is it under 2 kg or under $1500?", [LAPTOP_WEIGHT], None),
    ("is it under $1,500?", [LAPTOP_PRICE], "Yes"),  # (one amount, written with a comma)
    ("is the Nimbus Tech Flex 360 under 3 kg?", [LAPTOP_WEIGHT], "Yes"),  # (the 360 is its name)
])
def test_several_bounds_are_each_decided_or_one_decides_them_all(question, evidence, verdict):
    assert bound_verdict(question, evidence) == verdict


def test_one_is_no_number_asked_of():
    network = _attribute("p8", "network", "Zenfone Labs One 870 Smartphone, Graphite", "5G")
    assert bound_verdict("does the first one have 5g", [network]) == "Yes"
    assert not may_ask_a_bound("is this one waterproof?")


def test_a_duration_in_days_is_read_in_the_hours_stored():
    """"Is the battery life more than 3 days?" of a watch's 24 h had no bound it could read: days
    are 24 hours (so "battery life over 2 days" narrows a listing to 48 h or more)."""
    from rag.understand.constraints import AttributeKey, attribute_constraints

    assert bound_verdict("is the battery life more than 3 days?", [HEADPHONES]) == "No"
    assert bound_verdict("does the battery last more than 0.5 days?", [HEADPHONES]) == "Yes"
    (bound,) = attribute_constraints("smartwatches with battery life over 2 days",
                                     [AttributeKey("battery_life", "h", ("24", "48"))])
    assert bound.min_value == 48 and bound.describe() == "battery life: 48 h (2 days) or more"


@pytest.mark.parametrize("question, verdict", [
    ("does it have more than 3 speeds?", "No"),  # (it said "Yes.": the bound was read as 3 or more)
    ("does it have over 3 speeds?", "No"),
    ("does it have at least 3 speeds?", "Yes"),
    ("does it have 3 speeds or more?", "Yes"),
    ("does it have fewer than 3 speeds?", "No"),
    ("does it have no more than 3 speeds?", "Yes"),
    ("does it have more than 2 speeds?", "Yes"),
])
def test_a_bound_that_leaves_its_own_value_out_is_a_no_at_that_value(question, verdict):
    """"Does it have more than 3 speeds?" of a 3-speed blender said "Yes.": the parser reads every
    bound as inclusive (as listings do), and "more than", "over", "under" leave the value out."""
    speeds = _attribute("p9", "speeds", "Morning Ritual Crush 890 Blender, Black", "3")
    assert bound_verdict(question, [speeds]) == verdict


def test_a_price_at_a_bound_that_leaves_it_out_is_a_no():
    assert bound_verdict("is it under $461.99?", [PRICE]) == "No"
    assert bound_verdict("is it $461.99 or less?", [PRICE]) == "Yes"


WEIGHTS = Evidence(id="compare:p1|p2#weight", kind="graph_fact", source="comparison", owner_id="p1",
                   text="Weight: Nimbus Tech Book 690 Laptop, Silver: 1.77 kg; Nimbus Tech Flex 360 Laptop, Silver: "
                        "2.18 kg (the lightest is Nimbus Tech Book 690 Laptop, Silver).")
PRICES = Evidence(id="compare:p1|p2#price", kind="graph_fact", source="comparison", owner_id="p1",
                  text="Price: Veltro Lite 600 Smartphone, Graphite: $1,240.99; Veltro Mini 50 Smartphone, Black: "
                       "$811.99 (the cheapest is Veltro Mini 50 Smartphone, Black).")
SAME = Evidence(id="compare:p1|p2#storage", kind="graph_fact", source="comparison", owner_id="p1",
                text="Storage: A Phone: 512 GB; B Phone: 512 GB (the same for both).")


@pytest.mark.parametrize("question, evidence, verdict", [
    ("is it lighter than the nimbus tech flex 360?", [WEIGHTS], "Yes"),
    ("is it cheaper than the veltro mini 50?", [PRICES], "No"),
    ("is this one cheaper than the veltro mini 50?", [PRICES], "No"),
    ("is it bigger than the B phone?", [SAME], "No"),
    ("is it heavier than the nimbus tech flex 360?", [WEIGHTS], None),  # (the row names the lightest)
    ("is the other one lighter?", [WEIGHTS], None),  # (not the first compared)
    ("is the flex 360 lighter than the book 690?", [WEIGHTS], None),  # (named: which is first is not read)
])
def test_one_product_asked_of_against_another_is_told_by_their_row(question, evidence, verdict):
    """"Is it cheaper than the Veltro Mini 50?" on the Veltro Lite 600's page: the two prices side
    by side, and the no the row gives (the first compared is the one asked of)."""
    assert compared_verdict(question, evidence) == verdict
