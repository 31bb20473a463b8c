"""Read a merchant's catalog from files into a validated `Catalog`; nothing is written here.

`load_catalog(path)` takes one file or a folder (read recursively, in name order; hidden files
are ignored) that may mix every format:

- `*.jsonl`, `*.ndjson` (optionally `.gz`): canonical JSONL   (ingest/readers/jsonl.py)
- `*.csv`, `*.tsv`: products, one per row                     (ingest/readers/csv_products.py)
- `*.md`, `*.markdown`, `*.html`, `*.htm`: policies and FAQs   (ingest/readers/documents.py)

All items are validated (model, then cross-references, see ingest/validation.py). With
`on_error="raise"` (the default) any error raises `CatalogValidationError` carrying every error;
with `on_error="report"` bad items are left out, and what points to them too, and the errors come
back in `LoadResult.errors` (write them with `write_error_report`). A missing path or a folder
without catalog files always raises: an empty catalog is never the silent result of a typo.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import structlog
from pydantic import ValidationError

from ingest.models import Catalog, no_cyclic_gc
from ingest.readers.base import FileRead, RawItem
from ingest.readers.csv_products import read_products_csv
from ingest.readers.documents import read_document
from ingest.readers.jsonl import read_jsonl, read_jsonl_text
from ingest.readers.names import NameResolver
from ingest.validation import (
    MODELS,
    CatalogError,
    CatalogValidationError,
    Item,
    catalog_of,
    check_items,
    errors_from_pydantic,
)

log = structlog.get_logger(__name__)

OnError = Literal["raise", "report"]

READERS: dict[str, Callable[[Path, str], FileRead]] = {
    ".jsonl": read_jsonl,
    ".ndjson": read_jsonl,
    ".jsonl.gz": read_jsonl,
    ".ndjson.gz": read_jsonl,
    ".csv": read_products_csv,
    ".tsv": read_products_csv,
    ".md": read_document,
    ".markdown": read_document,
    ".html": read_document,
    ".htm": read_document,
}


@dataclass
class LoadResult:
    catalog: Catalog
    errors: list[CatalogError] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def reader_for(path: Path) -> Callable[[Path, str], FileRead] | None:
    name = path.name.lower()
    for suffix in sorted(READERS, key=len, reverse=True):
        if name.endswith(suffix):
            return READERS[suffix]
    return None


def catalog_files(root: Path) -> list[Path]:
    """The files `load_catalog` reads under `root` (or `root` itself), in a stable order."""
    if root.is_file():
        return [root]
    return sorted(
        p for p in root.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)
    )


def load_catalog(path: str | Path, on_error: OnError = "raise") -> LoadResult:
    """Read and validate the catalog at `path` (a file or a folder); see the module docstring."""
    with no_cyclic_gc():
        return _load_catalog(path, on_error)


def _load_catalog(path: str | Path, on_error: OnError) -> LoadResult:
    if on_error not in ("raise", "report"):
        raise ValueError(f"on_error must be 'raise' or 'report', not {on_error!r}")
    root = Path(path)
    if not root.exists():
        raise CatalogValidationError([CatalogError(str(root), None, None,
                                                   "does not exist (expected a catalog file or folder)")])
    files = catalog_files(root)
    errors: list[CatalogError] = []
    raws: list[RawItem] = []
    read_files: list[Path] = []
    for f in files:
        reader = reader_for(f)
        if reader is None:
            errors.append(CatalogError(str(f), None, None, "unsupported file type (expected one of "
                                       + ", ".join(READERS) + ")"))
            continue
        read = reader(f, str(f))
        errors.extend(read.errors)
        raws.extend(read.items)
        read_files.append(f)
    if not read_files:
        raise CatalogValidationError(errors or [CatalogError(
            str(root), None, None, "no catalog files found (expected .jsonl, .csv, .md or .html files)")])
    return _finish(raws, errors, read_files, on_error, str(root))


def load_jsonl_text(text: str, source: str = "<body>", on_error: OnError = "raise") -> LoadResult:
    """Canonical JSONL held in memory (e.g. an HTTP request body), validated like `load_catalog`;
    errors name `source` and the line."""
    if on_error not in ("raise", "report"):
        raise ValueError(f"on_error must be 'raise' or 'report', not {on_error!r}")
    with no_cyclic_gc():
        read = read_jsonl_text(text, source)
        if not read.items and not read.errors:
            raise CatalogValidationError([CatalogError(source, None, None, "holds no records (expected JSON lines)")])
        return _finish(read.items, list(read.errors), [], on_error, source)


def _finish(raws: list[RawItem], errors: list[CatalogError], files: list[Path], on_error: OnError,
            label: str) -> LoadResult:
    items, rejected = _validate(raws, errors)
    kept, ref_errors = check_items(items, rejected)
    errors.extend(ref_errors)
    errors.sort(key=lambda e: (e.file, e.line or 0))
    if errors and on_error == "raise":
        raise CatalogValidationError(errors)
    catalog = catalog_of(kept)
    log.info("catalog.loaded", path=label, files=len(files), errors=len(errors), **catalog.counts())
    return LoadResult(catalog, errors, files)


def _validate(raws: list[RawItem], errors: list[CatalogError]) -> tuple[list[Item], dict[tuple[str, str], str]]:
    """Model-validate every raw item; brands and categories first so products can name them."""
    rejected: dict[tuple[str, str], str] = {}

    def build(raw: RawItem) -> Item | None:
        model = MODELS[raw.kind]
        try:
            obj = model.model_validate(raw.data)
        except ValidationError as exc:
            errors.extend(errors_from_pydantic(exc, file=raw.file, line=raw.line, item=raw.label,
                                               field_name=raw.field_name, field_line=raw.field_line,
                                               model=model))
            key = raw.data.get("key" if raw.kind == "passage" else "id")
            if isinstance(key, str):
                rejected[(raw.kind, key)] = raw.where()
            return None
        return Item(raw.kind, obj, raw.file, raw.line, relation_field=raw.relation_field,
                    field_line=raw.field_line)

    first = [b for r in raws if r.kind in ("brand", "category") if (b := build(r)) is not None]
    resolver = NameResolver([i for i in first if i.kind == "brand"], [i for i in first if i.kind == "category"])
    rest: list[Item] = []
    for raw in raws:
        if raw.kind in ("brand", "category"):
            continue
        names_ok = not raw.names or _resolve_names(raw, resolver, errors, rejected)
        it = build(raw)  # also when names failed, so its other errors are reported too
        if it is not None and names_ok:
            rest.append(it)
    return first + resolver.created + rest, rejected


def _resolve_names(raw: RawItem, resolver: NameResolver, errors: list[CatalogError],
                   rejected: dict[tuple[str, str], str]) -> bool:
    """Turn a product's brand_name / category_path into ids (creating brands and categories)."""
    ok = True
    for name_field, id_field, resolve in (("brand_name", "brand", resolver.brand),
                                          ("category_path", "category", resolver.category)):
        if name_field not in raw.names:
            continue
        if raw.data.get(id_field):
            errors.append(raw.error(name_field, f"give either '{id_field}' (an id) or '{name_field}', not both"))
            ok = False
            continue
        try:
            raw.data[id_field] = resolve(raw.names[name_field], raw.file, raw.line)
        except ValueError as exc:
            errors.append(raw.error(name_field, str(exc)))
            ok = False
    if not ok and isinstance(raw.data.get("id"), str):
        rejected[("product", raw.data["id"])] = raw.where()
    return ok


__all__ = ["LoadResult", "load_catalog", "load_jsonl_text", "catalog_files", "CatalogValidationError", "CatalogError"]
