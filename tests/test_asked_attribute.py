"""Which attribute a question names, and whether a sentence states it (no model: pure text)."""

from __future__ import annotations

import pytest

from rag.textutil import content_words
from rag.understand.asked_attribute import asked_attribute, asked_feature, unstated

NAMED = frozenset(content_words("Nimbus Tech Book 690 Laptop Veltro Lite 600 Summit Gear Basecamp 410 Tent"))


@pytest.mark.parametrize(("question", "attribute"), [
    ("What is the refresh rate of the Nimbus Tech Book 690 Laptop screen?", "refresh rate"),
    ("what's the battery capacity on this phone?", "battery capacity"),
    ("What OS does the Nimbus Tech Book 690 Laptop run?", "os"),
    ("what material is the tent made of?", "material"),
    ("What is the Veltro Lite 600's screen size?", "screen size"),
    ("what's the water resistance rating of the watch?", "water resistance"),  # "rating" names no attribute
    ("which one has the bigger battery?", "battery"),  # the attribute compared ("bigger" alone is size)
    ("which has more storage?", "storage"),
])
def test_the_attribute_a_question_names(question, attribute):
    assert asked_attribute(question, NAMED) == frozenset(content_words(attribute))


@pytest.mark.parametrize("question", [
    "What is the price of the Veltro Lite 600?",          # the price, not an attribute
    "what is the best tent for 4 people?",                # asks for a tent
    "What is the warranty on the Summit Gear Basecamp 410 Tent?",
    "How warm is the sleeping bag?",                      # no attribute named: read by meaning
    "how much does it hold?",
    "which is bigger?",                                   # a comparison of size, by meaning
    "which has better reviews?",                          # reviews are no attribute
])
def test_questions_that_name_no_attribute(question):
    assert asked_attribute(question, NAMED) == frozenset()


@pytest.mark.parametrize(("question", "sentence", "states"), [
    # in its words, or by the unit of its value
    ("What is the camera resolution of the Veltro Lite 600?", "Veltro Lite 600: main camera: 12 MP.", True),
    ("What is the battery capacity of the Veltro Lite 600?", "Veltro Lite 600: battery capacity: 3500 mAh.", True),
    ("What is the weight of the tent?", "Summit Gear Basecamp 410: A 4-season tent that weighs 4.1 kg.", True),
    ("What is the volume of the backpack?", "X: capacity: 28 L.", True),
    # another attribute that shares a word, or none
    ("What is the battery capacity of the watch?", "X: battery life: 24 h.", False),
    ("What is the refresh rate of the Nimbus Tech Book 690 Laptop screen?", "X: screen size: 16 in.", False),
    ("What is the pole material of the Summit Gear Basecamp 410 Tent?", "X: material: polyester.", False),
    ("What is the bluetooth range of the headphones?", "X: connectivity: Bluetooth 5.3, 3.5 mm jack.", False),
    ("What is the energy efficiency class of the blender?", "X: wattage: 900 W.", False),
])
def test_a_sentence_states_the_asked_attribute_in_words_or_units(question, sentence, states):
    assert (not unstated(asked_attribute(question, NAMED), sentence)) is states


@pytest.mark.parametrize("question, feature", [
    ("does it have a water bottle pocket?", {"pocket"}),
    ("does it have a glass jar?", {"jar"}),  # "jar material: tritan" answers it
    ("is the battery replaceable?", {"replaceable"}),
    ("is the jar dishwasher safe?", {"dishwasher", "safe"}),
    ("is the screen big?", set()),  # a judgement, answered by the screen size
    ("is it waterproof?", set()),
    ("does it have gps built in?", {"gps"}),  # "built in" says only that it has it
    # (the product named by "these <kind>": it was answered "noise cancelling: no", near "mic")
    ("do these headphones have a mic?", {"mic"}),
    # (the product named without an article: "does the first one have a mic?" after a listing
    # was asked as "does Aurora Audio Echo 340 ... have a mic?" and answered "noise cancelling: no")
    ("does Aurora Audio Echo 340 Wireless Headphones, Graphite have a mic?", {"mic"}),
    ("does Veltro Lite 600 have wireless charging?", {"charging"}),  # (by its last word)
    ("do you have any tents?", set()),  # a request of the store, no feature of a product
])
def test_a_feature_of_several_words_or_a_part_asked_about(question, feature):
    """"Does it have a water bottle pocket?" was answered by "waterproof: yes" (another word of
    it), "is the battery replaceable?" by "battery life: 24 h": what it has (its last word) or
    what is asked of the part is what a fact must say."""
    from rag.textutil import content_words

    assert asked_feature(question) == frozenset(content_words(" ".join(feature))), question


@pytest.mark.parametrize("question, sentence, another", [
    ("does it have an hdmi port?", "Nimbus Tech Book 690 Laptop, Silver: charging port: USB-C", True),
    ("does it have a water bottle pocket?", "side pocket: yes", True),
    ("does it have a water bottle pocket?", "it has a water bottle pocket", False),
    ("does it have a glass jar?", "PulsePro Blend 610 Blender: jar material: tritan", False),  # says there is none
    ("does it have a usb c port?", "charging port: USB-C", False),
    ("does it have gps built in?", "sensors: heart rate, ECG, GPS", False),
    ("does it have a mic?", "noise cancelling: no", False),  # one word: asked_feature's to judge
    # its charging names a port ("does it have wireless charging?" was answered by it)
    ("does it have wireless charging?", "Veltro Lite 600 Smartphone, Graphite: charging port: Lightning", True),
    ("does it have a glass jar?", "jar colour: clear", False),  # a property of the jar itself
])
def test_a_fact_of_another_kind_of_the_feature_asked_for(question, sentence, another):
    """"Does it have an HDMI port?" was answered "charging port: USB-C": a port, of another kind."""
    from rag.understand.asked_attribute import names_another_kind

    assert names_another_kind(question, sentence) is another
