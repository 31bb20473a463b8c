"""What a request asks for (rag.understand.request): the phrase after "do you sell", "is
there", "I need" ..., read up to where it ends, its last word the head."""

import pytest

from rag.understand.request import asked_complements, asks_which_to_choose, narrows_only, requested_thing


@pytest.mark.parametrize("message, words", [
    ("do you sell laptop bags?", ("laptop", "bags")),
    ("what laptops do you have under $1000?", ("laptops",)),  # the thing before the request
    ("hello! looking for a smartwatch for running", ("smartwatch",)),
    ("I'm just looking for a tent", ("tent",)),
    ("which kind of tents do you sell?", ("tents",)),
    ("Do you guys have Aurora Audio headphones in stock", ("aurora", "audio", "headphones")),
    ("I need a 2-person tent for camping", ("2-person", "tent")),
    ("is there a warranty on tents?", ("warranty",)),
    ("do you have tents available?", ("tents",)),       # words after the thing are not part of it
    ("do you sell phones too?", ("phones",)),
    ("I need a tent asap", ("tent",)),
    ("my son wants headphones for his birthday, he's 12", ("headphones",)),  # it said "I don't know"
    ("I'd like a tent for 2", ("tent",)),
    ("ok what about a tent to go with it", ("tent",)),  # after a sleeping bag: "I don't know"
    ("any tent stakes?", ("tent", "stakes")),
    ("got any coffee grinders", ("coffee", "grinders")),
    ("where can I buy a gift card", ("gift", "card")),
    ("any idea when it ships?", ("idea",)),
    ("a sleeping bag rated below -10", ("sleeping", "bag")),  # (not "bag rated": it was dropped)
    ("a backpack made for travel", ("backpack",)),
])
def test_the_thing_asked_for(message, words):
    assert requested_thing(message).words == words


@pytest.mark.parametrize("message", [
    "are tents waterproof?",            # asks about tents, for no thing
    "do laptops come with a charger?",
    "do you have my order?",            # a possession, not something to buy
    "what is your return policy?",
    "I got a Northpeak tent last week and it leaks",  # a story, not a request: "got" alone asks nothing
    "what about the warranty?",         # the same question of another thing (an ellipsis)
    "what about a 4 season one?",       # the same kind again (it was declined)
    "I'd like to return it",
    "my order needs to arrive by friday",
    "",
])
def test_no_request_no_thing(message):
    assert requested_thing(message) is None


def test_a_name_that_only_narrows_what_is_asked_for():
    bags = requested_thing("do you sell laptop bags?")
    assert narrows_only(bags, "laptop") and narrows_only(bags, "Laptops")
    assert not narrows_only(bags, "Sleeping Bags")  # names the head: a bag, if not this one
    cases = requested_thing("do you have phone cases?")
    assert not narrows_only(cases, "phone cases") and not narrows_only(cases, "Phone Cases")
    assert narrows_only(requested_thing("do you sell coffee beans?"), "Coffee Makers")


def test_a_generic_last_word_is_no_head():
    thing = requested_thing("do you carry apple products?")
    assert (thing.head, thing.modifiers, thing.generic, thing.trade) == ("apple", (), ("products",), True)
    thing = requested_thing("what payment options do you have?")  # (it said "I don't know")
    assert (thing.head, thing.generic) == ("payment", ("options",))
    assert not requested_thing("do you have tents available?").trade


@pytest.mark.parametrize("question, asked", [
    ("do you ship on weekends?", "weekends"),
    ("do you ship to PO boxes?", "PO boxes"),
    ("Can I pay with Apple Pay?", "Apple Pay"),
    ("does the warranty cover theft?", "theft"),
    ("can I exchange for a different size?", "a different size"),
    ("does it come with a warranty?", "a warranty"),  # not its verb
    ("can I return it if it doesn't fit?", ""),  # the shopper's circumstances
    ("can I return a laptop after 20 days?", ""),
    ("is shipping free?", ""),
    ("I need a gift for my dad who likes camping", ""),  # whom it is for
    ("a present for my wife", ""), ("does it come with something for me?", "something"),
    ("will it work with my iphone?", "my iphone"),  # the shopper's own thing, not a person
    ("any headphones for the gym?", "the gym"),
    ("is it possible to track my package?", ""),  # "to" before a verb
    ("can I get a refund to a different card?", "a different card"),
    # what one needs ("do I need the receipt ...?" quoted the 30-day rule as its answer)
    ("do I need the receipt to return something?", "the receipt"),
    ("does it need batteries?", "batteries"),
])
def test_what_a_question_asks_of_a_rule(question, asked):
    assert asked_complements(question) == asked


@pytest.mark.parametrize("message, choosing", [
    ("which one would you recommend?", True),
    ("which is better?", True),
    ("ok which one should I get?", True),
    ("which is better for gaming?", True),   # for a purpose: how they differ too
    ("ok which should I get for winter camping?", True),
    ("which is better for the price?", True), ("which is better, the X or the Y?", False),
    ("which has more RAM?", False),
])
def test_asking_which_to_choose(message, choosing):
    assert asks_which_to_choose(message) is choosing


@pytest.mark.parametrize("message, title, named", [
    ("what are your store hours?", "Store hours and contact", True),
    ("how can I contact you?", "Store hours and contact", True),
    ("do you charge sales tax?", "Sales tax", True),
    ("what's the weather like?", "Store hours", False),
    ("tell me about your store", "Store information", False),  # only document words
])
def test_a_message_names_a_document_by_its_title(message, title, named):
    from rag.textutil import names_title

    assert names_title(message, title) == named


def test_a_short_form_of_a_name_is_spelled_out_as_the_evidence_writes_it():
    from rag.textutil import spelled_out

    texts = ["We accept Visa, Mastercard, American Express, PayPal and store gift cards.",
             "We ship with Federal Express. Made by Nova Tech."]
    assert spelled_out("do you take amex?", texts) == "do you take American Express?"
    assert spelled_out("ship with FedEx?", texts) == "ship with Federal Express?"
    assert spelled_out("do you take Discover?", texts) == "do you take Discover?"  # no name it shortens
    assert spelled_out("do you accept american express?", texts) == "do you accept american express?"
    assert spelled_out("can I leave a note?", texts, english={"note"}) == "can I leave a note?"  # a word, not Nova Tech
    assert spelled_out("can I leave a note?", texts) == "can I leave a Nova Tech?"  # (what the English check is for)


@pytest.mark.parametrize("message, any_kind", [
    ("do you have anything waterproof?", True), ("what waterproof products do you have?", True),
    ("anything with GPS?", True), ("do you sell anything in goose down?", True),
    ("do you have waterproof tents?", False), ("is it waterproof?", False), ("tell me about the Halo 150", False),
    # another of the kind in focus, with a feature; not the model in a colour, nor itself
    ("do you have one that sleeps 4?", True), ("is there a waterproof one?", True),
    ("is there a blue one?", False), ("do you have one in red?", False), ("do you have one?", False),
])
def test_a_request_for_things_of_any_kind(message, any_kind):
    from rag.understand.request import asks_for_anything

    assert asks_for_anything(message) == any_kind


@pytest.mark.parametrize(("text", "overview"), [
    ("tell me about it", True), ("what is this?", True), ("describe it", True), ("more details?", True),
    ("tell me more", True), ("tell me about this product", True),
    ("ok", False), ("hmm", False), ("is it good?", False), ("what is it made of?", False),
    ("how much is it?", False), ("tell me about the warranty", False),
])
def test_asks_for_an_overview(text, overview):
    from rag.understand.request import asks_for_an_overview

    assert asks_for_an_overview(text) == overview


@pytest.mark.parametrize("text, asks", [
    ("what do you sell?", True),
    ("hey, what kinds of products do you guys carry?", True),
    ("what can I buy here?", True),
    ("ok what do you sell then?", True),  # ("then" after it said "I don't know")
    ("recommend me something", True),
    ("I'm looking for a present for my wife", True),
    ("gift ideas for my brother?", True),
    ("looking for a gift", True), ("I need a present", True),  # (it said "I don't know")
    ("looking for a gift card", False),
    ("what's a good gift for a runner?", True), ("what is a nice present for my mom?", True),  # ("I don't know")
    ("what is a good tent?", False),
    ("what tents do you sell?", False),          # a kind named: its listing
    ("what do you sell gift cards for?", False),
    ("what do you recommend for camping?", False),
])
def test_what_the_store_carries_asked_of_nothing_in_particular(text, asks):
    from rag.understand.request import asks_for_the_range

    assert asks_for_the_range(text) is asks


def test_a_search_asks_for_a_kind_and_a_clause_says_what_it_does():
    """"cold brew coffee maker" typed as a search asks for a kind, as "do you have a cold brew
    coffee maker?" does; "blender crush" in "a blender that can crush ice" is a blender and what
    it should do, not the Crush blenders. Both asked which product was meant."""
    from rag.understand.request import asks_for_a_kind, says_what_it_does, searched_thing

    thing = searched_thing("cold brew coffee maker")
    assert thing is not None and thing.indefinite and asks_for_a_kind(thing, "brew coffee maker", ["coffee maker"])
    assert searched_thing("is it waterproof?") is None
    assert not searched_thing("the Crema Brew coffee maker").indefinite
    assert says_what_it_does("a blender that can crush ice", "blender crush")
    assert not says_what_it_does("the crush blender", "blender crush")
    assert not says_what_it_does("nutrimix crush 780 blender", "crush blender")


@pytest.mark.parametrize("text, search", [
    ("headphones for my commute", True), ("backpack for my laptop", True), ("blue headphones", True),
    ("my headphones broke", False), ("is it waterproof", False),
])
def test_what_a_search_is_for_is_no_person(text, search):
    """"Headphones for my commute" is typed as in a search box ("my" says what it is for, not
    whose it is): it said "I don't know" instead of the headphones and that it cannot tell."""
    from rag.understand.request import is_search

    assert is_search(text) is search
