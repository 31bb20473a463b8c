"""Make the project's labelled intent and sentiment sets (see DATA_CARD.md next to this file).

    python -m rag.data.intents.generate            # rewrites the *.jsonl files here

Deterministic (seeded). Train and held-out sets come from DISJOINT templates and hand-written
phrasings, and fill product slots from disjoint halves of the product names, so the held-out
score measures generalisation to new wordings, not memorised templates.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 20261123

# ---------------------------------------------------------------------------------------------
# Slot values. Product names come from the demo catalog when `ingest.demo` is importable, else
# from the fixed list below (same style: brand + model + product type).
# ---------------------------------------------------------------------------------------------
FALLBACK_PRODUCTS = [
    "Aurora X2 headphones", "Northwind trail running shoes", "Kestrel 15 laptop backpack",
    "Lumina smart bulb", "Vertex Pro 14 laptop", "Nimbus rain jacket", "Orca 500 blender",
    "Pulse Fit smartwatch", "Summit 2 tent", "Zephyr desk fan", "Atlas office chair",
    "Echo Mini speaker", "Cobalt chef knife", "Terra yoga mat", "Helix phone case",
    "Quartz wall clock", "Nova 27 monitor", "Breeze air purifier", "Granite cast iron pan",
    "Sierra hiking boots", "Polar insulated bottle", "Falcon drone", "Ember coffee grinder",
    "Harbor linen sheets", "Ridge cycling helmet", "Vista 4K webcam", "Swift USB-C charger",
    "Meadow cotton t-shirt", "Onyx mechanical keyboard", "Cirrus robot vacuum",
]
BRANDS = ["Aurora", "Northwind", "Kestrel", "Lumina", "Vertex", "Nimbus", "Orca", "Pulse",
          "Summit", "Zephyr", "Atlas", "Cobalt", "Terra", "Helix", "Ember", "Onyx"]
CATEGORIES = ["headphones", "running shoes", "laptops", "backpacks", "jackets", "blenders",
              "smartwatches", "tents", "monitors", "office chairs", "speakers", "kitchen knives",
              "yoga mats", "phone cases", "vacuum cleaners", "coffee grinders", "t-shirts",
              "keyboards", "drones", "bed sheets"]
COLORS = ["blue", "black", "red", "white", "green", "grey", "navy", "pink", "beige", "silver"]
ATTRS = ["battery life", "weight", "size", "material", "dimensions", "capacity", "wattage",
         "screen size", "warranty length", "water resistance", "fabric", "power consumption"]
SIZES = ["small", "medium", "large", "XL", "size 9", "EU 42", "a size 10", "kids sizes"]
COUNTRIES = ["Canada", "Germany", "the UK", "Australia", "Mexico", "France", "Japan", "Norway"]
DEVICES = ["iPhone 15", "MacBook Air", "Samsung Galaxy S23", "PS5", "my Windows laptop",
           "an Android phone", "Bluetooth 5.0", "a 12V car socket", "my iPad"]


def product_names() -> list[str]:
    try:
        from ingest.demo import generate_demo_store  # type: ignore[import-not-found]

        catalog = generate_demo_store(300, seed=7)
        names = sorted({p.title for p in catalog.products})
        if len(names) >= 40:
            return names
    except Exception:  # the demo module may not exist in this checkout yet
        pass
    return list(FALLBACK_PRODUCTS)


# ---------------------------------------------------------------------------------------------
# Templates. {p} product, {p2} second product, {b} brand, {c} category, {col} colour, {a}
# attribute, {s} size, {co} country, {d} device, {n} order number.
# Each intent has TRAIN and HELDOUT templates; they never share a template.
# ---------------------------------------------------------------------------------------------
TEMPLATES: dict[str, dict[str, list[str]]] = {
    "product_info": {
        "train": [
            "what are the specs of the {p}", "give me the technical details of {p}", "how wide is the {p}", "is the {p} heavy to carry", "what's the {p} made out of", "does the {p} have {a} info", "how long is the cable on the {p}", "what does the {p} look like in {col}", "measurements of the {p}", "is the {p} good quality material", "what resolution does the {p} have", "how much does the {p} hold", "tell me more about {p} please", "info on the {p}", "does {p} have noise cancelling",
            "what is the {a} of the {p}", "how heavy is the {p}", "what material is the {p} made of",
            "does the {p} come in {col}", "is the {p} available in {col}", "what are the dimensions of {p}",
            "tell me about the {p}", "specs for {p}", "{p} {a}?", "what sizes does the {p} come in",
            "does {p} have a {a} spec listed", "is the {p} waterproof", "how big is the {p}",
            "what colours can I get the {p} in", "is the {p} machine washable",
            "can you describe the {p} for me", "does the {p} run true to size",
            "what's the {a} on the {p}", "how long does the battery of the {p} last",
            "is {p} made of real leather", "does the {p} come with a charger in the box",
            "what's in the box with the {p}", "does it come in {col}", "and in {s}?",
            "is the {p} suitable for beginners", "how many watts is the {p}",
            "what fabric is the {p}", "is there a {s} of the {p}", "{p} details please",
        ],
        "heldout": [
            "could you give me the full spec sheet for the {p}", "I'd like to know the {a} for {p}",
            "how much does the {p} weigh in kg", "which colours is {p} sold in",
            "is the {p} dishwasher safe", "what is {p} made from", "do you have the {p} in {s}",
            "how tall is the {p}", "{p}: {col} option?", "features of the {p}",
        ],
    },
    "compatibility": {
        "train": [
            "will the {p} work if I have {d}", "can I plug the {p} into {d}", "is {p} going to fit {p2}", "do the {p} and {p2} work together", "is the {p} supported on {d}", "works with {d}?", "does the {p} need a special adapter", "any compatibility problems between {p} and {d}", "can the {p} charge {d}", "is the {p} the right case for the {p2}",
            "is the {p} compatible with {d}", "does the {p} work with {d}", "will {p} fit my {p2}",
            "can I use the {p} with the {p2}", "is {p} compatible with {p2}",
            "does the {p} support {d}", "will this work with {d}", "is the {p} an accessory for the {p2}",
            "which chargers work with the {p}", "what cases fit the {p}",
            "can I connect the {p} to {d}", "does {p} pair with {d}", "will it fit the {p2}",
            "is this compatible with my phone", "compatibility of {p} with {d}",
            "what accessories go with the {p}", "does the {p} work on 110v", "can {p} be used with {p2}",
            "is the {p} usb-c compatible", "which lenses fit the {p}",
        ],
        "heldout": [
            "will the {p} connect to {d} without an adapter", "{p} + {d}, does that combo work",
            "is there any issue using {p} alongside the {p2}", "do I need an adapter for the {p} with {d}",
            "what else is the {p} compatible with", "does {p} play nicely with {d}",
            "are replacement parts for the {p2} compatible with the {p}",
        ],
    },
    "availability_price": {
        "train": [
            "how much money is the {p}", "what's the cost of {p}", "is the {p} available to buy now", "when is {p} restocked", "price for {p} in {col}", "do you have {p} available", "is the {p} out of stock", "how pricey is the {p}", "is there a deal on the {p}", "what do you charge for the {p}", "can I order the {p} right now", "is {p} still for sale", "the {p} costs how much",
            "how much is the {p}", "what does the {p} cost", "is the {p} in stock",
            "price of {p}", "is {p} available", "when will the {p} be back in stock",
            "do you have the {p} in stock in {col}", "is the {p} on sale", "any discount on the {p}",
            "how much does {p} cost in {co}", "is the {p} sold out", "can I preorder the {p}",
            "{p} price?", "is there a cheaper version of the {p}", "is the {p} discontinued",
            "do you still sell the {p}", "how many {p} do you have left", "what's the price",
            "is it in stock", "do you have any coupon codes for {b}", "is the {p} cheaper anywhere",
            "will the {p} go on sale for black friday",
        ],
        "heldout": [
            "what would the {p} set me back", "any {p} left in the warehouse", "cost of the {p} please",
            "has the {p} been restocked yet", "is the {p} currently purchasable",
            "can I still buy {p}", "what's the going rate for the {p}", "is there a promo on {b} stuff",
        ],
    },
    "comparison": {
        "train": [
            "{p} or {p2}, which should I pick", "what's better {p} or {p2}", "choose between {p} and {p2}", "how is the {p} different from the {p2}", "{p} compared to {p2}", "which has better battery, {p} or {p2}", "is {p} worth it over {p2}", "contrast the {p} with the {p2}", "which one would you pick, {p} or {p2}", "{p} against {p2}", "difference {p} {p2}",
            "what is the difference between the {p} and the {p2}", "{p} vs {p2}",
            "which is better, the {p} or the {p2}", "compare the {p} and {p2}",
            "is the {p} better than the {p2}", "how does the {p} compare to the {p2}",
            "should I get the {p} or the {p2}", "{p} or {p2} for everyday use",
            "which one is lighter, {p} or {p2}", "what does the {p} have that the {p2} doesn't",
            "differences between {b} and {b2} {c}", "is {b} better than {b2}",
            "which of these two is cheaper", "compare these two for me", "{p} versus {p2} battery",
            "which {c} is better value, {p} or {p2}",
        ],
        "heldout": [
            "help me choose between the {p} and the {p2}", "pros and cons of {p} against {p2}",
            "{p} compared with {p2}: which lasts longer", "is it worth paying more for the {p} over the {p2}",
            "how do {b} {c} stack up against {b2}", "side by side {p} and {p2} please",
            "torn between {p} and {p2}, thoughts",
        ],
    },
    "recommendation": {
        "train": [
            "what {c} should I buy", "suggest a {c} for me", "I need ideas for a {c}", "what's a good {c} for a student", "any {c} you'd recommend under 200", "best value {c}", "which {c} do customers like most", "find me something like {p}", "I want something for camping, any suggestions", "gift ideas please", "good {c} for travelling", "what would you get for a runner",
            "can you recommend a good {c}", "what {c} would you suggest", "best {c} for beginners",
            "I need a {c} under 100 dollars", "suggest something similar to the {p}",
            "what is your best selling {c}", "any recommendations for a gift for my dad",
            "what should I buy for hiking", "show me alternatives to the {p}",
            "which {c} do you recommend for travel", "looking for a {col} {c}",
            "I want a {c} from {b}", "what {c} is good for running", "recommend me a {c}",
            "what's the most popular {c}", "anything like the {p} but cheaper",
            "I'm looking for a present for a teenager", "top rated {c}",
            "which {b} product should I get", "help me find a {c}",
        ],
        "heldout": [
            "what would you pick if you needed a {c} for a small apartment",
            "point me to a decent {c} that won't break the bank", "any {c} you'd vouch for",
            "similar items to {p}?", "I'm shopping for a {c}, where do I start",
            "need ideas for a birthday gift around 50 bucks", "which {c} do most people buy",
        ],
    },
    "return_policy": {
        "train": [
            "how do returns work", "can I send the {p} back for a refund", "is the {p} returnable", "what's the return window", "I'd like a refund", "how do I get my money back for {p}", "can I exchange the {p}", "do you refund shipping costs on returns", "return the {p} how", "what if I don't like the {p}, can I return it", "returns for {b} products",
            "what is your return policy", "how do I return the {p}", "can I return an opened item",
            "how long do I have to return something", "can I get a refund for the {p}",
            "do you offer free returns", "how do I exchange the {p} for a different size",
            "can I return a sale item", "what is the refund policy for {b}", "returns policy?",
            "I want to send the {p} back", "is there a restocking fee", "how long do refunds take",
            "can I return {c} after 30 days", "do I have to pay for return shipping",
            "how do I start a return", "can I exchange it for {col}", "return window for {p}",
            "where do I send returns", "can I return a gift without a receipt",
        ],
        "heldout": [
            "what happens if the {p} doesn't fit, can it go back", "is {p} refundable",
            "money back if I don't like it?", "what are the rules for sending stuff back",
            "how many days until I can no longer return the {p}", "will I get my money back for a used {c}",
            "swap the {p} for a bigger size, possible?",
        ],
    },
    "warranty": {
        "train": [
            "does the {p} have a guarantee", "is there a warranty for {b}", "will you repair the {p} if it breaks", "how long is the {p} guaranteed", "{p} broke, can I get it fixed under warranty", "warranty coverage on {c}", "what is covered by the {b} guarantee", "is the {p} protected against defects", "years of warranty on {p}",
            "what is the warranty on the {p}", "does the {p} have a warranty", "how long is the {b} warranty",
            "is the {p} covered by warranty", "my {p} broke, is that covered", "warranty for {c}?",
            "how do I make a warranty claim", "does the warranty cover accidental damage",
            "can I extend the warranty on the {p}", "is there a guarantee on {b} products",
            "what does the {p} warranty include", "who handles warranty repairs for {b}",
            "the {p} stopped working after 6 months, warranty?", "is the warranty international",
            "do I need the receipt for warranty", "and the warranty?", "warranty length",
            "does {b} offer a lifetime guarantee",
        ],
        "heldout": [
            "if the {p} dies in a year will you fix it", "what protection plan comes with the {p}",
            "how many years of coverage does {b} give", "manufacturer guarantee on {p}?",
            "is a faulty {c} repaired for free", "does the {p} come with any kind of guarantee",
            "repair coverage for {p}",
        ],
    },
    "shipping": {
        "train": [
            "how long until the {p} is delivered", "delivery time to {co}", "what does shipping cost", "can you post to {co}", "when would the {p} get here", "how quick is delivery", "what are the delivery fees", "can I get it delivered tomorrow", "which courier delivers", "do you send parcels abroad", "how many days for delivery", "is postage free",
            "how long does shipping take", "do you ship to {co}", "how much is delivery",
            "is shipping free", "when will the {p} arrive if I order today", "do you offer express delivery",
            "what carriers do you use", "can I get next day delivery", "shipping cost to {co}",
            "do you ship internationally", "how long does delivery take to {co}",
            "is there free shipping over 50 dollars", "can I pick up in store",
            "do you deliver on weekends", "how fast can you ship the {p}", "delivery options?",
            "do you ship {c} to {co}", "are there customs fees for {co}",
        ],
        "heldout": [
            "how many days until a package reaches {co}", "what does postage cost for the {p}",
            "can the {p} be sent overnight", "which courier brings the parcels",
            "is delivery to {co} possible", "transit time for standard post",
            "do I pay extra for fast delivery",
        ],
    },
    "payment": {
        "train": [
            "what cards do you take", "can I pay with my credit card", "do you accept visa", "is paying by invoice possible", "can I pay later", "can I pay monthly for the {p}", "how can I pay", "do you take google pay", "can I use a voucher", "is financing available", "checkout payment options", "my payment didn't go through",
            "what payment methods do you accept", "can I pay with paypal", "do you take apple pay",
            "can I pay in installments", "do you accept amex", "can I pay with a gift card",
            "is klarna available", "can I pay cash on delivery", "why was my card declined",
            "can I get an invoice", "do you charge in {cur}", "is it safe to pay by card here",
            "can I split the payment", "do you accept bank transfer", "payment options for {p}",
            "can I use two cards", "do you take crypto", "was I charged twice",
        ],
        "heldout": [
            "which cards can I use at checkout", "is buy now pay later an option for the {p}",
            "can I settle the bill with google pay", "do you support monthly payments",
            "how do I get a VAT receipt", "can I pay by debit card",
            "is paying with a voucher possible",
        ],
    },
    "order_status": {
        "train": [
            "where's my purchase", "when is my parcel coming", "has order {n} been shipped yet", "my package is late", "I'm still waiting for my delivery", "tracking info for order {n}", "what's the status of my delivery", "did you send my order", "my order hasn't moved", "where is the {p} I bought", "order {n} where is it",
            "where is my order", "track my order", "what is the status of order {n}",
            "my order {n} hasn't arrived", "when will my order arrive", "has my order shipped",
            "can you check order {n}", "I haven't received my package", "tracking number for my order",
            "my {p} hasn't been delivered yet", "order status please", "is my order on the way",
            "where's my package", "it says delivered but I don't have it", "any update on my order",
            "order {n} tracking", "when does my {p} ship", "I ordered the {p} last week, where is it",
        ],
        "heldout": [
            "what's happening with my purchase {n}", "still waiting for my parcel",
            "has order {n} left the warehouse", "I need an update on my delivery",
            "the tracking for my {p} hasn't moved in days", "did my stuff ship yet",
            "can you tell me where purchase {n} is",
        ],
    },
    "order_change": {
        "train": [
            "I need to cancel my purchase", "can I change order {n}", "change the address on my order", "stop my order please", "I want to edit order {n}", "can I switch my order to the {p2}", "cancel the order I just placed", "add another {p} to my order", "delete my order", "change my order's shipping address to my office",
            "cancel my order", "I want to cancel order {n}", "can I change my shipping address",
            "change the delivery address for order {n}", "can I add an item to my order",
            "modify my order", "I ordered the wrong size, can I change it before it ships",
            "remove the {p} from my order", "can I change the colour of my order to {col}",
            "update my order {n}", "please cancel the {p} I ordered", "can I still edit my order",
            "change delivery date of my order", "I need to update the address on my order",
            "cancel order {n} please", "swap the {p} in my order for the {p2}",
        ],
        "heldout": [
            "I changed my mind, stop order {n}", "I moved, send my order to my new address instead",
            "is it too late to alter my purchase", "please drop one item from order {n}",
            "make my order {col} instead of {col2}", "can I switch the shipping on my order to express",
            "call off my purchase",
        ],
    },
    "complaint": {
        "train": [
            "the {p} I got is broken", "I'm not happy with the {p}", "the {p} is faulty", "the {p} came damaged", "this {c} is rubbish", "I'm disappointed, the {p} doesn't work", "bad quality {p}", "the {p} is scratched", "you sent the wrong item", "the {p} stopped working", "your service is terrible", "the {p} is not as described",
            "the {p} arrived broken", "my {p} is defective", "this is the worst service ever",
            "I am very unhappy with the {p}", "the {p} stopped working after two days",
            "the item I received is not what I ordered", "the {p} smells bad",
            "the quality of the {p} is terrible", "your delivery driver was rude",
            "I received the wrong colour", "the {p} is damaged", "this product is a scam",
            "the {p} doesn't work at all", "the package was missing items",
            "the {p} looks nothing like the picture", "the {p} broke the first time I used it",
            "very disappointed with {b}", "the zipper on my {p} broke",
        ],
        "heldout": [
            "the {p} fell apart within a week, unacceptable", "what I got is cracked and scratched",
            "I'm fed up, the {p} is junk", "the {p} you sent me is faulty",
            "this {c} is nothing like advertised", "the box came crushed and the {p} is dented",
            "really poor experience with your shop",
        ],
    },
    "account": {
        "train": [
            "I can't sign in", "reset password", "how do I change my account email", "delete my account please", "my account got hacked", "how do I update my profile", "can't access my account", "how to register an account", "remove my personal data", "change my password", "login not working",
            "I forgot my password", "how do I reset my password", "I can't log in",
            "how do I delete my account", "change my email address", "update my account details",
            "how do I create an account", "my account is locked", "unsubscribe me from emails",
            "how do I change my phone number on my account", "can you delete my data",
            "I didn't get the verification email", "how do I update my saved card",
            "log in problems", "where can I see my order history", "sign up?",
        ],
        "heldout": [
            "reset link never arrived", "I want my profile removed", "locked out of my account again",
            "how do I change the name on my profile", "stop sending me newsletters",
            "my login isn't working", "can I merge two accounts",
        ],
    },
    "human_agent": {
        "train": [
            "can I talk to a real person", "I need a human", "let me talk to someone from support", "connect me with staff", "I want a live agent", "real human please", "talk to a person", "customer service representative please", "transfer me to a human", "I'd like to speak with an employee", "can I call someone", "give me a human",
            "I want to talk to a human", "let me speak to a real person", "connect me to an agent",
            "can I talk to customer service", "transfer me to a representative", "human please",
            "I need to speak to someone", "get me a manager", "is there a person I can talk to",
            "stop the bot, real person", "agent", "can someone call me", "live chat with a human",
            "phone number for support", "I want to speak to a supervisor",
        ],
        "heldout": [
            "put me through to a real human being", "are there any actual people working there",
            "I'd rather chat with staff than a bot", "escalate this to a person",
            "operator!", "can a member of your team contact me",
        ],
    },
    "greeting_thanks": {
        "train": [
            "thank you very much", "thanks for your help", "hello there", "hi!", "good day", "bye bye", "thanks, that's all", "cool thanks", "appreciate it", "see ya", "morning", "hey", "nice one, thanks",
            "hi", "hello", "hey there", "good morning", "thanks", "thank you", "thanks a lot",
            "great, thanks for the help", "bye", "goodbye", "have a nice day", "cheers",
            "ok thanks", "perfect, thank you", "hello, anyone there?", "awesome", "that helps, thanks",
            "good evening", "thx", "ty", "yo", "hiya",
        ],
        "heldout": [
            "hey hey", "many thanks", "much appreciated", "see you later", "good afternoon",
            "that was helpful", "thanks so much, bye",
        ],
    },
    "out_of_scope": {
        "train": [
            "what's the weather like", "tell me something funny", "who will win the world cup", "what's 2+2", "how do I bake a cake", "what's the time", "who is the prime minister", "how old is the universe", "tell me a story", "what's your name", "how do I lose weight", "best restaurants near me", "how to change a tyre", "what's the capital of spain", "recommend a book to read", "how do I play chess",
            "what is the weather tomorrow", "tell me a joke", "who won the game last night",
            "what is the capital of France", "how do I cook pasta", "what is 15 times 12",
            "write me a poem", "who is the president", "what time is it in Tokyo",
            "book me a flight to paris", "how do I fix my car engine", "translate hello into german",
            "what is the meaning of life", "play some music", "set an alarm for 7am",
            "how tall is mount everest", "can you help with my homework", "what's bitcoin worth today",
            "recommend a good movie", "how do I learn python", "what's the news today",
            "who invented the telephone", "call my mom", "what is love",
            "how many calories in a banana", "is it going to rain", "solve x squared equals 4",
            "tell me about the roman empire", "what is your favourite colour", "are you sentient",
            "write a python script that sorts a list", "how do I file my taxes",
        ],
        "heldout": [
            "what's the population of brazil", "give me a recipe for banana bread",
            "how far is the moon", "sing me a song", "who painted the mona lisa",
            "what's a good name for a cat", "explain quantum physics simply",
            "remind me to water the plants", "what year did world war two end",
            "how do I get to the train station", "is the stock market open today",
        ],
    },
}

# Hand-written, whole messages (long, chatty, typo-ridden, no slots), also split train/held-out.
HANDWRITTEN: dict[str, dict[str, list[str]]] = {
    "product_info": {
        "train": ["hey so I'm thinking about buying this but I need to know how long the battery actually lasts on a full charge, the page doesn't say",
                  "waht is it made of", "is this thing heavy? I carry it to work every day", "colours?"],
        "heldout": ["before I order I just want to double check the measurements because my desk is quite small",
                    "does it have bluetooth"],
    },
    "compatibility": {
        "train": ["I have an older model and I want to know if the new charger will still work with it or if I need to buy a different one",
                  "wil this work w my iphone"],
        "heldout": ["quick one, my car only has the old style plug, will this thing still charge in it"],
    },
    "availability_price": {
        "train": ["I've been waiting for ages for this to come back, do you know when you'll have more", "how much??", "price pls"],
        "heldout": ["is it available right now or do I have to wait, I need it before friday"],
    },
    "comparison": {
        "train": ["I can't decide between the two models you have, one is cheaper but the other has better reviews, what's actually different"],
        "heldout": ["what's the real difference between the basic and the pro version apart from the price"],
    },
    "recommendation": {
        "train": ["my wife loves cooking and her birthday is next week, what would you suggest from your store",
                  "reccomend somthing for camping"],
        "heldout": ["I'm new to running and don't know what to get, any advice on gear to start with"],
    },
    "return_policy": {
        "train": ["I bought this as a gift but it turns out they already have one, can I bring it back even though I opened the box",
                  "how do i retrun this"],
        "heldout": ["ordered two sizes to try on, I'll keep one, how do I send the other back and when do I get the money"],
    },
    "warranty": {
        "train": ["it's been about 14 months and the screen started flickering, is it still under guarantee or am I out of luck",
                  "waranty?"],
        "heldout": ["the hinge cracked on its own after a year of normal use, will the manufacturer repair that"],
    },
    "shipping": {
        "train": ["I'm travelling next week and need this to arrive before I leave on thursday, can you deliver that fast",
                  "shiping to canada?"],
        "heldout": ["what do I pay for delivery if I live on an island, is there a surcharge"],
    },
    "payment": {
        "train": ["I tried to pay three times and it keeps failing at the last step, which payment methods do you actually take",
                  "paypal ok?"],
        "heldout": ["my company needs a proper invoice with our tax number, can you issue one after I pay"],
    },
    "order_status": {
        "train": ["I placed an order ten days ago and the tracking page still says label created, what is going on with it",
                  "wheres my oder"],
        "heldout": ["you said 3 to 5 days and it's been two weeks, where is my stuff"],
    },
    "order_change": {
        "train": ["I just realised I put my old address on the order I placed an hour ago, can you please change it before it ships",
                  "cancle my order"],
        "heldout": ["I accidentally ordered two of the same thing, can you remove one before you send it"],
    },
    "complaint": {
        "train": ["I've been a loyal customer for years but this is the last straw, the thing arrived scratched and nobody answers my emails",
                  "this is garbage", "absolutely terrible quality, I want my money back"],
        "heldout": ["honestly the worst purchase I have made this year, it squeaks and wobbles"],
    },
    "account": {
        "train": ["I'm trying to log in but it keeps saying my password is wrong even after I reset it twice",
                  "pasword reset"],
        "heldout": ["I want to close my account and have all my personal information erased"],
    },
    "human_agent": {
        "train": ["this bot is useless, I need to talk to an actual human right now", "HUMAN", "speak to agent",
                  "I have asked three times already, please get a real person"],
        "heldout": ["no more automated replies please, who can I call"],
    },
    "greeting_thanks": {
        "train": ["hi there, hope you're having a good day", "thank you so much, you've been really helpful!", "ok bye",
                  "hello :)"],
        "heldout": ["great stuff, cheers for that"],
    },
    "out_of_scope": {
        "train": ["can you help me write a cover letter for a job application at a bank",
                  "what do you think about the election", "asdf", "lol", "1234", "who are you"],
        "heldout": ["my neighbour's dog barks all night, what can I do about it", "qwerty"],
    },
}

PREFIXES = ["", "", "", "", "hi, ", "hello, ", "quick question: ", "hey ", "excuse me, ",
            "sorry to bother you, ", "one more thing: ", "ok so ", "um ", "please, "]
SUFFIXES = ["", "", "", "", "?", "?", "?", " please", " thanks", " thx", "??", " asap", " :)", "."]
ORDER_NUMBERS = ["#10293", "48213", "A-55120", "SG-2024-0091", "778812", "#99001", "order 3321"]
CURRENCIES = ["euros", "pounds", "USD", "CAD", "yen"]


def _typo(text: str, rng: random.Random) -> str:
    """One keyboard-style slip: drop, double, swap or replace a letter inside a word."""
    positions = [i for i, ch in enumerate(text) if ch.isalpha()]
    if len(positions) < 4:
        return text
    i = rng.choice(positions[1:-1])
    op = rng.choice(["drop", "double", "swap", "replace"])
    if op == "drop":
        return text[:i] + text[i + 1:]
    if op == "double":
        return text[:i] + text[i] + text[i:]
    if op == "swap" and i + 1 < len(text):
        return text[:i] + text[i + 1] + text[i] + text[i + 2:]
    return text[:i] + rng.choice("abcdefghijklmnopqrstuvwxyz") + text[i + 1:]


def _fill(template: str, rng: random.Random, products: list[str]) -> str:
    p, p2 = rng.sample(products, 2)
    b, b2 = rng.sample(BRANDS, 2)
    col, col2 = rng.sample(COLORS, 2)
    values = {
        "p": p, "p2": p2, "b": b, "b2": b2, "c": rng.choice(CATEGORIES), "col": col, "col2": col2,
        "a": rng.choice(ATTRS), "s": rng.choice(SIZES), "co": rng.choice(COUNTRIES),
        "d": rng.choice(DEVICES), "n": rng.choice(ORDER_NUMBERS), "cur": rng.choice(CURRENCIES),
    }
    # Shoppers often drop "the" or write names in lowercase.
    text = template.format(**values)
    return text


def _vary(text: str, rng: random.Random) -> str:
    text = rng.choice(PREFIXES) + text + rng.choice(SUFFIXES)
    r = rng.random()
    if r < 0.25:
        text = _typo(text, rng)
    elif r < 0.35:
        text = _typo(_typo(text, rng), rng)
    if rng.random() < 0.5:
        text = text.lower()
    elif rng.random() < 0.3:
        text = text[:1].upper() + text[1:]
    if rng.random() < 0.05:
        text = text.upper()
    return re.sub(r"\s+", " ", text).strip()


def _templates(sets: dict[str, list[str]], split: str) -> list[str]:
    """'train' and 'val' share out the train templates (every 5th goes to val, so validation
    phrasings are unseen in training, like the held-out ones); 'heldout' has its own."""
    if split == "heldout":
        return sets["heldout"]
    keep = (lambda i: i % 5 == 4) if split == "val" else (lambda i: i % 5 != 4)
    return [t for i, t in enumerate(sets["train"]) if keep(i)]


def build(split: str, per_template: int, rng: random.Random, products: list[str]) -> list[dict]:
    rows: list[dict] = []
    for label, sets in TEMPLATES.items():
        for template in _templates(sets, split):
            seen: set[str] = set()
            for _ in range(per_template * 3):
                if len(seen) >= per_template:
                    break
                text = _vary(_fill(template, rng, products), rng)
                if text not in seen:
                    seen.add(text)
                    rows.append({"text": text, "label": label})
        for text in _templates(HANDWRITTEN[label], split):
            rows.append({"text": text, "label": label})
            rows.append({"text": _vary(text, rng), "label": label})
    rng.shuffle(rows)
    return rows


# ---------------------------------------------------------------------------------------------
# Sentiment: customer-service messages labelled negative / neutral / positive. Neutral and
# positive/negative shopper phrasings; the yelp sentences add general review language at
# training time (see rag/understand/sentiment.py).
# ---------------------------------------------------------------------------------------------
SENTIMENT: dict[str, dict[str, list[str]]] = {
    "negative": {
        "train": [
            "the {p} arrived broken and I am furious", "this is the worst service I have ever had",
            "I'm really disappointed with the {p}", "terrible quality, the {p} fell apart",
            "why is nobody answering me, this is ridiculous", "I hate this {c}, total waste of money",
            "third time I'm asking, where is my refund", "the {p} is awful", "you people are useless",
            "very unhappy, the {p} doesn't work", "I'm so annoyed, the delivery is late again",
            "this is unacceptable", "horrible experience with {b}", "the {p} is garbage",
            "I feel cheated", "the support has been awful", "not happy at all with my order",
            "the {p} broke after one day, what a joke", "I regret buying the {p}",
        ],
        "heldout": [
            "utterly let down by the {p}", "what a rip-off", "I'm losing my patience with you",
            "the {p} is a piece of junk", "never buying from {b} again",
        ],
    },
    "neutral": {
        "train": [
            "what is the {a} of the {p}", "do you ship to {co}", "is the {p} in stock",
            "how much is the {p}", "what is your return policy", "where is my order",
            "does the {p} come in {col}", "can I pay with paypal", "is the {p} compatible with {d}",
            "what's the warranty on the {p}", "I want to change my address", "compare {p} and {p2}",
            "how long does shipping take", "recommend a {c}", "what sizes does the {p} come in",
            "I'd like to return the {p}", "order {n} status", "hello", "I need to talk to an agent",
        ],
        "heldout": [
            "tell me the dimensions of {p}", "which payment methods are accepted",
            "is there a {col} version", "when does the {p} ship", "can I cancel order {n}",
        ],
    },
    "positive": {
        "train": [
            "thanks, that was really helpful", "I love my new {p}", "great service, thank you",
            "the {p} is amazing", "you guys are awesome", "the {p} works perfectly",
            "fantastic, exactly what I needed", "super fast delivery, very happy", "thank you so much!",
            "the {p} is excellent quality", "really impressed with {b}", "perfect, thanks a lot",
            "best {c} I've ever owned", "wonderful, I'm delighted", "that's great news",
        ],
        "heldout": [
            "brilliant, cheers", "so pleased with the {p}", "you've been a star, thank you",
            "the {p} exceeded my expectations", "lovely {c}, very happy",
        ],
    },
}


def build_sentiment(split: str, per_template: int, rng: random.Random, products: list[str]) -> list[dict]:
    rows: list[dict] = []
    for label, sets in SENTIMENT.items():
        for template in sets[split]:
            for _ in range(per_template):
                rows.append({"text": _vary(_fill(template, rng, products), rng), "label": label})
    rng.shuffle(rows)
    return rows


def write_jsonl(path: Path, rows: list[dict]) -> None:
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    tmp.replace(path)


def main() -> None:
    rng = random.Random(SEED)
    products = product_names()
    rng.shuffle(products)
    half = len(products) // 2
    train_products, heldout_products = products[:half], products[half:]
    write_jsonl(HERE / "train.jsonl", build("train", 12, rng, train_products))
    write_jsonl(HERE / "val.jsonl", build("val", 8, rng, train_products))
    write_jsonl(HERE / "heldout.jsonl", build("heldout", 6, rng, heldout_products))
    write_jsonl(HERE / "sentiment_train.jsonl", build_sentiment("train", 8, rng, train_products))
    write_jsonl(HERE / "sentiment_heldout.jsonl", build_sentiment("heldout", 6, rng, heldout_products))
    for name in ("train", "val", "heldout", "sentiment_train", "sentiment_heldout"):
        n = sum(1 for _ in (HERE / f"{name}.jsonl").open())
        print(f"{name}.jsonl: {n} rows")


if __name__ == "__main__":
    main()
