"""One table of units (rag/units.py) for the three readers that used to keep their own: numbers
with units in the grounding check, listing conditions, and what an attribute value states."""

from collections import Counter

from rag.textutil import numbers
from rag.units import UNITS_OF_MEASURE, canonical, spellings, unit_written


def test_every_spelling_names_one_unit():
    counts = Counter(s for unit in UNITS_OF_MEASURE for s in unit.spellings)
    assert not [s for s, n in counts.items() if n > 1]
    assert all(unit.name in unit.spellings for unit in UNITS_OF_MEASURE)


def test_spellings_map_to_the_stored_name():
    assert [canonical(w) for w in ("kilos", "KG", "hours", "hrs", "°C", "degrees", "people", "gigabytes")] == \
        ["kg", "kg", "h", "h", "°c", "°c", "persons", "gb"]
    assert canonical("tent") is None and unit_written("cheap") is None
    assert "kilograms" in spellings("kg") and spellings("kilograms") == spellings("kg")  # a catalog may store either
    assert spellings("furlongs") == frozenset({"furlongs"})


def test_numbers_read_units_by_the_same_table():
    assert numbers("sleeps 4 people, 2 pounds, 30 days, 24 h, 90% off, $19.99") == [
        ("4", "persons"), ("2", "lb"), ("30", "day"), ("24", "h"), ("90", "%"), ("19.99", "$")]
    # "2 pounds" is not "2 kg" (the grounding check compares units when both sides have one)
    assert dict(numbers("2 pounds"))["2"] != dict(numbers("2 kg"))["2"]


def test_a_measure_converts_within_its_kind_only():
    """What a value reads in another unit of its measure ("how much does it weigh in pounds?"
    got "1.77 kg" alone)."""
    from rag.units import convert, shown

    assert shown(convert(1.77, "kg", "lb")) == "3.9" and shown(convert(16, "in", "cm")) == "40.6"
    assert shown(convert(7.7, "kg", "lb")) == "17" and shown(convert(254, "cm", "mm")) == "2540"
    assert round(convert(-18, "°c", "°f"), 1) == -0.4 and convert(5, "kg", "cm") is None
    assert convert(3, "h", "min") is None  # (no table for it: nothing converted)


def test_the_grounding_check_takes_a_value_in_another_unit_of_its_measure():
    from rag.grounding import converts_to

    assert converts_to("1.77", "kg", "3.9", "lb") and converts_to("16", "in", "40.6", "cm")
    assert not converts_to("1.77", "kg", "4.5", "lb") and not converts_to("2", "kg", "2", "cm")
    assert not converts_to("2", None, "2", "lb")


def test_an_answer_gives_a_measure_in_the_unit_asked_for():
    from rag.context import build_context
    from rag.generate import Answerer, ExtractiveGenerator
    from rag.generate.extractive import asked_unit
    from rag.grounding import ground
    from rag.types import Evidence

    assert [asked_unit(q) for q in ("what's the screen size in cm?", "how many pounds is it?", "is it in stock?",
                                    "how many people does it sleep?", "what's the rating in fahrenheit?",
                                    "how many cups does it make?")] == \
        ["cm", "lb", None, None, "°f", None]  # (coffee cups are no 237 ml cups)
    evidence = [Evidence(id="p1#attr:weight", kind="graph_fact", source="attribute", owner_id="p1", owner_kind="product",
                         text="Book 690 Laptop: weight: 1.77 kg.")]
    answer = Answerer(ExtractiveGenerator()).answer("how much does it weigh in pounds?", evidence)
    assert answer.text == "Book 690 Laptop: weight: 1.77 kg (3.9 lb) [1]." and answer.grounded, answer
    from rag.generate.extractive import with_converted

    assert with_converted("Tents: A (p1) at $99.99, 1.2 kg; B (p2) at $120.00, 1.6 kg", "lb") == \
        "Tents: A (p1) at $99.99, 1.2 kg (2.6 lb); B (p2) at $120.00, 1.6 kg (3.5 lb)"  # each, not the first alone
    assert with_converted("weight: 3 lb", "lb") == "weight: 3 lb"
    wrong = ground("Book 690 Laptop: weight: 1.77 kg (4.5 lb) [1].", build_context(evidence), "in pounds?")
    assert wrong.abstained or "4.5" not in wrong.text, wrong


def test_a_temperature_asked_in_fahrenheit_is_given_in_it_and_grounded():
    """"What's it rated to in fahrenheit?" got "10 °C" alone: the grounding check read no unit
    after a degree sign, nor a minus, so a converted temperature could not be checked."""
    from rag.context import build_context
    from rag.generate import Answerer, ExtractiveGenerator
    from rag.grounding import ground
    from rag.textutil import numbers
    from rag.types import Evidence

    assert numbers("-18 °C (-0.4 °F), 3-5 days") == [("-18", "°c"), ("-0.4", "°f"), ("3", None), ("5", "day")]
    evidence = [Evidence(id="p1#attr:temperature_rating", kind="graph_fact", source="attribute", owner_id="p1",
                         owner_kind="product", text="Ember 40 Sleeping Bag: temperature rating: -18 °C.")]
    answer = Answerer(ExtractiveGenerator()).answer("what's it rated to in fahrenheit?", evidence)
    assert answer.text == "Ember 40 Sleeping Bag: temperature rating: -18 °C (-0.4 °F) [1]." and answer.grounded, answer
    for claim in ("rated to 18 °C [1].", "rated to -18 °F [1].", "rated to 0 °F [1]."):  # a sign or a unit lost
        wrong = ground(f"Ember 40 Sleeping Bag: temperature rating: {claim}", build_context(evidence), "rating?")
        assert wrong.abstained or claim.split(" [")[0] not in wrong.text, (claim, wrong.text)
