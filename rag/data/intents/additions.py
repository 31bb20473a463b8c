"""Extra training phrasings (second session) for the intents the first model confused on the
validation split: shipping vs order_status vs availability_price, order_change vs order_status,
payment vs shipping/price, product feature questions vs out_of_scope, off-topic requests that
look like shop requests ("recommend a movie"), curt requests for a manager (TEMPLATES), and a second batch of more varied wordings for every
intent, not aimed at any error: statements instead of questions, fragments, long chatty
messages, indirect requests (TEMPLATES_2).

    python -m rag.data.intents.additions     # rewrites train.jsonl = generate.py's train rows + these

Written by hand as new templates and whole messages, filled and varied exactly like
generate.py (same slot values, the TRAIN half of the product names, same prefixes/suffixes/typos)
with their own seed. Only train.jsonl grows: val.jsonl and heldout.jsonl are untouched, and
none of these phrasings was copied from them. See DATA_CARD.md.
"""

from __future__ import annotations

import json
import random

from rag.data.intents import generate
from rag.data.intents.generate import HERE, SEED, _fill, _vary, product_names

TEMPLATES: dict[str, list[str]] = {
    "product_info": [
        "does the {p} have bluetooth 5", "does the {p} have a built-in microphone", "can the {p} go in the washing machine",
        "is the {p} noise cancelling or just noise isolating", "does {p} have a backlight", "is the {p} foldable",
        "does the {p} have a touchscreen", "is the {p} beginner friendly", "is the {p} made of plastic or metal",
        "does the {p} have usb-c charging", "what's the build quality like on the {p}", "is the {p} washable",
        "does the {p} have a removable battery", "how loud is the {p}", "can the {p} be used outdoors",
        "is the {p} water resistant enough for rain", "how many pockets does the {p} have",
        "what is the capacity of the {p} in litres", "does the {p} offer {col} as a colour option",
        "is the {p} sturdy", "what's the max speed setting on the {p}", "is the {p} easy to set up",
    ],
    "compatibility": [
        "which case fits the {p}", "do you sell a cover that fits the {p}", "will the {p} charge my {d}",
        "is the {p} the right charger for the {p2}", "does the {p} fit inside the {p2}",
        "which cables work with the {p}", "can I pair the {p} with {d} over bluetooth",
        "will a {b} case fit the {p}", "is the {p} compatible with older models",
    ],
    "availability_price": [
        "what are you charging for the {p}", "what's the price tag on the {p}", "how much would I pay for the {p}",
        "the {p} is how much in {cur}", "is the {p} back in stock yet", "when can I buy the {p} again",
        "can I reserve the {p} before it comes out", "is the {p} available for pre-order",
        "do you have any {p} left", "is the {p} cheaper in {col}", "price check on the {p}",
        "is the {p} on clearance",
    ],
    "comparison": [
        "{p} versus {p2}", "{p} vs. {p2}, thoughts", "{p} against the {p2}, which wins",
        "which is lighter, the {p} or the {p2}", "pros and cons of {p} vs {p2}",
        "should I get the {p} instead of the {p2}", "is the {p} better value than the {p2}",
    ],
    "recommendation": [
        "gift ideas for a {c} fan", "gift ideas under 50 {cur}", "top rated {c}", "best selling {c}",
        "what's the most popular {c} right now", "highest rated {c} you sell", "any {c} you'd suggest for a teenager",
        "what {c} do customers like most", "show me your best {c} under 100 {cur}", "something similar to the {p} but cheaper",
        "what should I buy for a hiking trip", "pick a good {c} for me",
    ],
    "return_policy": [
        "I want a refund", "I'd like my money back for the {p}", "where do I send my return",
        "what address do returns go to", "do I need a return label", "can I exchange the {p} for a different size",
        "how long does a refund take", "is return shipping free", "can I return a sale item",
        "can I send back the {p} if I don't like it",
    ],
    "warranty": [
        "what does the warranty on the {p} cover", "what's included in the {b} warranty",
        "is accidental damage covered by the warranty", "how long is the {p} guaranteed for",
        "does the warranty cover the battery of the {p}", "the {p} stopped working after 8 months, is that covered",
        "how do I make a warranty claim for the {p}", "is there an extended warranty for the {p}",
    ],
    "shipping": [
        "how much is shipping", "what does delivery cost", "delivery fee?", "is there free delivery over 50 {cur}",
        "can I collect the {p} from a store", "is in-store pickup available", "can I pick up my order at a shop near me",
        "if I order the {p} today when does it arrive", "how many days until the {p} would be delivered",
        "when would it arrive if I order now", "will I pay customs duties in {co}", "are there import fees for {co}",
        "do you offer next day delivery", "which courier do you use", "do you deliver on saturdays",
        "how fast can you get the {p} to {co}",
    ],
    "payment": [
        "can I pay in instalments", "do you offer financing", "is there a buy now pay later option",
        "can I pay cash when it's delivered", "do you accept cash on delivery", "can I pay with a gift card",
        "do you take apple pay", "can I split the payment over 3 months", "my card was declined, what else can I pay with",
        "do you accept klarna", "can I pay by bank transfer", "which cards do you accept",
    ],
    "order_status": [
        "my package still hasn't arrived", "still waiting on my delivery", "I'm still waiting for my parcel",
        "tracking says delivered but nothing came", "the app says delivered but I never got it",
        "where is the {p} I ordered", "where's the {p} I paid for last week", "has my {p} shipped yet",
        "my order {n} is late", "what's happening with order {n}", "the {p} I bought hasn't come yet",
        "can you track my parcel", "when will my order {n} arrive", "my delivery is overdue",
    ],
    "order_change": [
        "update my order", "change my order {n}", "I need to modify my order", "edit order {n} please",
        "can I add the {p} to my existing order", "swap the {p} in my order for the {col} one",
        "change the size on my order to {s}", "remove the {p} from my order", "update the delivery address on order {n}",
        "can I change my order before it ships",
    ],
    "complaint": [
        "the {p} is rubbish", "this {c} is junk", "the {p} doesn't work at all", "the {p} stopped working on day one",
        "the {p} arrived damaged", "you sent me the wrong item", "parts are missing from the {p}",
        "the {p} is nothing like the photos", "the zip on the {p} broke", "the {p} smells awful",
        "really poor quality, the {p} cracked", "my {p} is faulty",
    ],
    "account": [
        "my account got hacked", "someone logged into my account", "I can't sign in", "reset my password",
        "change the email on my account", "delete my account", "how do I update my account details",
        "I'm locked out of my account", "I never got the verification email", "unsubscribe me from your emails",
    ],
    "human_agent": [
        "get me a manager", "I want your supervisor", "put me through to a person", "let me speak to someone",
        "can a real person call me", "escalate this to a human", "is there a human I can talk to",
        "transfer me to customer service", "I need a live agent", "operator please",
    ],
    "greeting_thanks": [
        "see ya", "see you later", "bye bye", "cheers", "thanks a lot", "good morning", "good evening",
        "hey there", "that's all, thanks", "appreciate it", "perfect thank you", "have a nice day",
    ],
    "out_of_scope": [
        "recommend a good movie", "recommend a book", "suggest a song for my playlist", "recommend a restaurant nearby",
        "what is your favourite colour", "what's your favourite food", "do you have a girlfriend",
        "what is love", "what's the weather like tomorrow", "what is 17 times 23", "who won the world cup",
        "translate hello into japanese", "tell me a bedtime story", "what's the capital of australia",
        "how do I fix my car's engine light", "write me a poem", "is it going to rain", "what time is it in tokyo",
        "how tall is mount everest", "what should I cook for dinner", "help me with my homework",
        "who is the president", "what's the meaning of life", "play some music",
    ],
}

# Second batch: more varied sentence forms for every intent (not aimed at particular errors).
TEMPLATES_2: dict[str, list[str]] = {
    "product_info": [
        "I need to know the {a} of the {p} before I buy", "looking for the exact {a} on the {p}",
        "could you tell me whether the {p} has a timer", "the {p}, what's it like for everyday use",
        "wondering if the {p} gets hot when you use it", "{p} - does it have a warranty card and manual in the box",
        "I'm curious about the {p}, is it heavy", "is the {p} any good for travelling",
        "what's the screen like on the {p}", "thinking of the {p}, is the fabric breathable",
    ],
    "compatibility": [
        "I own {d}, would the {p} be ok with it", "need something that works with {d}, does the {p}",
        "trying to find out if the {p} suits my {p2}", "does the {p} need {d} to work",
        "my {p2} is a couple of years old, will the {p} still work with it", "the {p} and {d}, compatible or not",
        "can the {p} be mounted on the {p2}", "the plug on the {p}, does it fit european sockets",
    ],
    "availability_price": [
        "I want to know the price of the {p}", "tell me what the {p} costs", "looking to buy the {p}, is it in stock",
        "the {p} shows unavailable, when will that change", "need two of the {p}, do you have enough",
        "has the price of the {p} dropped", "is the {p} cheaper if I buy two", "any stock of the {p} in {s}",
    ],
    "comparison": [
        "trying to decide between the {p} and the {p2}", "help me choose: {p} or {p2}",
        "I'm torn between {p} and {p2}", "how do the {p} and the {p2} compare on {a}",
        "is there much difference between {p} and {p2}", "{p} or {p2} for a beginner",
        "which of these is quieter, {p} or {p2}",
    ],
    "recommendation": [
        "I'm looking for a {c}, what do you have", "need a {c} for my son, any ideas", "help me find a good {c}",
        "what would you get if you were me, I need a {c}", "can you point me to a {c} under 80 {cur}",
        "suggestions for a {c} that lasts", "I want something like the {p}, what else is there",
        "looking for a present for my dad who likes {c}",
    ],
    "return_policy": [
        "I'd like to send the {p} back", "the {p} doesn't fit, how do I return it", "I changed my mind about the {p}",
        "what's your returns window", "can I get store credit instead of a refund", "I need to return something I bought",
        "do I have to pay to send the {p} back", "returning the {p} without the original box, is that ok",
    ],
    "warranty": [
        "the {p} broke after a few months, is it covered", "need a repair on the {p} under guarantee",
        "is the {p} guaranteed", "how many years of warranty does {b} give", "does the guarantee cover water damage",
        "my {p} is faulty and still under warranty, what now", "warranty length for the {p}",
    ],
    "shipping": [
        "I'd like to know how long delivery takes to {co}", "shipping times to {co}", "can you send it express",
        "do you ship internationally", "what are your delivery options", "is delivery free for the {p}",
        "can the {p} be delivered to a parcel locker", "I need it delivered by friday, is that possible",
    ],
    "payment": [
        "what payment methods do you accept", "I want to pay with paypal", "the payment didn't go through",
        "I need an invoice for my purchase", "can I use two cards for one order",
        "do you take {cur}", "is it safe to pay with my card here",
    ],
    "order_status": [
        "I ordered the {p} last week and nothing has arrived", "any update on my order {n}",
        "I want to know where my parcel is", "order {n} shows shipped but no tracking", "still no sign of my order",
        "when is my order {n} coming", "my tracking number doesn't work", "the courier never showed up with my order",
    ],
    "order_change": [
        "I want to cancel my order {n}", "please cancel the {p} I just ordered", "I ordered the wrong size, can you change it",
        "I need to change the address for order {n}", "stop my order, I don't need it anymore",
        "can I switch the {p} to {col} before it ships", "add gift wrapping to my order",
    ],
    "complaint": [
        "I'm really unhappy with the {p}", "the {p} I received is broken", "your delivery driver damaged my parcel",
        "the {p} stopped charging after a week", "this is not what I ordered", "the quality of the {p} is terrible",
        "I'm disappointed, the {p} leaks", "the {p} came with a big scratch",
    ],
    "account": [
        "I forgot my password", "I can't log into my account", "how do I change my password",
        "please remove my personal data", "my account is locked", "update my phone number on my account",
        "I want to change my username", "two-factor code never arrives",
    ],
    "human_agent": [
        "I want to talk to a real person", "can I speak to someone from support", "please connect me to an agent",
        "I'd rather talk to a human", "is anyone there, I need a person", "call me please",
        "stop the bot, I want a representative",
    ],
    "greeting_thanks": [
        "hi", "hello there", "good afternoon", "thanks for your help", "thank you", "many thanks",
        "great, that's all I needed", "goodbye", "ok thanks, bye", "hey, how are you",
    ],
    "out_of_scope": [
        "how do I bake sourdough bread", "what's a good name for a cat", "tell me about the roman empire",
        "who will win the football match tonight", "can you book me a flight to paris", "what's the square root of 144",
        "explain quantum physics", "how do I lose weight", "what's your name", "are you a robot",
        "sing me a song", "how far is the moon", "give me a riddle", "what's the news today",
    ],
}

PER_TEMPLATE = 6


def build(rng: random.Random, products: list[str], templates_by_label: dict[str, list[str]]) -> list[dict]:
    rows: list[dict] = []
    for label, templates in templates_by_label.items():
        for template in templates:
            seen: set[str] = set()
            for _ in range(PER_TEMPLATE * 3):
                if len(seen) >= PER_TEMPLATE:
                    break
                text = _vary(_fill(template, rng, products), rng)
                if text not in seen:
                    seen.add(text)
                    rows.append({"text": text, "label": label})
    rng.shuffle(rows)
    return rows


def main() -> None:
    products = product_names()
    rng = random.Random(SEED)
    rng.shuffle(products)  # the same train half as generate.main()
    train_products = products[: len(products) // 2]
    generated = generate.build("train", 12, rng, train_products)  # generate.main()'s train rows, byte for byte
    rows = generated + build(random.Random(SEED + 1), train_products, TEMPLATES)
    rows += build(random.Random(SEED + 2), train_products, TEMPLATES_2)
    generate.write_jsonl(HERE / "train.jsonl", rows)
    print(f"train.jsonl: {len(generated)} generated + {len(rows) - len(generated)} additions")


if __name__ == "__main__":
    main()
