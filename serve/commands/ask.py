"""`shopgraph ask "..." [--session S] [--product ID] [--explain] [--json]`: what the service
understands from one message (intent, sentiment, linked entities, dialogue state, the plan)
and, on an ingested store, the grounded answer: its text, citations with their text, intent,
sentiment and per-stage timings (`--json`: rag.pipeline.Trace.to_dict plus the understanding).

Entity names come from the published graph of the data dir when there is one; without an
ingested store the message is still classified, with no entity linking and no answer (said on
stderr)."""

from __future__ import annotations

import json
from typing import Optional

import typer
from rich.console import Console

from serve.cli import app
from serve.settings import get_settings

console = Console(stderr=True)
out = Console()


def explain_lines(u) -> list[str]:
    i, s = u.intent, u.sentiment
    lines = [
        f"intent     {i.label}  (confidence {i.confidence:.2f}, threshold {i.threshold:.2f}"
        + (f", reason {i.reason}" if i.reason else "") + ")",
        "           top: " + ", ".join(f"{lab} {p:.2f}" for lab, p in i.top),
        f"sentiment  {s.label}  ({s.confidence:.2f})" + (f"  escalate: {', '.join(s.signals)}" if s.escalate else
                                                       (f"  signals: {', '.join(s.signals)}" if s.signals else "")),
    ]
    if u.spelled:
        lines.append("spelling   " + ", ".join(f"{typed} -> {read}" for typed, read in u.spelled.items()))
    for e in u.entities:
        lines.append(f"entity     {e.kind} {e.id} \"{e.name}\" score {e.score:.2f} via {e.method}"
                     + (f" (\"{e.mention}\")" if e.mention else ""))
    for e in u.candidates:
        lines.append(f"candidate  {e.kind} {e.id} \"{e.name}\" score {e.score:.2f}")
    lines.append(f"focus      {', '.join(f'{e.kind}:{e.id}' for e in u.focus) or '-'}  (from {u.focus_source})")
    p = u.plan
    lines.append(f"plan       {p.answer_mode}" + ("  handoff" if p.handoff else "") + ("" if p.retrieve else "  (no retrieval)"))
    for q in p.graph_queries:
        scope = ", ".join(x for x in [
            f"products={q.product_ids}" if q.product_ids else "", f"brands={q.brand_ids}" if q.brand_ids else "",
            f"categories={q.category_ids}" if q.category_ids else "", f"policy={q.policy_kind}" if q.policy_kind else ""] if x)
        lines.append(f"  graph    {q.kind} k={q.k} {scope}")
    if p.passages is not None:
        ps = p.passages
        lines.append(f"  passages k={ps.k} sources={ps.sources or 'any'}"
                     + (f" owners={ps.owner_ids}" if ps.owner_ids else "")
                     + (f" policy={ps.policy_kind}" if ps.policy_kind else ""))
    if p.clarify:
        lines.append(f"  clarify  {p.clarify.question}")
    for n in p.notes:
        lines.append(f"  note     {n}")
    r = u.response
    lines.append(f"response   tone {r.tone}" + (", apologize" if r.apologize else "") + (", escalate" if r.escalate else ""))
    if r.handoff_message:
        lines.append(f"  handoff  {r.handoff_message}")
    lines.append("timings    " + ", ".join(f"{k} {v:.1f} ms" for k, v in u.timings_ms.items()))
    return lines


def answer_lines(view: dict) -> list[str]:
    """The answer part of `ask` for a person (view = Trace.to_dict())."""
    flags = ", ".join(k for k in ("grounded", "abstained", "escalate") if view[k]) or "not grounded"
    lines = [view["answer"], f"  ({flags}; generator {view['generator'] or '-'}"
             + (f", fallback: {view['fallback_reason']}" if view["fallback_reason"] else "") + ")"]
    for c in view["citations"]:
        label = c["evidence_id"] + (f" v{c['doc_version']}" if c.get("doc_version") else "") + (
            f" (for {c['applies_to']} only)" if c.get("applies_to") else "")
        lines.append(f"  [{c['number']}] {label}: {' '.join(c['text'].split())[:300]}")
    lines.append(f"intent     {view['intent']['label']} ({view['intent']['confidence']:.2f})   "
                 f"sentiment {view['sentiment']['label']} ({view['sentiment']['confidence']:.2f})")
    for o in view["overridden_policies"]:
        lines.append(f"overridden {o['id']} v{o['version']} ({o['scope']}) by {o['overridden_by']}")
    lines.append("stages     " + ", ".join(f"{k} {v:.1f} ms" for k, v in view["timings_ms"].items()))
    return lines


@app.command()
def ask(
    message: str = typer.Argument(..., help="the shopper's message"),
    session: Optional[str] = typer.Option(None, "--session", help="conversation id (turns remember earlier ones)"),
    product: Optional[str] = typer.Option(None, "--product", help="product id of the page the shopper is on"),
    explain: bool = typer.Option(False, "--explain", help="show intent, sentiment, entities and the plan"),
    as_json: bool = typer.Option(False, "--json", help="print the answer and the understanding as JSON"),
    generator: Optional[str] = typer.Option(None, "--generator", help="llamacpp | openai | extractive (default: setting)"),
) -> None:
    """Answer one message with citations (on an ingested store) and show what was understood."""
    from serve.container import Container
    from serve.logging import configure_logging

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    container = Container(settings)
    if container.published() is not None:
        pipeline = container.pipeline(generator)
        trace = pipeline.run(message, session_id=session, product_id=product)
        view = trace.to_dict()
        if as_json:
            view["understanding"] = trace.understanding.model_dump(mode="json")
            print(json.dumps(view, indent=1, default=str))
            return
        for line in answer_lines(view):
            out.print(line, markup=False, highlight=False)
        if explain:
            for line in explain_lines(trace.understanding):
                out.print(line, markup=False, highlight=False)
        return
    console.print("[yellow]no ingested store in the data dir: entity linking is off[/yellow] "
                  "(run `shopgraph demo` or `shopgraph ingest`)")
    u = container.understander.understand(message, session_id=session, product_id=product)
    if as_json:
        print(u.model_dump_json(indent=1))
        return
    if explain:
        for line in explain_lines(u):
            out.print(line, markup=False, highlight=False)
        return
    out.print(f"{u.intent.label} ({u.intent.confidence:.2f}), {u.sentiment.label}; plan: {u.plan.answer_mode}",
              markup=False, highlight=False)
