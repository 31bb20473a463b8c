"""`shopgraph eval SUITE`: run an evaluation suite and write its report.

Suites: epqa, semipqa, hetpqa, demo (answer and retrieval suites, with baselines measured in
the same run) and intent, sentiment (classifiers). Every suite writes results.json, report.md,
PNG plots and failures.jsonl into --out; --json prints results.json. Judging rules and how to
run held-out files: docs/evaluation.md.

This module only wires settings and options into the library code under `rag/eval/`.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from rag.eval.report import EvalResult, write_report
from rag.eval.suites.data import EvalDataError
from serve.cli import eval_app
from serve.settings import Settings, get_settings

err = Console(stderr=True)

DataOpt = typer.Option(None, "--data", help="data folder in the layout of ../shared/data (default: setting shared_data)")
SplitOpt = typer.Option("dev", "--split", help="split NAME: reads NAME.csv beside dev.csv in the suite's folder")
OutOpt = typer.Option(None, "--out", help="report folder (default: DATA_DIR/eval/SUITE-SPLIT)")
JsonOpt = typer.Option(False, "--json", help="print results.json to stdout")
GeneratorOpt = typer.Option(None, "--generator", help="llamacpp | openai | extractive (default: setting generator.kind)")
LimitOpt = typer.Option(None, "--limit", min=1, help="evaluate only the first N questions (quick runs)")
SeedOpt = typer.Option(0, "--seed", help="seed for anything sampled")


def _data_dir(settings: Settings, data: Optional[Path]) -> Path:
    return Path(data) if data is not None else Path(settings.shared_data)


def _out_dir(settings: Settings, out: Optional[Path], suite: str, split: str) -> Path:
    return Path(out) if out is not None else Path(settings.data_dir) / "eval" / f"{suite}-{split}"


def _finish(result: EvalResult, out_dir: Path, as_json: bool, started: float | None = None) -> None:
    """Write the report; `started` (time.time() at the command's start) makes elapsed_s cover
    the whole command, model loading and ingestion included."""
    if started is not None:
        result.started_at = started
    payload = write_report(result, out_dir)
    if as_json:
        sys.stdout.write(json.dumps(payload, indent=2, default=str) + "\n")
        return
    from rag.eval.report import comparison_rows, flatten

    systems, rows = comparison_rows(result.metrics)
    for name, row in rows.items():
        values = "  ".join(
            f"{s}={row[s]:.4f}" if isinstance(row.get(s), float) else f"{s}={row.get(s)}" for s in systems if s in row
        )
        err.print(f"{name}: {values}")
    for name, value in flatten({k: v for k, v in result.metrics.items()
                                if k not in ("retrieval", "answers", "baselines")}).items():
        err.print(f"{name}: {value:.4f}" if isinstance(value, float) else f"{name}: {value}")
    err.print(f"[green]report written to {out_dir}[/green] (report.md, results.json, failures.jsonl, plots)")


def _logging(settings: Settings) -> None:
    """Logs to stderr (structlog), so `--json` leaves stdout to results.json alone."""
    from serve.logging import configure_logging

    configure_logging(settings.log_level, settings.log_json)


def _fail(exc: Exception) -> None:
    err.print(f"[red]error:[/red] {exc}")
    raise typer.Exit(code=2)


# ---------------------------------------------------------------- wiring


def _encoder(settings: Settings):
    from rag.encoder import shared_encoder

    return shared_encoder(**settings.models.encoder_options())


def _generator(settings: Settings, kind: Optional[str], encoder):
    from rag.generate import generator_from_settings

    cfg = settings.generator.model_copy(update={"kind": kind}) if kind else settings.generator
    return generator_from_settings(cfg, data_dir=settings.data_dir, encoder=encoder)


def _generator_config(settings: Settings, kind: Optional[str]) -> dict:
    g = settings.generator
    kind = kind or g.kind
    cfg = {"generator": kind, "max_tokens": g.max_tokens, "temperature": g.temperature,
           "context_tokens": g.context_tokens}
    if kind == "openai":
        cfg.update(base_url=g.base_url, model=g.lora_adapter or g.model)
    if kind == "llamacpp":
        from rag.generate import resolve_gguf_path

        from rag.generate.llamacpp import resolve_lora_path

        cfg["gguf"] = str(resolve_gguf_path(g.gguf_path, settings.data_dir))
        cfg["lora"] = str(resolve_lora_path(g.lora_path, g.gguf_path or None) or "none")
    return cfg


def _embedding_cache(settings: Settings, encoder) -> Path:
    """Where the suites keep embeddings of the texts they rank (DATA_DIR/cache)."""
    return Path(settings.data_dir) / "cache" / f"eval-embeddings-{encoder.model_name}.npz"


def _judge(encoder):
    from rag.eval.answering import Judge
    from rag.grounding import GroundingChecker

    return Judge(GroundingChecker(encoder), encoder)


def _evidence_answerers(settings: Settings, kind: Optional[str], encoder) -> dict:
    """ours = the configured generator; extractive = the extractive generator alone (baseline),
    both followed by the same grounding check."""
    from rag.eval.wiring import evidence_answerer

    kind = kind or settings.generator.kind
    ours = evidence_answerer(_generator(settings, kind, encoder), encoder, settings.generator.context_tokens)
    answerers = {"ours": ours}
    if kind != "extractive":
        answerers["extractive"] = evidence_answerer(
            _generator(settings, "extractive", encoder), encoder, settings.generator.context_tokens)
    return answerers


# ---------------------------------------------------------------- answer and retrieval suites


@eval_app.command("semipqa")
def semipqa_cmd(
    data: Optional[Path] = DataOpt, split: str = SplitOpt, out: Optional[Path] = OutOpt,
    as_json: bool = JsonOpt, generator: Optional[str] = GeneratorOpt, limit: Optional[int] = LimitOpt,
    seed: int = SeedOpt,
) -> None:
    """semiPQA: attribute ranking (P@1, MRR; ours vs BM25 and dense) and data-to-text (ROUGE-L)."""
    from rag.eval.suites import semipqa
    from rag.eval.wiring import candidate_rankers

    settings = get_settings()
    started = time.time()
    _logging(settings)
    try:
        data_dir = _data_dir(settings, data)
        encoder = _encoder(settings)
        corpus = semipqa.ranking_corpus(data_dir, split, limit)
        result = semipqa.run(
            data_dir, split,
            rankers=candidate_rankers(encoder, corpus, _embedding_cache(settings, encoder)),
            answerers=_evidence_answerers(settings, generator, encoder),
            limit=limit, progress=True, config=_generator_config(settings, generator), seed=seed,
            judge=_judge(encoder),
        )
        result.models["encoder"] = encoder.model_name
    except EvalDataError as exc:
        _fail(exc)
    _finish(result, _out_dir(settings, out, "semipqa", split), as_json, started)


@eval_app.command("hetpqa")
def hetpqa_cmd(
    data: Optional[Path] = DataOpt, split: str = SplitOpt, out: Optional[Path] = OutOpt,
    as_json: bool = JsonOpt, generator: Optional[str] = GeneratorOpt, limit: Optional[int] = LimitOpt,
    seed: int = SeedOpt,
) -> None:
    """hetPQA: answers from question + evidence (ROUGE-L, faithfulness; ours vs extractive) and,
    where the split has an evidence_ranking file, ranking (P@1, MRR; ours vs BM25 and dense)."""
    from rag.eval.suites import hetpqa
    from rag.eval.wiring import candidate_rankers

    settings = get_settings()
    started = time.time()
    _logging(settings)
    try:
        data_dir = _data_dir(settings, data)
        encoder = _encoder(settings)
        result = hetpqa.run(
            data_dir, split,
            answerers=_evidence_answerers(settings, generator, encoder),
            rankers=candidate_rankers(encoder, hetpqa.ranking_corpus(data_dir, split, limit),
                                      _embedding_cache(settings, encoder)),
            limit=limit, progress=True, config=_generator_config(settings, generator), seed=seed,
            judge=_judge(encoder),
        )
        result.models["encoder"] = encoder.model_name
    except EvalDataError as exc:
        _fail(exc)
    _finish(result, _out_dir(settings, out, "hetpqa", split), as_json, started)


# ---------------------------------------------------------------- suites over an ingested store


def _store_container(settings: Settings, name: str, generator: Optional[str]):
    """A Container on the suite's own store under DATA_DIR/eval/stores/NAME (its own embedded
    graph server), so evaluation never touches the store the service answers from."""
    from serve.container import Container

    update = {"data_dir": Path(settings.data_dir) / "eval" / "stores" / name}
    if generator:
        update["generator"] = settings.generator.model_copy(update={"kind": generator})
    return Container(settings.model_copy(update=update))


def _ingest(container, catalog, result: EvalResult) -> None:
    """Bring the suite's store in line with `catalog` (a no-op when already ingested)."""
    from ingest.sync import sync

    c = container
    with result.timer.stage("ingest"):
        report = sync(catalog, c.graph_store, c.encoder, c.data_dir, prune=True, chunk=c.chunk_config,
                      index=c.index_config, write_batch_size=c.settings.graph.write_batch_size, progress=True)
    result.models["store"] = {"data_dir": str(c.data_dir), "version": report.version,
                              "embedded_now": report.embedded, "vectors": report.vectors}
    c.index()  # point the graph at the version just published


def _pipeline(container):
    """The store's answer pipeline, exactly as the service builds it (serve/container.py)."""
    try:
        return container.pipeline()
    except (ImportError, FileNotFoundError, RuntimeError) as exc:
        raise EvalDataError(f"cannot assemble the answer pipeline: {exc}") from exc


def _systems(container, settings: Settings, generator: Optional[str], encoder, need_answers: bool = True):
    """Ours and the baselines. When no answer pipeline can be had and `need_answers` is False,
    retrieval-only systems (the caller reports answers as not run)."""
    from rag.eval.systems import build_systems, store_retriever

    try:
        ours = _pipeline(container)
    except EvalDataError as exc:
        if need_answers:
            raise
        err.print(f"[yellow]warning:[/yellow] {exc}")
        ours = None
    retriever = None if ours is not None else store_retriever(container.graph_store, container.index(), encoder)
    return build_systems(ours, _generator(settings, "extractive", encoder), retriever=retriever)


def _provenance(result: EvalResult, settings: Settings, generator: Optional[str], encoder) -> None:
    result.models["encoder"] = encoder.model_name
    result.models["generator"] = _generator_config(settings, generator)
    try:
        from rag.prompt import PROMPT_VERSION

        result.models["prompt_version"] = PROMPT_VERSION
    except ImportError:
        pass


@eval_app.command("epqa")
def epqa_cmd(
    data: Optional[Path] = DataOpt, split: str = SplitOpt, out: Optional[Path] = OutOpt,
    as_json: bool = JsonOpt, generator: Optional[str] = GeneratorOpt, limit: Optional[int] = LimitOpt,
    seed: int = SeedOpt,
    answers: int = typer.Option(100, "--answers", min=0,
                                help="answer this many questions (stratified sample; 0 = all) per system"),
) -> None:
    """ePQA: product-scoped ranking (P@1, MRR), unscoped retrieval (Hit@1, Hit@5) and answers
    (ROUGE-L, token F1, faithfulness, truthfulness, abstention), ours vs BM25-only, dense-only,
    passages-only and extractive-only, all in this run."""
    from ingest.epqa import epqa_csv, load_epqa, load_epqa_questions
    from rag.eval.suites import epqa
    from rag.eval.wiring import CachedEncoder, baseline_rankers, ours_candidate_ranker
    from rag.retrieve.base import RetrievalQuery
    from rag.retrieve.fields import readable
    from rag.types import Evidence

    settings = get_settings()
    started = time.time()
    _logging(settings)
    data_dir = _data_dir(settings, data)
    result = EvalResult(suite="epqa", metrics={}, seed=seed,
                        config={"split": split, "limit": limit, **_generator_config(settings, generator)})
    try:
        if not data_dir.is_dir():
            raise EvalDataError(f"evaluation data folder not found: {data_dir.resolve()} (pass --data DIR or set SHOPGRAPH_SHARED_DATA)")
        try:
            path = epqa_csv(data_dir, split)
            questions = load_epqa_questions(data_dir, split)
            catalog = load_epqa(data_dir, split)
        except (FileNotFoundError, ValueError) as exc:
            raise EvalDataError(str(exc)) from None
        result.data_files.append(path)
        if limit is not None:
            questions = questions[:limit]
        container = _store_container(settings, f"epqa-{split}", generator)
        try:
            encoder = CachedEncoder(container.encoder, _embedding_cache(settings, container.encoder))
            _ingest(container, catalog, result)
            systems = _systems(container, settings, generator, container.encoder, need_answers=False)
            _provenance(result, settings, generator, container.encoder)

            cands = [c for q in questions for c in q.candidates]
            corpus = ([c.text for c in cands], [q.question for q in questions], [c.source for c in cands])
            ours_rank = ours_candidate_ranker(encoder, *corpus[:1], sources=corpus[2], queries=corpus[1])
            base = baseline_rankers(encoder, [readable(c.text, c.source) for c in cands], corpus[1])
            encoder.save()

            def cand_evidence(q, passages_only: bool = False) -> list[Evidence]:
                return [Evidence(id=c.snippet_id, text=c.text, kind="graph_fact" if c.source == "attribute" else "passage",
                                 source=c.source, owner_id=q.asin, owner_kind="product")
                        for c in q.candidates if not (passages_only and c.source == "attribute")]

            def scoped_with(rank, passages_only=False, readable_text=False):
                def run(q):
                    ev = cand_evidence(q, passages_only)
                    if readable_text:
                        ev = [e.model_copy(update={"text": readable(e.text, e.source)}) for e in ev]
                    return [[ev[i].id] for i in rank(q.question, ev)]
                return run

            scoped = {
                "ours": scoped_with(ours_rank),
                "passages_only": scoped_with(ours_rank, passages_only=True),
                "bm25_only": scoped_with(base["bm25"], readable_text=True),
                "dense_only": scoped_with(base["dense"], readable_text=True),
            }

            def unscoped_with(retriever):
                def run(q):
                    query = RetrievalQuery(text=q.question, vector=encoder.encode_one(q.question), k=5)
                    return epqa.evidence_ids(retriever.retrieve(query, limit=5).evidence[:5])
                return run

            unscoped = {name: unscoped_with(systems.retrievers[name])
                        for name in ("ours", "passages_only", "bm25_only", "dense_only")}

            def answer_with(name):
                ask = systems.ask(name)
                return lambda q: ask(q.question, None, q.asin)

            answerers = {name: answer_with(name) for name in ("ours", "extractive", "passages_only", "bm25_only", "dense_only")
                         if name in systems.pipelines}
            if not answerers:
                result.notes.append("answers NOT run: the answer pipeline is not wired (serve/container.py Container.pipeline)")
                err.print("[yellow]warning:[/yellow] answers not run: no answer pipeline in serve/container.py")
            epqa.run(questions, scoped, unscoped, answerers, _judge(container.encoder),
                     answer_questions=answers or None, progress=True, seed=seed, result=result,
                     config={"baseline_generator": "extractive"})
            # extractive-only retrieves exactly as ours: same retrieval numbers, stated once more
            result.metrics["baselines"].setdefault("extractive", {})["retrieval"] = dict(result.metrics["retrieval"])
            result.notes.append("extractive: same retrieval as ours (copied), extractive generator; "
                                "passages_only/bm25_only/dense_only answer with the extractive generator")
        finally:
            container.close()
    except EvalDataError as exc:
        _fail(exc)
    _finish(result, _out_dir(settings, out, "epqa", split), as_json, started)


@eval_app.command("demo")
def demo_cmd(
    out: Optional[Path] = OutOpt, as_json: bool = JsonOpt, generator: Optional[str] = GeneratorOpt,
    limit: Optional[int] = LimitOpt, seed: int = SeedOpt,
    products: int = typer.Option(1000, "--products", min=20, help="demo store size (as `shopgraph demo`)"),
    store_seed: int = typer.Option(0, "--store-seed", help="demo store seed (as `shopgraph demo --seed`)"),
    per_type: int = typer.Option(12, "--per-type", min=1, help="questions per question type"),
) -> None:
    """Demo store: synthesized questions with gold answers from the store (attribute, price,
    availability, policy precedence traps, compatibility, comparison, follow-ups, unanswerable):
    accuracy, truthfulness, abstention, by intent; ours vs the baselines."""
    from ingest.demo import generate_demo_store
    from rag.eval.suites import demo
    from rag.eval.systems import BASELINES

    settings = get_settings()
    started = time.time()
    _logging(settings)
    result = EvalResult(suite="demo", metrics={})
    try:
        catalog = generate_demo_store(products, seed=store_seed)
        container = _store_container(settings, f"demo-{products}-{store_seed}", generator)
        try:
            _ingest(container, catalog, result)
            systems = _systems(container, settings, generator, container.encoder)
            _provenance(result, settings, generator, container.encoder)
            asks = {name: systems.ask(name) for name in ("ours", *BASELINES)}
            run = demo.run(catalog, asks, per_type=per_type, limit=limit, progress=True, seed=seed,
                           config={"products": products, "store_seed": store_seed, "baseline_generator": "extractive",
                                   **_generator_config(settings, generator)})
            run.timer.samples.update(result.timer.samples)
            run.models.update(result.models)
            run.notes.append("passages_only/bm25_only/dense_only/extractive answer with the extractive generator")
            result = run
        finally:
            container.close()
    except EvalDataError as exc:
        _fail(exc)
    _finish(result, _out_dir(settings, out, "demo", f"{products}-{store_seed}"), as_json, started)


# ---------------------------------------------------------------- classifiers


def _classifier_eval(suite: str, dataset: Optional[str], train: Optional[Path], test: Optional[Path],
                     data: Optional[Path], text_column: str, label_column: str, folds: int, seed: int) -> EvalResult:
    from rag.eval.suites import classify
    from rag.understand.head import LinearHead

    settings = get_settings()
    encoder = _encoder(settings)
    models = {"encoder": encoder.model_name, "head": "rag.understand.head.LinearHead (embedding + word/char TF-IDF, LinearSVC)"}
    if (train is None) != (test is None):
        raise EvalDataError("--train and --test go together")
    if train is not None and test is not None:
        if dataset:
            raise EvalDataError("give either --dataset or --train/--test, not both")
        return classify.run_files(
            classify.read_labelled(train, text_column, label_column),
            classify.read_labelled(test, text_column, label_column),
            encoder, LinearHead, suite, config={"train": str(train), "test": str(test)}, models=models)
    data_dir = _data_dir(settings, data)
    expected = {"intent": "clinc150", "sentiment": "yelp"}[suite]
    if (dataset or expected) != expected:
        raise EvalDataError(f"unknown --dataset {dataset!r} for {suite}: use {expected} or --train/--test")
    from rag.understand import external

    cache = Path(settings.data_dir) / "cache" / "external"  # data-set embeddings, reused by re-runs
    root = classify.require_data_dir(data_dir)
    if suite == "intent":
        checked = external.evaluate_clinc150(root, encoder, cache_dir=cache)
        return classify.external_result("intent", checked, root / classify.CLINC_FILE,
                                        {"dataset": "clinc150", "keep_on_val": checked["keep_on_val"]},
                                        {**models, "head": "rag.understand.intent.IntentModel (the shipped intent head)"})
    checked = external.evaluate_yelp(root, encoder, folds=folds, seed=seed, cache_dir=cache)
    return classify.external_result("sentiment", checked, root / classify.YELP_FILE,
                                    {"dataset": "yelp", "folds": folds, "seed": seed},
                                    {**models, "head": "rag.understand.sentiment.SentimentModel (the shipped sentiment model: "
                                                       "linear head + fine-tuned top encoder layers)"})


DatasetOpt = typer.Option(None, "--dataset", help="clinc150 (intent) or yelp (sentiment), read from --data")
TrainOpt = typer.Option(None, "--train", help="labelled training file (CSV/TSV with header, or sentence<TAB>label)")
TestOpt = typer.Option(None, "--test", help="labelled test file, same format")
TextColOpt = typer.Option("text", "--text-column", help="text column name in --train/--test")
LabelColOpt = typer.Option("label", "--label-column", help="label column name in --train/--test")


@eval_app.command("intent")
def intent_cmd(
    dataset: Optional[str] = DatasetOpt, train: Optional[Path] = TrainOpt, test: Optional[Path] = TestOpt,
    data: Optional[Path] = DataOpt, text_column: str = TextColOpt, label_column: str = LabelColOpt,
    out: Optional[Path] = OutOpt, as_json: bool = JsonOpt, seed: int = SeedOpt,
) -> None:
    """Intent classifier on CLINC150 (in-scope accuracy, out-of-scope recall, in-scope kept) or
    on your labelled files (accuracy, macro-F1)."""
    settings = get_settings()
    started = time.time()
    _logging(settings)
    try:
        result = _classifier_eval("intent", dataset, train, test, data, text_column, label_column, 5, seed)
    except EvalDataError as exc:
        _fail(exc)
    _finish(result, _out_dir(settings, out, "intent", dataset or "files"), as_json, started)


@eval_app.command("sentiment")
def sentiment_cmd(
    dataset: Optional[str] = DatasetOpt, train: Optional[Path] = TrainOpt, test: Optional[Path] = TestOpt,
    data: Optional[Path] = DataOpt, text_column: str = TextColOpt, label_column: str = LabelColOpt,
    folds: int = typer.Option(5, "--folds", min=2, help="cross-validation folds for --dataset yelp"),
    out: Optional[Path] = OutOpt, as_json: bool = JsonOpt, seed: int = SeedOpt,
) -> None:
    """Sentiment classifier on yelp (k-fold cross-validated accuracy, macro-F1) or on your files."""
    settings = get_settings()
    started = time.time()
    _logging(settings)
    try:
        result = _classifier_eval("sentiment", dataset, train, test, data, text_column, label_column, folds, seed)
    except EvalDataError as exc:
        _fail(exc)
    _finish(result, _out_dir(settings, out, "sentiment", dataset or "files"), as_json, started)
