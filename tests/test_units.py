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
