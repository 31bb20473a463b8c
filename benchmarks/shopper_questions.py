"""Ask a bank of shoppers' questions of a store and compare the answers with an earlier run.

Unit tests pin single behaviours; this script shows what a change does to everything else. Ask
the bank before a change (`--out before.jsonl`), again after it (`--out after.jsonl --compare
before.jsonl`), and read every answer that changed.

Question files (`benchmarks/questions/*.txt`, written against the demo store `shopgraph demo`
builds: 1000 products, seed 0):
  - one message per line; lines in one block (no blank line between them) are the turns of one
    conversation, asked in order with one session id;
  - `@p000123 does it have a mic?` asks from that product's page (the caller's product id);
  - `#` starts a comment line.

    .venv/bin/python benchmarks/shopper_questions.py benchmarks/questions/*.txt \\
        --out qa/after.jsonl [--compare qa/before.jsonl]     # the store in the data dir (./var)

Prints one line per question with its intent and answer (`--quiet`: only the summary and the
changed answers), and with `--compare`, each changed answer before and after and their count.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("SHOPGRAPH_LOG_LEVEL", "WARNING")  # (the answers are the output, not each turn's log)


@dataclass(frozen=True)
class Turn:
    """One message of a conversation in the bank, with where it was written."""

    file: str
    line: int
    conversation: int
    question: str
    product_id: str | None = None

    @property
    def key(self) -> str:
        """What identifies the turn across runs: its file, conversation and text, not its line
        (adding a question above it must not make it look new)."""
        return f"{self.file}#{self.conversation}:{self.product_id or ''}:{self.question}"


def read_bank(path: Path) -> list[list[Turn]]:
    """The conversations of one question file, each a list of turns (blank lines part them)."""
    conversations: list[list[Turn]] = []
    current: list[Turn] = []
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if line.startswith("#"):
            continue
        if not line:
            if current:
                conversations.append(current)
                current = []
            continue
        product_id = None
        if line.startswith("@"):
            head, _, rest = line.partition(" ")
            product_id, line = head[1:], rest.strip()
            if not product_id or not line:
                raise SystemExit(f"{path}:{n}: '@<product id> <question>' expected, got {raw!r}")
        current.append(Turn(path.name, n, len(conversations), line, product_id))
    if current:
        conversations.append(current)
    return conversations


def ask_all(files: list[Path], verbose: bool) -> list[dict]:
    from serve.container import Container
    from serve.logging import configure_logging
    from serve.settings import get_settings

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    container = Container(settings)
    if container.published() is None:
        raise SystemExit("no ingested store in the data dir: run `shopgraph demo` (or set SHOPGRAPH_DATA_DIR)")
    pipeline = container.pipeline("extractive")
    rows = []
    for path in files:
        for conversation in read_bank(path):
            session = f"bank-{uuid.uuid4().hex[:8]}"
            for turn in conversation:
                trace = pipeline.run(turn.question, session_id=session, product_id=turn.product_id)
                view = trace.to_dict()
                row = {"key": turn.key, "file": turn.file, "line": turn.line, "product_id": turn.product_id,
                       "question": turn.question, "intent": view["intent"]["label"],
                       "reason": trace.understanding.intent.reason, "answer": view["answer"],
                       "abstained": view["abstained"], "escalate": view["escalate"],
                       "citations": [c.get("id") for c in view["citations"]]}
                rows.append(row)
                if verbose:
                    page = f"@{turn.product_id} " if turn.product_id else ""
                    print(f"{turn.file}:{turn.line} {page}{turn.question}\n   [{row['intent']}/{row['reason']}] "
                          f"{row['answer']}\n", flush=True)
    return rows


def compare(before: list[dict], after: list[dict]) -> int:
    """Prints each answer that changed; returns how many did."""
    old = {r["key"]: r for r in before}
    changed = 0
    for row in after:
        prior = old.get(row["key"])
        if prior is None or (prior["answer"], prior["intent"]) == (row["answer"], row["intent"]):
            continue
        changed += 1
        page = f"@{row['product_id']} " if row["product_id"] else ""
        print(f"--- {row['file']}:{row['line']} {page}{row['question']}\n"
              f"  before [{prior['intent']}/{prior.get('reason')}] {prior['answer']}\n"
              f"  after  [{row['intent']}/{row.get('reason')}] {row['answer']}\n")
    new = sum(1 for r in after if r["key"] not in old)
    print(f"{changed} of {len(after) - new} answers changed; {new} questions not in the earlier run")
    return changed


def read_answers(path: Path) -> list[dict]:
    """An earlier --out file, or a clear error naming the file and line."""
    if not path.is_file():
        raise SystemExit(f"{path}: no such answers file (an earlier --out)")
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SystemExit(f"{path}:{n}: not a JSON line ({exc.msg})") from None
        if not isinstance(row, dict) or not {"key", "answer", "intent"} <= row.keys():
            raise SystemExit(f"{path}:{n}: an answer needs 'key', 'answer' and 'intent'")
        rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="+", type=Path, help="question files")
    parser.add_argument("--out", type=Path, required=True, help="where to write the answers (JSON lines)")
    parser.add_argument("--compare", type=Path, help="an earlier --out file to compare with")
    parser.add_argument("--quiet", action="store_true", help="print only the summary and the changes")
    args = parser.parse_args()
    for path in args.files:
        if not path.is_file():
            raise SystemExit(f"{path}: no such question file")
    before = read_answers(args.compare) if args.compare else None  # (a bad file is told before the run)
    rows = ask_all(args.files, verbose=not args.quiet)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(args.out.suffix + ".tmp")
    tmp.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    tmp.replace(args.out)
    print(f"{len(rows)} answers -> {args.out}; abstained {sum(r['abstained'] for r in rows)}")
    if before is not None:
        compare(before, rows)


if __name__ == "__main__":
    main()
