"""The whole query path, one typed stage after another, each timed:

    understand -> plan -> retrieve -> fuse -> context -> generate -> ground -> respond

`AnswerPipeline.answer(message, session_id, product_id)` returns the `Answer` (with
`timings.stages_ms`); `run()` returns the full `Trace` (understanding, retrieval lists,
overridden policies, context) for `ask --explain`, evaluation and tests; `stream()` yields the
grounded text as it passes the check, then the final `Answer`.

A message that asks two or three questions ("how long is the warranty on the X, and can I
return it?", rag.understand.compound) is answered one question after another in one session
(a scratch one when the caller gave none, so "it" finds the X), and the answers are joined
(rag.joined) into one `Answer`; each part is its own turn of the session.

Turns whose plan retrieves nothing (greeting, handoff, clarification, out of scope) skip
retrieval and generation and get the response policy's reply. Library code: every part comes
in through the constructor (serve/container.py wires them from settings).
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from rag.context import Context, build_context
from rag.generate.base import GenerationRequest
from rag.generate.extractive import ACCIDENT_DAMAGE, ASKED_VALUE, ExtractiveGenerator, answer_type
from rag.generate.fallback import FallbackGenerator
from rag.grounding import GroundingChecker
from rag.joined import join_answers, lead_part, render_parts
from rag.respond import product_unknown, reply_without_retrieval, respond
from rag.retrieve.base import RetrievalQuery
from rag.retrieve.graph import OverriddenPolicy
from rag.retrieve.hybrid import HybridRetriever, RetrievalResult
from rag.textutil import AGAINST_THE_STANDARD, content_words
from rag.types import STORE_WIDE, Answer, Evidence
from rag.understand.compound import split_questions
from rag.understand.request import asks_which_to_choose
from rag.understand.types import Understanding
from rag.verdict import bound_asked, may_ask_a_bound, may_ask_against_another


def _whom(overridden: OverriddenPolicy) -> str:
    """Whom a broader policy is for, said before its sentences: every product (store-wide), or
    the brand's or category's id in words ("Electronics")."""
    owner = overridden.policy.owner_id
    if overridden.scope in ("global", "store", "") or not owner or owner == "store":
        return STORE_WIDE
    return owner.replace("-", " ").title()


#: Stage names, in order (the keys of `Answer.timings.stages_ms`).
STAGES = ("understand", "plan", "retrieve", "fuse", "context", "generate", "ground", "respond")
#: What a rule leaves out ("The warranty does not cover accidental damage, water damage ...")
_EXCLUDES = re.compile(r"\b(?:does|do|is|are)\s+not\s+(?:cover|covered)\b|\bexcluded\b", re.IGNORECASE)
#: A case put to a rule just told: "what if I lose them?", "and if I opened them?"
_A_CASE = re.compile(r"^\W*(?:(?:and|but|so|ok|okay)[\s,]+)?(?:what\s+if|and\s+if|even\s+if|if)\b", re.IGNORECASE)


class Understander(Protocol):
    def understand(self, text: str, session_id: str | None = None, product_id: str | None = None) -> Understanding: ...


class SessionRecorder(Protocol):
    """Optional: remembers what was answered so later turns can refer back to it."""

    def record(self, understanding: Understanding, answer: Answer) -> None: ...

    def forget(self, session_id: str) -> None:
        """Drop a session (the scratch one a message of several questions was answered in)."""


@dataclass
class Trace:
    """Everything one turn computed (the Answer is `answer`)."""

    understanding: Understanding
    query: RetrievalQuery | None = None
    retrieval: RetrievalResult | None = None
    context: Context | None = None
    answer: Answer | None = None
    stages_ms: dict[str, float] = field(default_factory=dict)
    #: A message of several questions: each one's question and trace (the fields above are the
    #: lead part's, rag.joined.lead_part, and `answer` the joined one)
    parts: list[tuple[str, "Trace"]] = field(default_factory=list)

    @property
    def overridden(self) -> list[OverriddenPolicy]:
        return self.retrieval.overridden if self.retrieval else []

    @property
    def evidence(self) -> list[Evidence]:
        return self.retrieval.evidence if self.retrieval else []

    def to_dict(self) -> dict[str, Any]:
        """What `shopgraph ask --json` prints: the answer, its citations with their text, intent,
        sentiment, per-stage timings, and the policies the applicable ones overrode."""
        a = self.answer or Answer(text="")
        u = self.understanding
        parts = {"parts": [{"question": q, "intent": t.understanding.intent.label, "answer": t.answer.text if t.answer
                            else None} for q, t in self.parts]} if self.parts else {}
        return {
            "answer": a.text,
            "grounded": a.grounded,
            "abstained": a.abstained,
            "generator": a.generator,
            "fallback_reason": a.fallback_reason,
            "citations": [c.model_dump() for c in a.citations],
            "intent": {"label": u.intent.label, "confidence": round(u.intent.confidence, 3)},
            "sentiment": {"label": u.sentiment.label, "confidence": round(u.sentiment.confidence, 3)},
            "focus": [{"kind": e.kind, "id": e.id, "name": e.name} for e in u.focus],
            "escalate": a.escalate,
            "handoff_message": a.handoff_message,
            "clarification_options": a.clarification_options,
            "timings_ms": {**a.timings.stages_ms, "total": a.timings.total_ms},
            "overridden_policies": [
                {"id": o.policy.doc_id, "version": o.policy.doc_version, "scope": o.scope, "overridden_by": o.by}
                for o in self.overridden
            ],
            "dropped_sentences": [d.model_dump() for d in a.dropped],
            **parts,
        }


class _Clock:
    def __init__(self) -> None:
        self.stages: dict[str, float] = {}
        self._t = time.perf_counter()
        self._start = self._t

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.stages[stage] = self.stages.get(stage, 0.0) + (now - self._t) * 1e3
        self._t = now

    @property
    def total_ms(self) -> float:
        return (time.perf_counter() - self._start) * 1e3


class AnswerPipeline:
    def __init__(
        self,
        understander: Understander,
        retriever: HybridRetriever,
        generator: Any,
        checker: GroundingChecker | None = None,
        extractive: ExtractiveGenerator | None = None,
        sessions: SessionRecorder | None = None,
        context_tokens: int = 1500,
        max_context_items: int = 8,
    ):
        """`generator`: any rag.generate generator (a FallbackGenerator for model ones)."""
        self.understander = understander
        self.retriever = retriever
        self.generator = generator
        self.checker = checker or GroundingChecker()
        fallback = getattr(generator, "fallback", None)
        self.extractive = extractive or (
            generator if isinstance(generator, ExtractiveGenerator)
            else fallback if isinstance(fallback, ExtractiveGenerator) else ExtractiveGenerator()
        )
        self.sessions = sessions
        self.context_tokens = context_tokens
        self.max_context_items = max_context_items

    # -- stages -------------------------------------------------------------------------------------
    def understand(self, message: str, session_id: str | None, product_id: str | None) -> Understanding:
        return self.understander.understand(message, session_id=session_id, product_id=product_id)

    @staticmethod
    def plan(u: Understanding) -> RetrievalQuery:
        return RetrievalQuery.from_understanding(u)

    def retrieve_and_fuse(self, query: RetrievalQuery, clock: _Clock) -> RetrievalResult:
        """Runs the hybrid retriever; its own inner timings split the retrieve/fuse stages."""
        res = self.retriever.retrieve(query, limit=self.max_context_items)
        t = res.timings_ms
        retrieve_ms = t.get("graph", 0) + t.get("dense", 0) + t.get("bm25", 0)
        fuse_ms = t.get("fuse", 0) + t.get("rerank", 0)
        clock.lap("retrieve")
        clock.stages["retrieve"] = retrieve_ms
        clock.stages["fuse"] = fuse_ms
        return res

    def build_context(self, evidence: Sequence[Evidence], u: Understanding | None = None) -> Context:
        """Numbered evidence; the linked entities' names are the turn's topic words (naming the
        product is not evidence of anything). A category named next to a product is what the
        question asks for, not its topic: "which phones work with the Halo 150?"."""
        focus = u.focus if u is not None else []
        has_product = any(e.kind == "product" for e in focus)
        names = [e.name for e in focus if not (has_product and e.kind == "category")]
        # but the product's own kind is its topic, by the name the shopper gave it too ("any
        # similar watches?" on a smartwatch's page asks for nothing a "watch" says)
        own = {e.category_id for e in focus if e.kind == "product"}
        names += [name for e in focus if has_product and e.kind == "category" and e.id in own
                  for name in (e.name, e.mention) if name]
        if not has_product and any(e.kind == "brand" for e in focus):
            # (and a brand talked about is called one: "tell me about the northpeak brand" asked
            # for nothing its facts say, "I don't know")
            names.append("brand")
        return build_context(evidence, budget_tokens=self.context_tokens, max_items=self.max_context_items,
                             entity_names=names)

    def context_for(self, u: Understanding, retrieval: RetrievalResult) -> Context:
        """The turn's context. When the policy that applies says nothing of what was asked (no
        sentence of the context answers it, or it asks of something no item mentions), the
        broader policies it overrides come after it, each said with whom it is for ("can I pay
        with PayPal?" on a laptop's page: the laptops' financing policy wins over the store's
        payment methods and says "in addition to the usual payment methods"; it said "I don't
        know"). They never bind: what the narrower policy says still leads."""
        if not retrieval.overridden:
            return self.build_context(retrieval.evidence, u)
        if AGAINST_THE_STANDARD.search(u.question):
            # "is the Orbis warranty better than the standard one?" asks for both
            return self._with_broader(u, retrieval)
        context = self.build_context(retrieval.evidence, u)
        picked = self.extractive.pick(u.question, context, u.embedding)
        missing = self._unanswered(u, context, picked)
        if picked and not missing and not self.extractive.unmentioned(u.question, context):
            return context
        wider = self._with_broader(u, retrieval)
        answered = self.extractive.pick(u.question, wider, u.embedding)
        if not answered or (picked and not missing - self._unanswered(u, wider, answered)):
            return context  # the broader policies add nothing that was asked
        if (picked and picked[0].binding and not answered[0].binding and answer_type(u.question) is not ACCIDENT_DAMAGE
                and not self._excludes_what_was_asked(u, wider, answered[0].sentence)):
            # nor may they take the lead from the policy that applies (but what the store-wide
            # warranty leaves out, which no narrower one covers, answers an accident: "i spilled
            # water on my laptop", then "is that covered?" quoted the electronics' cover)
            return context
        return wider

    def _excludes_what_was_asked(self, u: Understanding, context: Context, sentence: str) -> bool:
        """Whether a broader rule's sentence leaves out every thing the message itself asks of:
        "does it cover water damage?" after the laptops' warranty is answered by the store-wide
        "does not cover accidental damage, water damage or normal wear", which no narrower rule
        covers (it quoted their cover and "Batteries are covered", saying neither names water
        damage); "is the screen covered?" after it is not (its words, not the turn's it is read
        with)."""
        asked = self.extractive.asked_words(u.text, context)
        return bool(_EXCLUDES.search(sentence)) and bool(asked) and asked <= content_words(sentence)

    def _with_broader(self, u: Understanding, retrieval: RetrievalResult) -> Context:
        """The context with the broader policies the applicable ones override right after them
        (the context keeps its first items), each said with whom it is for."""
        broader = [o.policy.model_copy(update={"overridden_by": o.by, "applies_to": _whom(o)})
                   for o in sorted(retrieval.overridden, key=lambda o: -o.rank)]
        at = max((i + 1 for i, e in enumerate(retrieval.evidence) if e.source == "policy" and e.kind == "graph_fact"),
                 default=0)
        return self.build_context([*retrieval.evidence[:at], *broader, *retrieval.evidence[at:]], u)

    def _unmentioned(self, u: Understanding, context: Context) -> frozenset[str]:
        """What the question asks that no item mentions (`ExtractiveGenerator.unmentioned`), the
        reply's "I can't find that exact case"; of a follow-up read with an earlier message, only
        what the follow-up asks: "what if I already opened it?" after "can I exchange it?" is
        answered by the rule on opened laptops (the exchange was told as not found before), and
        the case it puts to a warranty."""
        words = self.extractive.unmentioned(u.question, context)
        if u.intent.reason == "policy_follow_up":
            own = content_words(u.text)
            words = frozenset(w for w in words if w in own)
            if _A_CASE.match(u.text) and u.intent.label == "warranty":
                # (and the case it puts to a warranty, which covers what it names: "what if I lose
                # them?" after the warranty on headphones; a return rule's conditions answer the
                # cases they imply: "what if it's still in the box?" of "only if unused")
                words |= self.extractive.unmentioned_case(u.text, context)
        return words

    def _unanswered(self, u: Understanding, context: Context, picked: Sequence[Any]) -> frozenset[str]:
        """The words the question asks about that the picked sentences leave out ("is return
        shipping free?" answered by the laptops' "15-day returns": shipping, free), and the kind
        of value it asks for when none of them gives one ("who pays for return shipping?" after
        the phones' returns: their rule states no charge, the store-wide one does)."""
        said = set().union(*(s.shared for s in picked)) if picked else set()
        left = set(self.extractive.asked_words(u.question, context)) - said
        if answer_type(u.question) is not None and ASKED_VALUE not in said:
            left.add(ASKED_VALUE)
        return frozenset(left)

    def _request(self, u: Understanding, context: Context, history: Sequence[tuple[str, str]]) -> GenerationRequest:
        if isinstance(self.generator, ExtractiveGenerator):
            # it quotes the numbered evidence and never reads a prompt: rendering one is waste;
            # its semantic fallback reuses the message embedding the understanding step made
            return GenerationRequest(u.question, context, [], question_vector=u.embedding)
        return GenerationRequest.build(u.question, context, history)

    def _generate(self, request: GenerationRequest) -> tuple[str, str, str | None]:
        if isinstance(self.generator, FallbackGenerator):
            out = self.generator.generate_outcome(request)
            return out.text, out.generator, out.fallback_reason
        return self.generator.generate(request), self.generator.name, None

    # -- whole turns ------------------------------------------------------------------------------
    def run(
        self,
        message: str,
        session_id: str | None = None,
        product_id: str | None = None,
        history: Sequence[tuple[str, str]] = (),
    ) -> Trace:
        questions = split_questions(message)
        if len(questions) == 1:
            return self._run_one(message, session_id, product_id, history)
        traces = list(self._run_each(questions, session_id, product_id, history))
        answers = [t.answer or Answer(text="") for t in traces]
        lead = traces[lead_part(answers)]
        answer = join_answers(questions, answers)
        return Trace(understanding=lead.understanding, query=lead.query, retrieval=lead.retrieval,
                     context=lead.context, answer=answer, stages_ms=answer.timings.stages_ms,
                     parts=list(zip(questions, traces, strict=True)))

    def _run_each(self, questions: Sequence[str], session_id: str | None, product_id: str | None,
                  history: Sequence[tuple[str, str]]) -> Iterator[Trace]:
        """Each question's trace, in order, in the caller's session or a scratch one."""
        scratch = session_id is None and self.sessions is not None
        session_id = f"~parts-{uuid.uuid4().hex}" if scratch else session_id
        try:
            for question in questions:
                trace = self._run_one(question, session_id, product_id, history)
                history = [*history, (question, trace.answer.text if trace.answer else "")]
                yield trace
        finally:
            if scratch and self.sessions is not None and session_id is not None:
                self.sessions.forget(session_id)

    def _run_one(self, message: str, session_id: str | None, product_id: str | None,
                 history: Sequence[tuple[str, str]]) -> Trace:
        clock = _Clock()
        u = self.understand(message, session_id, product_id)
        clock.lap("understand")
        trace = Trace(understanding=u)
        if not u.plan.retrieve:
            answer = reply_without_retrieval(u)
            clock.lap("respond")
            return self._finish(trace, answer, clock)
        query = self.plan(u)
        clock.lap("plan")
        trace.query = query
        trace.retrieval = self.retrieve_and_fuse(query, clock)
        context = self.context_for(u, trace.retrieval)
        trace.context = context
        clock.lap("context")
        text, name, reason = self._generate(self._request(u, context, history))
        clock.lap("generate")
        grounded = self.checker.ground(text, context, u.question, self.extractive, name, reason)
        clock.lap("ground")
        answer = respond(grounded, u, unmentioned=self._unmentioned(u, context))
        clock.lap("respond")
        return self._finish(trace, answer, clock)

    def _finish(self, trace: Trace, answer: Answer, clock: _Clock) -> Trace:
        stages = {s: round(clock.stages.get(s, 0.0), 3) for s in STAGES}
        answer.timings.stages_ms = stages
        answer.timings.total_ms = round(clock.total_ms, 3)
        trace.answer, trace.stages_ms = answer, stages
        if self.sessions is not None:
            self.sessions.record(trace.understanding, answer)
        return trace

    def answer(self, message: str, session_id: str | None = None, product_id: str | None = None) -> Answer:
        trace = self.run(message, session_id=session_id, product_id=product_id)
        assert trace.answer is not None
        return trace.answer

    def stream(
        self, message: str, session_id: str | None = None, product_id: str | None = None
    ) -> Iterator[str | Answer]:
        """Grounded text pieces (whole sentences) as they pass the check, then the `Answer`. A
        message of several questions sends each part's answer whole, as soon as it is answered."""
        questions = split_questions(message)
        if len(questions) > 1:
            answers: list[Answer] = []
            for i, trace in enumerate(self._run_each(questions, session_id, product_id, ())):
                answers.append(trace.answer or Answer(text=""))
                if piece := render_parts(questions[:i + 1], answers)[-1]:
                    yield piece
            yield join_answers(questions, answers)
            return
        clock = _Clock()
        u = self.understand(message, session_id, product_id)
        clock.lap("understand")
        trace = Trace(understanding=u)
        if not u.plan.retrieve:
            answer = reply_without_retrieval(u)
            clock.lap("respond")
            self._finish(trace, answer, clock)
            yield answer.text
            yield answer
            return
        query = self.plan(u)
        clock.lap("plan")
        trace.retrieval = self.retrieve_and_fuse(query, clock)
        context = self.context_for(u, trace.retrieval)
        clock.lap("context")
        request = self._request(u, context, ())
        if isinstance(self.generator, FallbackGenerator):
            pieces: Any = self.generator.stream_outcome(request)
        else:
            pieces = self.generator.stream(request)
        stream = self.checker.stream(pieces, context, u.question, self.extractive, self.generator.name)
        unmentioned = self._unmentioned(u, context)
        if (u.response.handoff_unanswered or u.response.decline_unanswered or product_unknown(u) or unmentioned
                or asks_which_to_choose(u.text) or may_ask_a_bound(bound_asked(u.text, u.question))
                or may_ask_against_another(u.text)):
            # an abstention becomes the handoff, an answer about an unnamed product asks which,
            # a rule that does not say what was asked, or how compared products differ, is told
            # so first, unless the answer abstains, and a bound asked is answered yes or no first
            # (rag.respond): nothing is said until the body is known
            for _ in stream:
                pass
            clock.lap("generate")
            answer = respond(stream.answer or Answer(text=""), u, unmentioned=unmentioned)
            clock.lap("respond")
            self._finish(trace, answer, clock)
            yield answer.text
            yield answer
            return
        # the response policy wraps the body (apology before, handoff after): stream it in order
        marker = "\x00body\x00"
        prefix, _, suffix = respond(Answer(text=marker), u).text.partition(marker)
        if prefix:
            yield prefix
        for piece in stream:
            yield piece
        if suffix:
            yield suffix
        clock.lap("generate")
        grounded = stream.answer or Answer(text="")
        answer = respond(grounded, u)
        clock.lap("respond")
        self._finish(trace, answer, clock)
        yield answer
