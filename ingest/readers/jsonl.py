"""Canonical JSONL: one JSON object per line, its `type` saying what it is (product, brand,
category, policy, faq, passage). A file named after a kind (`products.jsonl`, `brands.jsonl`,
`categories.jsonl`, `policies.jsonl`, `faqs.jsonl`, `passages.jsonl`) may leave `type` out.
`.jsonl.gz` is read the same way. Field names are the model's (see docs/formats.md)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from ingest.readers.base import NAME_FIELDS, FileRead, RawItem
from ingest.validation import KINDS, CatalogError, shorten

FILE_KINDS = {
    "products": "product",
    "brands": "brand",
    "categories": "category",
    "policies": "policy",
    "faqs": "faq",
    "passages": "passage",
}


def implied_kind(path: Path) -> str | None:
    name = path.name.lower()
    for suffix in (".jsonl.gz", ".ndjson.gz", ".jsonl", ".ndjson"):
        if name.endswith(suffix):
            return FILE_KINDS.get(name[: -len(suffix)])
    return None


def read_jsonl(path: Path, display: str) -> FileRead:
    out = FileRead()
    implied = implied_kind(path)
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8-sig") as fh:  # a BOM is fine
            for lineno, text in enumerate(fh, start=1):
                if text.strip():
                    _read_line(text, lineno, implied, path.name, display, out)
    except (UnicodeDecodeError, gzip.BadGzipFile, EOFError) as exc:
        out.errors.append(CatalogError(display, None, None, f"cannot be read: {exc} (expected UTF-8 JSON lines)"))
        out.items.clear()
    return out


def read_jsonl_text(text: str, display: str) -> FileRead:
    """The same reader over text already in memory (an HTTP request body, say)."""
    out = FileRead()
    for lineno, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            _read_line(line, lineno, None, display, display, out)
    return out


def _read_line(text: str, lineno: int, implied: str | None, file_name: str, display: str, out: FileRead) -> None:
    def err(field: str | None, message: str, found: str | None = None) -> None:
        out.errors.append(CatalogError(display, lineno, field, message, found))

    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        err(None, f"not valid JSON: {exc.msg} at column {exc.colno} (expected one JSON object per line)")
        return
    if not isinstance(obj, dict):
        err(None, "expected a JSON object", shorten(obj))
        return
    kind = obj.pop("type", None)
    if kind is None:
        if implied is None:
            err("type", f"missing; expected one of {', '.join(KINDS)} "
                "(or name the file products.jsonl, brands.jsonl, ... to imply it)")
            return
        kind = implied
    elif kind not in KINDS:
        err("type", f"expected one of {', '.join(KINDS)}", shorten(kind))
        return
    elif implied is not None and kind != implied:
        err("type", f"a {kind} in {file_name}, which holds {implied} items only", shorten(kind))
        return
    names = {k: obj.pop(k) for k in NAME_FIELDS if k in obj} if kind == "product" else {}
    out.items.append(RawItem(kind, obj, display, lineno, names=names))
