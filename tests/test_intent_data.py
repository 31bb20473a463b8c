"""The intent model's real-message training rows (rag/data/intents/real_messages.py) are what
the script makes from the shared data, and the shipped model trained on them keeps real
shoppers' product questions in scope without taking other assistants' requests for them."""

from __future__ import annotations

import json

import pytest

from rag.data.intents import real_messages
from rag.understand.training import OWN_REAL
from rag.understand.types import INTENTS


@pytest.fixture(scope="module")
def understander(sync_encoder):
    from rag.understand.pipeline import Understander

    return Understander.from_artifacts(sync_encoder)  # the shipped (latest) intent model, no linker


def test_the_committed_rows_are_what_the_script_makes(shared_data):
    rows = [json.loads(line) for line in OWN_REAL.read_text(encoding="utf-8").splitlines()]
    made = real_messages.shopper_questions(shared_data) + real_messages.other_assistants_requests(shared_data)
    assert rows == made
    assert {r["label"] for r in rows} <= set(INTENTS)
    # no CLINC150 intent a shop may be asked in its own sense is taught as out of scope
    clinc = json.loads((shared_data / real_messages.CLINC).read_text())
    shop_like = {t for t, intent in clinc["train"] if intent in real_messages.SHOP_LIKE_INTENTS}
    assert not shop_like & {r["text"] for r in rows if r["label"] == "out_of_scope"}


def test_missing_shared_data_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="hetPQA answer_generation train split not found"):
        real_messages.shopper_questions(tmp_path)


@pytest.mark.parametrize("question, label", [
    ("will these fit a 2010 camry?", "compatibility"),
    ("what is the difference between this and the pro version?", "comparison"),
    ("how many batteries does it take?", "product_info"),
])
def test_product_question_labels(question, label):
    assert real_messages.product_question_label(question) == label


@pytest.mark.parametrize("message, intent", [
    ("Where is it manufactured?", "product_info"),  # intent/v4: order_status, a handoff
    ("what is it made of?", "product_info"),
    ("how many outlets does it have?", "product_info"),
    ("where is my order?", "order_status"),
    ("who won the game last night?", "out_of_scope"),
    ("book me a flight to denver on friday", "out_of_scope"),
])
def test_the_shipped_model_on_real_kinds_of_messages(understander, message, intent):
    assert understander.understand(message).intent.label == intent
