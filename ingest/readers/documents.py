"""Policy and FAQ documents: Markdown (`.md`) or HTML (`.html`) files that start with YAML front
matter between `---` lines. The body is the policy text (or the FAQ's answer); HTML bodies are
converted to Markdown with markdownify so every stored policy body is Markdown.

    ---
    id: returns-laptops
    kind: returns            # returns | warranty | shipping | payment | privacy | other
    scope: category          # global (default) | brand | category | product
    target: laptops          # the brand/category/product id; none for global
    title: Laptop returns    # default: the body's first heading
    version: 2
    effective_date: 2025-03-01
    ---
    Laptops can be returned within 15 days ...

`type: faq` makes the file an FAQ: `question` in the front matter, the body is the answer.
`id` defaults to the file name without its extension.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from markdownify import markdownify

from ingest.readers.base import FileRead, RawItem
from ingest.validation import CatalogError, shorten

DOC_TYPES = ("policy", "faq")
_FENCES = ("---", "...")


def html_to_markdown(html: str) -> str:
    """The visible content of an HTML page or fragment as Markdown."""
    body = re.search(r"<body[^>]*>(.*)</body>", html, re.S | re.I)
    if body:
        html = body.group(1)
    html = re.sub(r"<(script|style|template)\b[^>]*>.*?</\1\s*>", "", html, flags=re.S | re.I)
    html = re.sub(r"<!--.*?-->", "", html, flags=re.S)
    md = markdownify(html, heading_style="ATX", bullets="-")
    md = re.sub(r"[ \t]+\n", "\n", md)
    return re.sub(r"\n{3,}", "\n\n", md).strip()


def first_heading(markdown: str) -> str | None:
    m = re.search(r"^#{1,6}\s+(.+?)\s*#*\s*$", markdown, re.M)
    return m.group(1).strip() if m else None


def read_document(path: Path, display: str) -> FileRead:
    out = FileRead()

    def fail(line: int | None, field: str | None, message: str, found: str | None = None) -> FileRead:
        out.errors.append(CatalogError(display, line, field, message, found))
        return out

    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        return fail(None, None, f"cannot be read: {exc} (expected UTF-8 text)")
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return fail(1, None, "no YAML front matter (expected the file to start with a '---' line, "
                    "then id, kind, scope, target, title, version, effective_date, and a closing '---')")
    close = next((i for i in range(1, len(lines)) if lines[i].strip() in _FENCES), None)
    if close is None:
        return fail(1, None, "front matter is not closed (expected a second '---' line after it)")
    try:
        meta = yaml.safe_load("\n".join(lines[1:close])) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        return fail(mark.line + 2 if mark else 2, None, f"front matter is not valid YAML: {problem}")
    if not isinstance(meta, dict):
        return fail(2, None, "front matter must be a YAML mapping of field: value", shorten(meta))

    key_lines = {}
    for i in range(1, close):
        m = re.match(r"^([A-Za-z_][\w-]*)\s*:", lines[i])
        if m:
            key_lines.setdefault(m.group(1), i + 1)
    body_line = close + 2

    def field_line(name: str | None) -> int | None:
        if name in ("body", "answer"):
            return body_line
        return key_lines.get(name.split(".")[0].split("[")[0]) if name else None

    data: dict[str, Any] = {str(k): v for k, v in meta.items()}
    doc_type = data.pop("type", "policy")
    if doc_type not in DOC_TYPES:
        return fail(key_lines.get("type", 2), "type", f"expected one of {', '.join(DOC_TYPES)}", shorten(doc_type))
    body_field = "body" if doc_type == "policy" else "answer"
    if body_field in data:
        return fail(key_lines.get(body_field), body_field,
                    f"the {body_field} goes after the front matter, not in it")
    for key in ("id", "target", "question"):  # YAML reads `target: 123` as a number, `2024-01-01` as a date
        value = data.get(key)
        if isinstance(value, (int, float, date)) and not isinstance(value, bool):
            data[key] = value.isoformat() if isinstance(value, date) else str(value)

    body = "\n".join(lines[close + 1:])
    if path.suffix.lower() in (".html", ".htm"):
        body = html_to_markdown(body)
    body = body.strip()
    data.setdefault("id", path.stem)
    if doc_type == "policy":
        if "title" not in data and first_heading(body):
            data["title"] = first_heading(body)
    data[body_field] = body
    out.items.append(RawItem(doc_type, data, display, 1, field_line=field_line))
    return out
