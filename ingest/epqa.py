"""The ePQA catalog: a real product catalog built from `pqa/ePQA/<split>.csv`.

Each row of the file is one candidate evidence snippet for one question about one product
(ASIN + title). We turn the snippets into a catalog: one product per ASIN; `attribute` snippets
become attribute facts of the product; `bullet`, `description`, `review` and `cqa` snippets become
passages tagged with their source. Every snippet keeps the stable id ``epqa:<qa_pair_id>`` (unique
per row in the file), so evaluation can score retrieval against the human labels. Identical text
within one product is stored once and keeps every snippet id that maps to it (`Passage.aliases`,
`AttributeValue.source_ids`); the one kind of snippet that cannot be stored, an empty one, is
listed in `Catalog.omitted`. Questions, candidates and human answers for evaluation come from
`load_epqa_questions`.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.models import AttributeValue, Catalog, Omitted, Passage, Product

COLUMNS = ("qid", "question", "ASIN", "candidate", "source", "qa_pair_id", "title", "label", "answer")
PASSAGE_SOURCES = ("bullet", "description", "review", "cqa")


def snippet_id(qa_pair_id: str) -> str:
    """The stable id of one ePQA snippet; evaluation matches retrieved passages against it."""
    return f"epqa:{qa_pair_id}"


def epqa_csv(data_dir: str | Path, split: str = "dev") -> Path:
    """Path of `<data_dir>/pqa/ePQA/<split>.csv`, or a FileNotFoundError naming what is missing."""
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", split):
        raise ValueError(f"ePQA split name {split!r} is not a plain file name (expected e.g. 'dev')")
    path = Path(data_dir) / "pqa" / "ePQA" / f"{split}.csv"
    if not path.is_file():
        raise FileNotFoundError(
            f"ePQA data not found: {path} does not exist. Point --data (setting shared_data, "
            f"env SHOPGRAPH_SHARED_DATA) at the shared data folder that holds pqa/ePQA/{split}.csv."
        )
    return path


def _read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path}: line 1: missing columns {missing} (expected {list(COLUMNS)})")
        rows = list(reader)
    seen: dict[str, int] = {}
    for line, row in enumerate(rows, start=2):
        qa = row["qa_pair_id"].strip()
        if not qa:
            raise ValueError(f"{path}: line {line}: field 'qa_pair_id' is empty (expected an id)")
        if qa in seen:
            raise ValueError(
                f"{path}: line {line}: field 'qa_pair_id': {qa!r} repeats line {seen[qa]} "
                "(expected one id per snippet)"
            )
        seen[qa] = line
    return rows


def load_epqa(data_dir: str | Path, split: str = "dev") -> Catalog:
    """Build the catalog from `<data_dir>/pqa/ePQA/<split>.csv` (see the module docstring)."""
    path = epqa_csv(data_dir, split)
    rows = _read_rows(path)

    titles: dict[str, str] = {}
    attrs: dict[str, dict[str, dict[str, Any]]] = {}  # asin -> key -> {values, unit, source_ids}
    passages: list[Passage] = []
    by_text: dict[tuple[str, str], Passage] = {}
    omitted: list[Omitted] = []
    for line, row in enumerate(rows, start=2):
        asin, sid, source = row["ASIN"].strip(), snippet_id(row["qa_pair_id"].strip()), row["source"].strip()
        titles.setdefault(asin, row["title"].strip())
        text = " ".join(row["candidate"].split())
        if not text:
            omitted.append(Omitted(key=sid, owner_id=asin, reason=f"empty {source} snippet (line {line})"))
            continue
        if source == "attribute":
            key, values, unit = parse_attribute(text)
            _add_attribute(attrs.setdefault(asin, {}), key, values, unit, sid)
        elif source in PASSAGE_SOURCES:
            twin = by_text.get((asin, text))
            if twin is not None:
                twin.aliases.append(sid)
                continue
            p = Passage(key=sid, text=text, source=source, owner_id=asin, owner_kind="product")
            by_text[(asin, text)] = p
            passages.append(p)
        else:
            raise ValueError(
                f"{path}: line {line}: field 'source': found {source!r}, expected one of "
                f"{['attribute', *PASSAGE_SOURCES]}"
            )

    products = [
        Product(
            id=asin,
            title=title,
            attributes=[
                AttributeValue(key=k, values=a["values"], unit=a["unit"], source_ids=a["source_ids"])
                for k, a in attrs.get(asin, {}).items()
            ],
        )
        for asin, title in titles.items()
    ]
    return Catalog(products=products, passages=passages, omitted=omitted)


def _add_attribute(by_key: dict[str, dict[str, Any]], key: str, values: list[str], unit: str | None,
                   sid: str) -> None:
    """Merge one attribute snippet into the product's facts: one fact per key, values deduplicated."""
    fact = by_key.get(key)
    if fact is None:
        by_key[key] = {"values": list(values), "unit": unit, "source_ids": [sid]}
        return
    if fact["unit"] != unit:  # same key in two units: keep each value with its own unit
        fact["values"] = [f"{v} {fact['unit']}" if fact["unit"] else v for v in fact["values"]]
        values = [f"{v} {unit}" if unit else v for v in values]
        fact["unit"] = None
    fact["values"] += [v for v in values if v not in fact["values"]]
    fact["source_ids"].append(sid)


# --- attribute snippets -------------------------------------------------------------------------
# They look like `item_weight:  { unit:kilograms, normalized_value:{ unit:pounds, value:0.04 },
# value:0.02 }`, several blocks joined by `; `. A small parser turns the blocks into dicts, lists
# and strings; we keep `value` (+ `unit`) where there is one and render the rest as text.

# Inside quotes, `|"` (and `\\"`) stand for a literal quote: `"9|" x 16|""` is 9" x 16".
_TOKEN = re.compile(r'\s*(?:(?P<punct>[{}\[\],:;])|"(?P<quoted>(?:[^"\\|]|[\\|].)*)"|(?P<bare>[^{}\[\],:;"]+))')
_SKIP_KEYS = {"normalized_value", "standardized_values", "source", "type", "language_tag", "marketplace_id"}


class _ParseError(ValueError):
    pass


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            if text[pos:].strip():
                raise _ParseError(f"unexpected {text[pos:pos + 20]!r}")
            break
        pos = m.end()
        if m.group("punct"):
            out.append(("p", m.group("punct")))
        elif m.group("quoted") is not None:
            out.append(("s", m.group("quoted").replace('\\"', '"').replace('|"', '"')))
        elif m.group("bare").strip():
            out.append(("s", m.group("bare").strip()))
    return out


def _parse(tokens: list[tuple[str, str]], i: int) -> tuple[Any, int]:
    kind, tok = tokens[i]
    if (kind, tok) == ("p", "{"):
        obj: dict[str, Any] = {}
        i += 1
        while tokens[i] != ("p", "}"):
            if tokens[i][0] != "s" or tokens[i + 1] != ("p", ":"):
                raise _ParseError("expected 'name:' in a block")
            name = tokens[i][1]
            value, i = _parse(tokens, i + 2)
            obj[name] = value
            if tokens[i] == ("p", ","):
                i += 1
        return obj, i + 1
    if (kind, tok) == ("p", "["):
        items: list[Any] = []
        i += 1
        while tokens[i] != ("p", "]"):
            value, i = _parse(tokens, i)
            items.append(value)
            if tokens[i] == ("p", ","):
                i += 1
        return items, i + 1
    if kind == "s":
        # A bare value may itself contain ':' (times, ratios): join until the next delimiter.
        parts = [tok]
        i += 1
        while i < len(tokens) and tokens[i] == ("p", ":") and i + 1 < len(tokens) and tokens[i + 1][0] == "s":
            parts.append(tokens[i + 1][1])
            i += 2
        return ":".join(parts), i
    raise _ParseError(f"unexpected {tok!r}")


def _scalar(v: str) -> str:
    return v[:-1] if re.fullmatch(r"-?\d+\.", v) else v


def _render(node: Any) -> str:
    if isinstance(node, dict):
        if "value" in node and not isinstance(node["value"], (dict, list)):
            unit = node.get("unit")
            text = _scalar(str(node["value"]))
            return f"{text} {unit}" if isinstance(unit, str) and unit else text
        shown = {k: v for k, v in node.items() if k not in _SKIP_KEYS} or node
        if len(shown) == 1:  # `{ type:[ { value:"led" } ] }` -> `led`
            return _render(next(iter(shown.values())))
        parts = [f"{k.replace('_', ' ')}: {_render(v)}" for k, v in shown.items()]
        return "; ".join(p for p in parts if not p.endswith(": "))
    if isinstance(node, list):
        return ", ".join(_render(x) for x in node)
    return _scalar(str(node))


def parse_attribute(text: str) -> tuple[str, list[str], str | None]:
    """`'color:  { value:"blue" }'` -> `('color', ['blue'], None)`; `item_weight ... value:0.02,
    unit:kilograms` -> `('item_weight', ['0.02'], 'kilograms')`. Unparseable text is kept whole."""
    key, sep, rest = text.partition(":")
    key = key.strip()
    if not sep or not key or not rest.strip():
        return "attribute", [text], None
    try:
        tokens = _tokens(rest)
        blocks: list[Any] = []
        i = 0
        while i < len(tokens):
            node, i = _parse(tokens, i)
            blocks.append(node)
            if i < len(tokens) and tokens[i] == ("p", ";"):
                i += 1
    except (_ParseError, IndexError):
        return key, [rest.strip()], None
    values: list[str] = []
    units: list[str | None] = []
    for node in blocks:
        if isinstance(node, dict) and "value" in node and not isinstance(node["value"], (dict, list)):
            values.append(_scalar(str(node["value"])))
            unit = node.get("unit")
            units.append(unit if isinstance(unit, str) and unit else None)
        else:
            values.append(_render(node))
            units.append(None)
    unit = units[0] if units and all(u == units[0] for u in units) else None
    if unit is None and any(units):  # mixed units: keep each with its value
        values = [f"{v} {u}" if u else v for v, u in zip(values, units)]
    deduped = [v for n, v in enumerate(values) if v and v not in values[:n]]
    if not deduped:  # e.g. `specification_met:  { value:"" }`: the source states an empty value
        return key, ["(empty)"], None
    return key, deduped, unit


# --- questions for evaluation --------------------------------------------------------------------


@dataclass(frozen=True)
class EpqaCandidate:
    snippet_id: str  # epqa:<qa_pair_id>
    source: str  # attribute | bullet | description | review | cqa
    text: str
    label: int  # 2 = fully answers, 1 = helpful, 0 = irrelevant
    answer: str | None  # the human answer written for this snippet (labels 1 and 2)


@dataclass(frozen=True)
class EpqaQuestion:
    qid: str
    question: str
    asin: str
    title: str
    candidates: tuple[EpqaCandidate, ...]

    @property
    def answers(self) -> list[str]:
        """Distinct human answers written for the candidates that fully answer (label 2)."""
        out: list[str] = []
        for c in self.candidates:
            if c.label == 2 and c.answer and c.answer not in out:
                out.append(c.answer)
        return out

    @property
    def relevant_ids(self) -> list[str]:
        return [c.snippet_id for c in self.candidates if c.label == 2]

    @property
    def answerable(self) -> bool:
        return any(c.label == 2 for c in self.candidates)


def load_epqa_questions(data_dir: str | Path, split: str = "dev") -> list[EpqaQuestion]:
    """Questions of `<data_dir>/pqa/ePQA/<split>.csv` in file order, each with its candidate
    snippet ids, labels and human answers."""
    path = epqa_csv(data_dir, split)
    grouped: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for line, row in enumerate(_read_rows(path), start=2):
        grouped.setdefault(row["qid"].strip(), []).append((line, row))
    questions = []
    for qid, items in grouped.items():
        first = items[0][1]
        cands = []
        for line, row in items:
            try:
                label = int(row["label"])
            except ValueError:
                raise ValueError(
                    f"{path}: line {line}: field 'label': found {row['label']!r}, expected 0, 1 or 2"
                ) from None
            answer = row["answer"].strip() or None
            cands.append(EpqaCandidate(snippet_id(row["qa_pair_id"].strip()), row["source"].strip(),
                                       " ".join(row["candidate"].split()), label, answer))
        questions.append(EpqaQuestion(qid, first["question"].strip(), first["ASIN"].strip(),
                                      first["title"].strip(), tuple(cands)))
    return questions
