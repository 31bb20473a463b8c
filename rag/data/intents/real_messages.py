"""Real messages as intent examples (eighth session): shoppers' product questions in scope,
other assistants' requests out of scope.

Every other training row is a template written for the demo store, and the model learned that
product questions look like them: intent/v4 called 60% of hetPQA dev's real Amazon questions
and 64% of ePQA dev's out_of_scope ("is this doll made in spain or china?", "how many
outlets?"), and sent "Where is it manufactured?" to order_status. This file adds two kinds of
real messages, both from train splits, so hetPQA dev, ePQA dev and CLINC150 val / oos_val stay
unseen and measure the change (docs/understanding.md, "Real messages"):

- in scope: the distinct questions of hetPQA answer_generation train (toys and games) that do
  not ask about the shop's terms (`SHOP_TERMS`: warranty, returns, shipping, price, payment,
  orders, which the templates label), labelled by what they ask of their product with two
  plain patterns: whether it fits or works with something else (compatibility), how it differs
  from another (comparison), else product_info. (Labels from intent/v4's head were tried first
  and were too noisy: "what is the age for this set?" came out as availability_price, whose
  plan reads no passages.)
- out of scope: 20 messages of each CLINC150 train intent that no shop answers (travel, music,
  alarms, small talk, ...; `SHOP_LIKE_INTENTS` are left out: banking and cards, orders,
  greetings, food facts, car parts: a shop may well be asked those), plus CLINC150's
  oos_train: 1,740 messages. Without them the shoppers' questions taught the model that any
  question is product_info (CLINC150 oos_val called out_of_scope 0.86 -> 0.52).

    python -m rag.data.intents.real_messages [--data ../shared/data]   # writes train_real.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

from rag.data.intents.generate import HERE, SEED, write_jsonl

OUT = HERE / "train_real.jsonl"
SHOPPER_QUESTIONS = Path("pqa/hetPQA/answer_generation/train.csv")
CLINC = Path("clinc150/data_full.json")
PER_CLINC_INTENT = 20
# Questions about the shop's terms and transactions (warranty, returns, shipping, price,
# payment, orders) are left out: the templates label those intents, and a catch-all product
# label would pull them away ("what is the warranty for this?" is a warranty question).
SHOP_TERMS = re.compile(r"\b(?:warrant\w*|guarantee\w*|return\w*|refund\w*|ship\w*|deliver\w*|price\w*|cost\w*"
                        r"|pay|paid|payment\w*|order\w*|seller\w*|discount\w*|coupon\w*|in stock)\b", re.IGNORECASE)
COMPATIBILITY = re.compile(r"\b(?:fit|fits|work|works|compatible|compatibility)\b", re.IGNORECASE)
COMPARISON = re.compile(r"\bdifference\b|\bdiffer\b|\bcompared?\b|\bvs\.?\b|\bversus\b|\bbetter than\b", re.IGNORECASE)
# CLINC150 intents a shop's assistant may be asked in its own sense (a card declined at
# checkout, an order, a food product's ingredients, a car part's fit): not used as out of scope.
SHOP_LIKE_INTENTS = frozenset("""
    accept_reservations order order_status order_checks cancel greeting goodbye thank_you are_you_a_bot
    what_can_i_ask_you yes no maybe repeat user_name change_user_name sync_device plug_type
    shopping_list shopping_list_update expiration_date calories nutrition_info ingredients_list cook_time
    food_last ingredient_substitution measurement_conversion gas_type tire_pressure mpg oil_change_how
    jump_start card_declined account_blocked freeze_account report_fraud pin_change damaged_card new_card
    replacement_card_duration report_lost_card international_fees transactions spending_history balance
    bill_balance bill_due pay_bill min_payment credit_limit credit_limit_change apr interest_rate
    rewards_balance redeem_rewards transfer routing direct_deposit income payday taxes w2 rollover_401k
    credit_score improve_credit_score insurance insurance_change
""".split())


def _require(path: Path, what: str) -> Path:
    if not path.is_file():
        raise FileNotFoundError(f"{what} not found: {path.resolve()} (pass --data DIR, the shared data folder)")
    return path


def product_question_label(question: str) -> str:
    """compatibility, comparison or product_info (see the module docstring)."""
    if COMPARISON.search(question):
        return "comparison"
    if COMPATIBILITY.search(question):
        return "compatibility"
    return "product_info"


def shopper_questions(data_dir: Path) -> list[dict]:
    """The distinct questions of hetPQA answer_generation train, in file order, labelled, less
    those about the shop's terms."""
    from rag.eval.suites.hetpqa import load_generation

    path = _require(Path(data_dir) / SHOPPER_QUESTIONS, "hetPQA answer_generation train split")
    questions = dict.fromkeys(item["question"] for item in load_generation(path))
    return [{"text": q, "label": product_question_label(q)} for q in questions if not SHOP_TERMS.search(q)]


def other_assistants_requests(data_dir: Path) -> list[dict]:
    """PER_CLINC_INTENT messages of each CLINC150 train intent outside SHOP_LIKE_INTENTS, plus
    oos_train, all as out_of_scope (seeded sample)."""
    data = json.loads(_require(Path(data_dir) / CLINC, "CLINC150").read_text())
    by_intent: dict[str, list[str]] = {}
    for text, intent in data["train"]:
        if intent not in SHOP_LIKE_INTENTS:
            by_intent.setdefault(intent, []).append(text)
    rng = random.Random(SEED + 4)
    texts = [t for intent in sorted(by_intent) for t in rng.sample(by_intent[intent], PER_CLINC_INTENT)]
    texts += [t for t, _ in data["oos_train"]]
    return [{"text": t, "label": "out_of_scope"} for t in texts]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    args = ap.parse_args()
    shoppers = shopper_questions(args.data)
    others = other_assistants_requests(args.data)
    write_jsonl(OUT, shoppers + others)
    counts = {name: sum(r["label"] == name for r in shoppers) for name in ("product_info", "compatibility", "comparison")}
    print(f"{OUT.name}: {len(shoppers)} shoppers' questions {counts}, {len(others)} out_of_scope requests")


if __name__ == "__main__":
    main()
