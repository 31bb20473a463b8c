"""`shopgraph ask "..." [--session S] [--product ID] [--explain] [--json]`: what the service
understands from one message (intent, sentiment, linked entities, dialogue state, the plan).

Entity names come from the published graph of the data dir when there is one; without an
ingested store the message is still classified, with no entity linking (said on stderr)."""

from __future__ import annotations

import json
from typing import Optional

import typer
from rich.console import Console

from serve.cli import app
from serve.settings import get_settings

console = Console(stderr=True)
out = Console()


def build_understander(settings, container=None, with_sessions: bool = True):
    """The Understander the CLI uses: shipped artifacts, the graph's names, the session store."""
    from rag.understand.linker import EntityLinker
    from rag.understand.pipeline import Understander
    from rag.understand.state import open_session_store
    from serve.container import Container

    container = container or Container(settings)
    encoder = container.encoder
    linker = None
    if container.published() is not None:
        linker = EntityLinker.from_graph(container.graph_store, encoder=encoder)
    else:
        console.print("[yellow]no ingested store in the data dir: entity linking is off[/yellow] "
                      "(run `shopgraph demo` or `shopgraph ingest`)")
    sessions = None
    if with_sessions:
        sessions = open_session_store(settings.server.session_store_url, settings.data_dir,
                                      settings.server.session_ttl_s)
    return Understander.from_artifacts(encoder, linker=linker, sessions=sessions)


def explain_lines(u) -> list[str]:
    i, s = u.intent, u.sentiment
    lines = [
        f"intent     {i.label}  (confidence {i.confidence:.2f}, threshold {i.threshold:.2f}"
        + (f", reason {i.reason}" if i.reason else "") + ")",
        "           top: " + ", ".join(f"{lab} {p:.2f}" for lab, p in i.top),
        f"sentiment  {s.label}  ({s.confidence:.2f})" + (f"  escalate: {', '.join(s.signals)}" if s.escalate else
                                                       (f"  signals: {', '.join(s.signals)}" if s.signals else "")),
    ]
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


@app.command()
def ask(
    message: str = typer.Argument(..., help="the shopper's message"),
    session: Optional[str] = typer.Option(None, "--session", help="conversation id (turns remember earlier ones)"),
    product: Optional[str] = typer.Option(None, "--product", help="product id of the page the shopper is on"),
    explain: bool = typer.Option(False, "--explain", help="show intent, sentiment, entities and the plan"),
    as_json: bool = typer.Option(False, "--json", help="print the understanding as JSON"),
) -> None:
    """Understand one message: intent, sentiment, linked entities and the retrieval plan."""
    from serve.logging import configure_logging

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    understander = build_understander(settings)
    u = understander.understand(message, session_id=session, product_id=product)
    if as_json:
        print(u.model_dump_json(indent=1))
        return
    if explain:
        for line in explain_lines(u):
            out.print(line, markup=False, highlight=False)
        return
    out.print(f"{u.intent.label} ({u.intent.confidence:.2f}), {u.sentiment.label}; plan: {u.plan.answer_mode}",
              markup=False, highlight=False)
