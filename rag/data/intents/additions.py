"""Extra training phrasings (second session) for the intents the first model confused on the
validation split: shipping vs order_status vs availability_price, order_change vs order_status,
payment vs shipping/price, product feature questions vs out_of_scope, off-topic requests that
look like shop requests ("recommend a movie"), curt requests for a manager (TEMPLATES), and a second batch of more varied wordings for every
intent, not aimed at any error: statements instead of questions, fragments, long chatty
messages, indirect requests (TEMPLATES_2). A third batch (third session, TEMPLATES_3) adds new
sentence structures, vocabulary and registers (terse, formal, angry, typo-ridden, one- or
two-word messages) for every intent, weighted towards the boundaries the second model still
confused on val: colour/size variants (product_info) vs stock/price vs delivery time and cost,
pre-orders, double charges and financing, what a warranty covers, accessories that fit, and
short in-scope messages vs out_of_scope (so brevity alone does not mean out of scope).

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

# Third batch: new sentence structures, vocabulary and registers (terse, chatty, angry, formal,
# fragments) for every intent, weighted towards the boundaries the second model still confused on
# val: colour/size variants (product_info) vs stock/price vs delivery, pre-orders, payment
# problems, warranty scope, accessories that fit, short in-scope messages vs out_of_scope.
TEMPLATES_3: dict[str, list[str]] = {
    "product_info": [
        "is the {p} available in other colours", "available in {col}?", "is the {p} also available in {col2} or just {col}",
        "is there a {col} colourway of the {p}", "which colours is the {p} available in", "wat colors does it come in",
        "can I get the {p} in {col} or only {col2}", "{p} in {col}, does that exist", "do they make the {p} in {col}",
        "is {col} one of the colour options for the {p}", "what finishes is the {p} offered in",
        "any other colours for the {p} besides {col}", "does {b} make this one in {col}",
        "is the {col} {p} the same material as the other colours", "which sizes does the {p} go up to",
        "is the {p} offered in {s}", "colour options?", "sizes?", "what's the weight of the {p} in kg",
        "is the {p} dishwasher safe", "how much storage does the {p} have",
        "is the {p} wireless or does it need a cable", "does the {p} fold flat", 
        "what's the {p} like to wear all day", "specs on the {p} pls",
        "{a} of the {p}??", "does the {p} have an on/off switch", "how many speed settings does the {p} have",
        "does the {p} come assembled or flat-packed", "I'd like the full spec sheet for the {p}",
        "what are the {p}'s measurements in cm", "is the strap on the {p} adjustable",
        "what's the sound like on the {p}", "could you confirm the {a} of the {p}, please",
        "I'd be grateful for details of the {p}'s {a}", "does the {p} run small or large",
        "what exactly is the {p} made from", "is the {p} suitable for kids",         "is the {p} scratch resistant", 
    ],
    "compatibility": [
        "which lens do I need for the {p}", "what case would fit my {p}",
        "which lenses work on the {p}", "what cases are made for the {p}", "which covers will fit the {p}",
        "what size case do I need for the {p}", "do you have a screen protector that fits the {p}",
        "what accessories fit the {p}", "which straps fit the {p}", "will the {p} fit in the {p2}",
        "does the {p} play nice with {d}", "is the {p} ok to use with {d}", "can I hook the {p} up to {d}",
        "does {d} support the {p}", "is there an adapter so the {p} works with {d}", 
        "which replacement filters fit the {p}", "which charger should I use with the {p}",
        "will the {p} work in {co} with their plugs", "does the {p} connect to {d} without a dongle",
        "is the {p} made for the {p2}", "do I need anything extra to make the {p} work with {d}",
        "spare batteries that fit the {p}?", "{p} + {d} ok?", "lens for the {p}?",
        
    ],
    "availability_price": [
        "can the {p} be preordered", "preordering the {p}, is that possible", "is the {p} availble yet",
        "how much for the {p}", "cost of the {p} pls", "what's the {p} going for", "{p} - how much?",
        "what does a {p} set me back", "price on the {p} in {cur}?", "is the {p} currently available to order",
        "are there any {p} in stock in {col}", "is the {col} {p} in stock", "when do you expect more {p}",
        "any idea when the {p} will be restocked", "can I put my name down for the {p} before release",
        "will you be taking advance orders for the {p}", "can I order the {p} ahead of the launch",
        "pre-order {p}?", "notify me when the {p} is back", "are you getting any more {p} in",
        "is there a promo code for the {p}", "is the {p} part of the sale", "how much is the {p} after the discount",
        "does the price of the {p} include vat", "do you price match on the {p}",
        "{p} in stock y/n", "do you have the {p} in {s} right now",
        "in stock?", "price?", "is the {p} still available or has it gone", 
        "is the {p} coming back in {col}",
    ],
    "shipping": [
        "when would it get to me", "how long would the {p} take to get here", "when would I receive the {p} if I ordered it",
        "if I order the {p} when would it be with me", "how long for the {p} to turn up", "how much is postage", "delivry cost to {co}?",
        "how long will it take for the {p} to reach me", "when can I expect the {p} if I buy it now",
        "how soon would the {p} arrive in {co}", "what's the delivery charge", "delivery price?",
        "how much do you charge to deliver the {p}", "postage cost to {co}", "is shipping included in the price of the {p}",
        "estimated delivery date for the {p}", "if I buy today will it be here by the weekend",
        "do you deliver to PO boxes", "can I choose a delivery time slot", "what's the cheapest shipping option",
        "is there a minimum spend for free delivery", "do you use DHL or UPS", 
        "standard vs express delivery, how many days", "will the {p} come before christmas if I order now",
        "do I need to be home to sign for the delivery", "shipping to {co} how much",
        "delivery to {co}?", "what's the delivery lead time on the {p}", "can it be delivered to a different address from my billing one",
        "same day delivery available?", "how much extra for express shipping", "how quickly do you dispatch the {p}",
        "delivery cost?", "how many working days does delivery take", 
        "can the {p} be left with a neighbour if I'm out",
    ],
    "payment": [
        "I think I got charged two times", "financing options?", "can I finance the {p}",
        "can I pay for the {p} in parts", "do you have a payment plan", "is there an interest-free option",
        "do you offer credit", "0% finance on the {p}?", "I see two charges on my card for one order",
        "I was billed twice for the same order", "you took the money twice", "why does my bank show a double charge",
        "my card got charged but the order failed", "is it possible to pay with a debit card", "do you accept mastercard",
        "can I use my store credit at checkout", "is there a fee for paying by card",
        "pay on delivery possible?", "can my company pay by purchase order", "checkout keeps rejecting my card",
        "can I pay in {cur}", "how do I apply a gift voucher at checkout",
        "afterpay or clearpay?", "can I pay half now and half later", "pay later?", "double charged",
        "the money left my account but there's no order",
    ],
    "warranty": [
        "whats the waranty on the {p}", "what does the guarantee on the {p} include",
        "how long is the {p} under warranty", "what's the guarantee period on the {p}",
        "what does {b}'s warranty actually cover", "is the warranty on the {p} 1 or 2 years",
        "what parts does the {p} guarantee cover", "does the {p} warranty cover wear and tear",
        "warranty details for the {p}", "the {p} warranty, what's excluded",
        "will I void the warranty if I open the {p}", "is the warranty transferable if I sell the {p}",
        "who do I contact for a warranty repair on the {p}", "does the {p} come with a manufacturer's warranty",
        "can I buy extra protection for the {p}", "my {p} has a fault, can it be replaced under warranty",
        "is a cracked screen covered under the {p}'s guarantee", "does the warranty include parts and labour",
        "do I have to register the {p} for the warranty", "{p} guarantee?",
        "what happens if the {p} develops a fault in the second year", 
        "tell me about the warranty for the {p}",
        "warranty on this?",
    ],
    "comparison": [
        "{p} or the {p2}, what's the difference really", "how does the {p} stack up against the {p2}",
        "is the {p2} any better than the {p}", "{p} vs {p2} on {a}", "what are the main differences between the {p} and {p2}",
        "which would you say is better made, the {p} or the {p2}", 
        "is it worth paying more for the {p2} over the {p}", "which lasts longer, {p} or {p2}",
        "which is more comfortable, {p} or {p2}", "{b} vs {b2} for {c}", "which of the two has the better {a}",
        "the {p} and the {p2} look the same to me, what's different", "upgrade from the {p} to the {p2} worth it?",
        "how do {b} {c} compare with {b2} ones",
        "I'd appreciate a comparison of the {p} and the {p2}",
    ],
    "recommendation": [
        "gift idea pls", "gfit ideas for him",
        "present ideas for my mum", "need a gift for a 10 year old", "what's a nice present under 30 {cur}",
        "any good {c} on a small budget", "I need a new {c}, what do you suggest", "what do people usually buy with the {p}",
        "which {c} is best for someone who travels a lot", "what's your top pick for {c}",
        "can you suggest a cheaper alternative to the {p}", "staff picks for {c}?",
        "I want a {col} {c}, what have you got", "birthday present for a gamer",
        "what should I get my girlfriend", "christmas gift suggestions", 
        "looking for {c} recommendations", "need something for working from home, ideas?",
        "which {c} would you buy with 150 {cur}", "any {b} stuff you'd recommend",
        "gift for someone who has everything", "what goes well with the {p}", "gifts?",
    ],
    "return_policy": [
        "where do i post retruns", "how do i send stuff back",
        "where should I post my return", "return address?", "how do I ship a return back to you",
        "where do returns go", "can I drop off a return in store", "how do I print a returns label",
        "is the returns label free", "how many days do I have to send the {p} back", "refund please",
        "I want my money back", "can I swap the {p} for the {p2}",
        "I'd like to exchange the {p} for a {col} one", "when will I see my refund", "can I return the {p} if I've used it",
        "do returns have to be in the original packaging", "is there a fee to return the {p}",
        "can I return items bought online in a shop", "{p} return - what do I do", "what's the returns process",
        "returns?", "refund?", "the {p} isn't for me, can I send it back",
        "what do I do with the {p} if I don't want it",
    ],
    "order_status": [
        "the {p} I ordered, any news", "wheres my parcle",
        "what happened to the {p} I ordered", "the {p} I paid for, where is it", "has the {p} I ordered been sent",
        "still no {p}, I ordered it days ago", "my parcel is stuck in transit", "tracking hasn't updated in 5 days",
        "what's the ETA on order {n}", "is order {n} out for delivery", "when's my stuff coming",
        "my order has said processing for days", "I got a dispatch email but no tracking link",
        "where's my parcel at", "when will the {p} I bought arrive", "can you see where order {n} is",
        "status of {n}?", "my order was supposed to come yesterday",
        "order {n} - shipped yet?", "half my order came, where's the rest", "lost parcel", "tracking?",
        "I bought the {p} from you and it never turned up",
    ],
    "order_change": [
        "update order {n}", "chnage my order",
        "I need to make a change to order {n}", "amend order {n}", "can you adjust my order",
        "change the quantity on order {n} to 2", "I want to change what I ordered", "please edit my order, wrong colour",
        "can I update the shipping address on my order", "modify order {n}: swap {col} for {col2}",
        "add the {p} to order {n}", "take the {p} off my order", "cancel {n}", "I want to cancel, I ordered by mistake",
        "is it too late to cancel {n}", "order {n} needs to go to a different address",
        "move the delivery date for order {n}", "put my order on hold", "switch my order to express delivery",
        "I want to upgrade my order to the {p2}",
        "make changes to my order", "cancel order", "amend my order please",
    ],
    "complaint": [
        "the {p} is a joke", "so fed up with this {p}", "the {p} keeps disconnecting, useless",
        "I'm furious, the {p} was broken out of the box", "the {p} fell apart after a week",
        "your packaging was awful, the {p} is dented", "the {p} is much smaller than advertised", "the {p} overheats",
        "my {p} came with a dead pixel", "I ordered {col} and got {col2}",
        "your customer service ignored my emails", "waited 40 minutes on the phone, awful service",
        "the stitching on the {p} is coming undone", "the {p} battery dies in an hour, not happy",
        "the courier threw my parcel over the fence", 
        "not impressed with {b} at all", "terrible experience ordering from you",
        "I wish to make a formal complaint about the {p}",
    ],
    "account": [
        "how do I change my login email", "can't remember my password", "the password reset link doesn't work",
        "I think someone is using my account", "how do I deactivate my account", "how do I turn off marketing emails",
        "update my address in my profile", "can I shop without making an account",
        "my login code expired", "the site says my email is already registered", 
        "where are my account settings", "I need to verify my email", "stop sending me newsletters",
        "remove my saved card from my account", "sign in keeps failing", "my account was suspended", "login??",
        "password help",
    ],
    "human_agent": [
        "manger pls", "get me ur manager",
        "manager please", "can I speak with your manager", "I want someone in charge", "a human, now",
        "is there an actual person I can chat with", "put a real human on", "connect me to the support team",
        "I'd like to speak to a member of staff", "can I get a callback from someone",
        "what's your phone number, I want to talk to someone", "I don't want to talk to a bot", "talk to human",
        "let me talk to your boss", "get me someone who can actually help", 
        "need a real agent asap", "escalate please", "supervisor", "I demand to speak to a manager",
        "agent pls", "I would like to be transferred to a colleague",
    ],
    "greeting_thanks": [
        "hiyaa", "thnx",
        "heya", "howdy", "hey hey", "greetings", "hi team", "morning all", "thanks so much",
        "cheers mate", "brilliant, thanks", "lovely, thank you", "ta", "much appreciated", "that's great, bye",
        "catch you later", "thanks, you've been helpful", "okay thank you", "take care", 
        "thanks for sorting that", "hi, I have a question", "evening",
    ],
    "out_of_scope": [
        "what's the forecast for the weekend", "will it snow tomorrow", "tell me a knock knock joke", "say something funny",
        "order me a pizza", "book a table for two at 8", "call me an uber", "what's the best show on netflix",
        "my wifi is slow, how do I fix it", "how do I renew my passport", 
        "who painted the mona lisa", "what's the population of brazil", "how do I get to the train station",
        "what's your star sign", "are you married", "I'm bored", "suggest a name for my puppy",
        "recommend a podcast", "what's the cricket score", "sdfghjk", "test test",
        "what is the speed of light", "how to tie a tie",
        "what's amazon's customer service number", "what time does the supermarket close",
        "explain how vaccines work", "write an essay about climate change",
        "how do I get rid of ants", "what's a good workout for abs", "lkjh lkjh",
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
    rows += build(random.Random(SEED + 3), train_products, TEMPLATES_3)
    generate.write_jsonl(HERE / "train.jsonl", rows)
    print(f"train.jsonl: {len(generated)} generated + {len(rows) - len(generated)} additions")


if __name__ == "__main__":
    main()
