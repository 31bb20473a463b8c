"""Response policy around a grounded answer: apology for negative sentiment, escalation and
handoff, clarifying question for ambiguous products, fixed smalltalk/decline replies."""

from rag.context import build_context
from rag.grounding import ground
from rag.respond import (
    APOLOGY,
    DECLINE_REPLY,
    GOODBYE_REPLY,
    HANDOFF_MESSAGE,
    NOT_MENTIONED,
    SMALLTALK_REPLY,
    THANKS_REPLY,
    apply_response_policy,
    reply_without_retrieval,
    respond,
)
from rag.types import Evidence
from rag.understand.types import (
    ClarifyingQuestion,
    IntentPrediction,
    LinkedEntity,
    ResponsePolicy,
    RetrievalPlan,
    SentimentPrediction,
    Understanding,
)

EVIDENCE = [Evidence(id="pol:returns", kind="passage", source="policy", doc_id="returns",
                     text="Items can be returned within 30 days of delivery.")]


def grounded_answer():
    ctx = build_context(EVIDENCE)
    return ground("Items can be returned within 30 days of delivery [1].", ctx, "Can I return it?")


def understanding(intent="return_policy", sentiment="neutral", mode="grounded", response=None, clarify=None,
                  text="..."):
    return Understanding(
        text=text,
        intent=IntentPrediction(label=intent, confidence=0.9, raw_label=intent),
        sentiment=SentimentPrediction(label=sentiment, confidence=0.9),
        plan=RetrievalPlan(intent=intent, answer_mode=mode, clarify=clarify, retrieve=mode == "grounded"),
        response=response or ResponsePolicy(),
    )


def test_neutral_answer_is_unchanged_but_labelled():
    base = grounded_answer()
    out = respond(base, understanding())
    assert out.text == base.text and out.grounded and out.citations == base.citations
    assert (out.intent, out.sentiment, out.escalate) == ("return_policy", "neutral", False)


def test_negative_sentiment_apologizes_and_escalation_appends_the_handoff():
    policy = ResponsePolicy(tone="apologetic", apologize=True, escalate=True)
    out = respond(grounded_answer(), understanding(sentiment="negative", response=policy))
    assert out.text.startswith(APOLOGY + " Items can be returned within 30 days of delivery [1].")
    assert out.text.endswith(HANDOFF_MESSAGE)
    assert out.escalate and out.handoff_message == HANDOFF_MESSAGE
    assert out.grounded and [c.evidence_id for c in out.citations] == ["pol:returns"]
    custom = respond(grounded_answer(), understanding(response=ResponsePolicy(opening="I understand how annoying this is.")))
    assert custom.text.startswith("I understand how annoying this is. Items")


def test_a_store_rule_that_does_not_say_what_was_asked_is_told_so_first():
    """`unmentioned` (the question asks of the rule what no item mentions) prefixes the
    store's rule; an abstention, or an answer from a product's own facts, is left alone."""
    out = respond(grounded_answer(), understanding(sentiment="negative", response=ResponsePolicy(apologize=True)),
                  unmentioned=True)
    assert out.text == f"{APOLOGY} {NOT_MENTIONED} Items can be returned within 30 days of delivery [1]."
    assert out.grounded and [c.evidence_id for c in out.citations] == ["pol:returns"]
    abstained = ground("I don't know.", build_context(EVIDENCE), "Can I return it on Sundays?")
    assert not respond(abstained, understanding(), unmentioned=True).text.startswith(NOT_MENTIONED)
    fact = [Evidence(id="p1#attr:color", kind="graph_fact", source="attribute", owner_id="p1", owner_kind="product",
                     text="Tent: color Blue.")]
    about_product = ground("Tent: color Blue [1].", build_context(fact), "Does it come in blue?")
    assert respond(about_product, understanding(), unmentioned=True).text == about_product.text


def test_links_that_do_not_name_what_was_asked_are_told_so_first():
    """"Is it compatible with iphone?" answered by the product's link to another phone read as
    a yes (NOT_LINKED); "a clear case for the X", a request, as a listing is (NOT_SHOWN)."""
    from rag.respond import NOT_LINKED, NOT_SHOWN

    link = [Evidence(id="w1~compatible_with~p9", kind="graph_fact", source="compatibility", owner_id="w1",
                     owner_kind="product", text="Classic 560 Smartwatch is compatible with One 470 Smartphone (p9).")]
    answer = ground("Classic 560 Smartwatch is compatible with One 470 Smartphone (p9) [1].", build_context(link),
                    "is it compatible with iphone?")
    out = apply_response_policy(answer, intent="compatibility", message="is it compatible with iphone?", unmentioned=True)
    assert out.text.startswith(NOT_LINKED), out.text
    for request in ("a clear case for the One 470", "rugged case for the One 470"):  # (asked, or typed as a search)
        out = apply_response_policy(answer, intent="compatibility", message=request, unmentioned=True)
        assert out.text.startswith(NOT_SHOWN), out.text
    assert apply_response_policy(answer, intent="compatibility", message="is it compatible with the One 470?").text \
        == answer.text


def test_escalation_apologizes_once():
    """The router's escalation message opens with its own apology; after the tone's apology the
    reply does not say sorry twice, and the handoff message a client shows stays whole."""
    from rag.understand.router import ESCALATION_MESSAGE

    policy = ResponsePolicy(tone="apologetic", apologize=True, escalate=True, handoff_message=ESCALATION_MESSAGE)
    out = respond(grounded_answer(), understanding(sentiment="negative", response=policy))
    assert out.text.lower().count("sorry") == 1 and out.text.startswith(APOLOGY)
    assert out.text.endswith("I've flagged the conversation for a member of our support team, who will follow up with you.")
    assert out.handoff_message == ESCALATION_MESSAGE
    calm = respond(grounded_answer(), understanding(response=ResponsePolicy(escalate=True, handoff_message=ESCALATION_MESSAGE)))
    assert calm.text.endswith(ESCALATION_MESSAGE)


def test_an_escalated_complaint_the_evidence_does_not_answer_says_no_i_dont_know():
    """"My order arrived broken and I'm furious": the policies retrieved do not answer it, and
    "I don't know: ..." between the apology and the handoff read as if we shrugged."""
    from rag.understand.router import ESCALATION_MESSAGE

    abstained = ground("Nothing here.", build_context(EVIDENCE), "my order arrived broken")
    assert abstained.abstained
    policy = ResponsePolicy(tone="apologetic", apologize=True, escalate=True, handoff_message=ESCALATION_MESSAGE)
    out = respond(abstained, understanding(intent="complaint", sentiment="negative", response=policy))
    assert out.text == APOLOGY + " I've flagged the conversation for a member of our support team, who will follow up with you."
    assert out.abstained and out.escalate and not out.citations


def test_handoff_mode_answers_with_the_handoff_message_only():
    out = reply_without_retrieval(understanding(intent="order_status", mode="handoff",
                                                response=ResponsePolicy(escalate=True, handoff_message="A colleague will take over.")))
    assert out.text == "A colleague will take over." and out.escalate and not out.citations
    assert not out.grounded and not out.abstained


def test_an_order_question_asked_how_is_answered_or_handed_off():
    """handoff_unanswered: the FAQ's answer when there is one, the handoff (once, even when the
    shopper is angry too) instead of "I don't know" when there is none."""
    policy = ResponsePolicy(handoff_unanswered=True, handoff_message="A colleague will take over.")
    answered = respond(grounded_answer(), understanding(intent="order_status", response=policy))
    assert answered.text.startswith("Items can be returned") and not answered.escalate and answered.citations
    abstained = ground("Nothing here.", build_context(EVIDENCE), "how do I change my address?")
    out = respond(abstained, understanding(intent="order_change", response=policy))
    assert out.text == "A colleague will take over." and out.escalate and out.handoff_message == out.text
    assert not out.citations and not out.abstained and not out.grounded
    angry = policy.model_copy(update={"escalate": True, "apologize": True, "tone": "apologetic"})
    out = respond(abstained, understanding(intent="order_change", sentiment="negative", response=angry))
    assert out.text == APOLOGY + " A colleague will take over.", out.text


def test_ambiguous_product_gets_a_clarifying_question_with_options():
    candidates = [
        LinkedEntity(kind="product", id="x100", name="Acme X100", score=0.8, method="fuzzy"),
        LinkedEntity(kind="product", id="x100pro", name="Acme X100 Pro", score=0.79, method="fuzzy"),
    ]
    out = reply_without_retrieval(understanding(mode="clarify", clarify=ClarifyingQuestion(question="", candidates=candidates)))
    assert out.text == "Which product do you mean: Acme X100 or Acme X100 Pro?"
    assert out.clarification_options == [{"id": "x100", "label": "Acme X100"}, {"id": "x100pro", "label": "Acme X100 Pro"}]
    assert not out.citations and not out.grounded
    asked = apply_response_policy(grounded_answer(), mode="clarify",
                                  clarify=ClarifyingQuestion(question="Which Acme X100?", candidates=candidates))
    assert asked.text == "Which Acme X100?"


def test_smalltalk_and_decline_are_fixed_replies():
    assert reply_without_retrieval(understanding(intent="greeting_thanks", mode="smalltalk")).text == SMALLTALK_REPLY
    for text, reply in [("hi there", SMALLTALK_REPLY), ("thanks!", THANKS_REPLY), ("thank you so much", THANKS_REPLY),
                        ("ok cheers", THANKS_REPLY), ("thanks, bye", GOODBYE_REPLY), ("have a nice day", GOODBYE_REPLY)]:
        # "thanks" after an answer is not answered "Hello!"
        out = reply_without_retrieval(understanding(intent="greeting_thanks", mode="smalltalk", text=text))
        assert out.text == reply, (text, out.text)
    declined = reply_without_retrieval(understanding(intent="out_of_scope", mode="decline"))
    assert declined.text == DECLINE_REPLY and declined.abstained
