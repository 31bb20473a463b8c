"""Catalog validation: every problem becomes a `CatalogError` that names file, line, item and
field, says what was found and what was expected, and renders as one readable line.

Two layers run before anything is written:
1. each item against the model (`errors_from_pydantic` wraps pydantic's errors);
2. the catalog as a whole (`check_items`): duplicate ids, category parents and cycles, product
   brand/category/relation targets, policy and FAQ targets for their scope, passage owners, and
   two policies of one kind claiming the same scope and target (any number of kind "other").
In report mode a rejected item is left out and everything that points to it is rejected too,
with an error that says why, until what remains is consistent.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ingest.models import FAQ, Brand, Catalog, Category, Passage, Policy, Product, Scope

KINDS = ("brand", "category", "product", "policy", "faq", "passage")
MODELS: dict[str, type[BaseModel]] = {
    "brand": Brand,
    "category": Category,
    "product": Product,
    "policy": Policy,
    "faq": FAQ,
    "passage": Passage,
}
_ID_RULE = "an id of letters, digits and ._:/#@+- (starting with a letter or digit, at most 200 characters)"


@dataclass(frozen=True)
class CatalogError:
    """One problem in the input. `line` is 1-based (a CSV row's first line); None when the
    problem concerns a whole file or an in-memory catalog."""

    file: str
    line: int | None
    field: str | None
    message: str  # what is wrong and what was expected
    found: str | None = None  # the offending value, shortened
    item: str | None = None  # e.g. "product p000123"

    def render(self) -> str:
        where = self.file + (f":{self.line}" if self.line is not None else "")
        parts = [where]
        if self.item:
            parts.append(self.item)
        if self.field:
            parts.append(f"field '{self.field}'")
        found = f" (found {self.found})" if self.found is not None else ""
        return ": ".join(parts) + f": {self.message}{found}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def render_errors(errors: Iterable[CatalogError], limit: int | None = None) -> str:
    """One line per error; with `limit`, the rest is summarised as a count."""
    errors = list(errors)
    shown = errors if limit is None else errors[:limit]
    lines = [e.render() for e in shown]
    if len(errors) > len(shown):
        lines.append(f"... and {len(errors) - len(shown)} more errors")
    return "\n".join(lines)


class CatalogValidationError(ValueError):
    """The catalog was rejected; `errors` holds every problem found (nothing was written)."""

    def __init__(self, errors: list[CatalogError]):
        self.errors = list(errors)
        n = len(self.errors)
        super().__init__(f"catalog rejected, {n} error{'s' if n != 1 else ''}:\n" + render_errors(self.errors, 50))


def write_error_report(errors: Iterable[CatalogError], path: str | Path) -> Path:
    """Write errors as JSONL (one object per error), atomically: a reader never sees half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            for e in errors:
                fh.write(json.dumps(e.to_dict(), ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def shorten(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def dotted(loc: tuple[int | str, ...]) -> str:
    """('attributes', 2, 'values') -> 'attributes[2].values'."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def errors_from_pydantic(
    exc: ValidationError,
    *,
    file: str,
    line: int | None,
    item: str | None,
    field_name: Callable[[tuple[int | str, ...]], str | None] = dotted,
    field_line: Callable[[str | None], int | None] | None = None,
    model: type[BaseModel] | None = None,
) -> list[CatalogError]:
    """Turn pydantic's errors into CatalogErrors with the source's own field names.

    `field_name` maps a pydantic location to the name the user wrote (a CSV column, say);
    `field_line` gives a better line for a field when the reader knows it (front matter)."""
    out = []
    for err in exc.errors(include_url=False):
        loc = tuple(err.get("loc", ()))
        name = field_name(loc) if loc else None
        kind = err.get("type", "")
        msg = err.get("msg", "invalid value")
        found: str | None = shorten(err.get("input"))
        if kind == "missing":
            msg, found = "missing (a value is required)", None
        elif kind == "extra_forbidden":
            allowed = ", ".join(model.model_fields) if model is not None else ""
            msg = "unknown field" + (f"; expected one of: {allowed}" if allowed else "")
        elif kind == "string_pattern_mismatch" and loc and loc[-1] in ("id", "target", "brand", "category", "parent"):
            msg = f"expected {_ID_RULE}"
        elif kind == "string_pattern_mismatch" and loc and loc[-1] == "currency":
            msg = "expected a 3-letter ISO 4217 currency code in capitals, like USD"
        elif kind == "value_error":
            msg = msg.removeprefix("Value error, ")
            if not loc:
                found = None
        elif msg.startswith("Input should be "):
            msg = "expected " + msg.removeprefix("Input should be ")
        if not loc:
            found = None
        ln = field_line(name) if field_line is not None else None
        out.append(CatalogError(file=file, line=ln if ln is not None else line, field=name,
                                message=msg, found=found, item=item))
    return out


# --- catalog-wide checks -------------------------------------------------------------------------


@dataclass
class Item:
    """One validated catalog object with where it came from."""

    kind: str  # brand | category | product | policy | faq | passage
    obj: Any
    file: str
    line: int | None
    #: names the field that holds relation i of a product, as the source spells it
    relation_field: Callable[[int, Any], str] = field(
        default=lambda i, rel: f"relations[{i}].target", repr=False
    )
    #: the line a field is on, where the reader knows it (front matter); else `line`
    field_line: Callable[[str | None], int | None] | None = field(default=None, repr=False)

    @property
    def key(self) -> str:
        return self.obj.key if self.kind == "passage" else self.obj.id

    @property
    def label(self) -> str:
        return f"{self.kind} {self.key}"

    def where(self) -> str:
        return self.file + (f":{self.line}" if self.line is not None else "")

    def error(self, field_: str | None, message: str, found: Any = None) -> CatalogError:
        line = self.field_line(field_) if self.field_line is not None else None
        return CatalogError(self.file, self.line if line is None else line, field_, message,
                            None if found is None else shorten(found), self.label)


def check_items(items: list[Item], rejected: dict[tuple[str, str], str] | None = None) -> tuple[list[Item], list[CatalogError]]:
    """Cross-reference checks over validated items. Returns the items that pass and the errors.

    `rejected` maps (kind, id) of items already rejected for their own errors to where they
    were, so a reference to one says so instead of just "missing". The checks repeat until
    nothing more is rejected, so what is returned is consistent by itself."""
    rejected = dict(rejected or {})
    errors: list[CatalogError] = []

    # Duplicates: the first definition wins, later ones are errors.
    first: dict[tuple[str, str], Item] = {}
    kept: list[Item] = []
    for it in items:
        k = (it.kind, it.key)
        if k in first:
            field_ = "key" if it.kind == "passage" else "id"
            errors.append(it.error(field_, f"duplicate {it.kind} id (first defined at {first[k].where()})", it.key))
            continue
        first[k] = it
        kept.append(it)

    # One policy per (kind, scope, target): otherwise precedence would be ambiguous. Documents
    # of kind "other" are each about their own topic ("Store hours", "Gift wrapping"): no
    # precedence holds among them, and a store may have several.
    claimed: dict[tuple[str, str, str | None], Item] = {}
    deduped: list[Item] = []
    for it in kept:
        if it.kind == "policy" and it.obj.kind.value != "other":
            p: Policy = it.obj
            k3 = (p.kind.value, p.scope.value, p.target)
            if k3 in claimed:
                other = claimed[k3]
                scope = p.scope.value + (f" {p.target}" if p.target else "")
                errors.append(it.error("kind", f"a second '{p.kind.value}' policy for scope {scope} "
                                       f"(policy {other.key} at {other.where()} already covers it; "
                                       "expected one policy per kind and scope: raise its version instead)"))
                rejected[("policy", it.key)] = it.where()
                continue
            claimed[k3] = it
        deduped.append(it)
    kept = deduped

    while True:
        ids: dict[str, set[str]] = {k: set() for k in KINDS}
        for it in kept:
            ids[it.kind].add(it.key)
        new_errors: list[CatalogError] = []
        survivors: list[Item] = []
        for it in kept:
            problems = list(_references(it, ids, rejected))
            if problems:
                new_errors.extend(problems)
                rejected[(it.kind, it.key)] = it.where()
            else:
                survivors.append(it)
        errors.extend(new_errors)
        if len(survivors) == len(kept):
            break
        kept = survivors

    cycles = _category_cycles([it for it in kept if it.kind == "category"])
    if cycles:
        errors.extend(it.error("parent", "category hierarchy has a cycle (expected a tree)", it.obj.parent)
                      for it in kept if it.kind == "category" and it.key in cycles)
        rejected.update({("category", c): "" for c in cycles})
        kept = [it for it in kept if not (it.kind == "category" and it.key in cycles)]
        # Products and documents in those categories now point nowhere: run the checks again.
        more_kept, more_errors = check_items(kept, rejected)
        return more_kept, errors + more_errors
    return kept, errors


def _missing(kind: str, ref: str, rejected: dict[tuple[str, str], str]) -> str:
    where = rejected.get((kind, ref))
    if where is not None:
        return f"{kind} '{ref}' was rejected" + (f" (see {where})" if where else "")
    return f"no {kind} with id '{ref}' in the catalog (expected the id of a {kind} defined in the input)"


def _references(it: Item, ids: dict[str, set[str]], rejected: dict[tuple[str, str], str]) -> Iterable[CatalogError]:
    o = it.obj
    if it.kind == "category" and o.parent is not None:
        if o.parent == o.id:
            yield it.error("parent", "a category cannot be its own parent", o.parent)
        elif o.parent not in ids["category"]:
            yield it.error("parent", _missing("category", o.parent, rejected))
    elif it.kind == "product":
        if o.brand is not None and o.brand not in ids["brand"]:
            yield it.error("brand", _missing("brand", o.brand, rejected))
        if o.category is not None and o.category not in ids["category"]:
            yield it.error("category", _missing("category", o.category, rejected))
        for i, rel in enumerate(o.relations):
            fname = it.relation_field(i, rel)
            if rel.target == o.id:
                yield it.error(fname, f"{rel.kind.value} points to the product itself", rel.target)
            elif rel.target not in ids["product"]:
                yield it.error(fname, f"{rel.kind.value} target: " + _missing("product", rel.target, rejected))
    elif it.kind in ("policy", "faq") and o.scope != Scope.global_:
        kind = o.scope.value  # brand | category | product
        if o.target not in ids[kind]:
            yield it.error("target", f"scope '{kind}' target: " + _missing(kind, o.target, rejected))
    elif it.kind == "passage" and o.owner_kind != "store":
        if o.owner_id not in ids[o.owner_kind]:
            yield it.error("owner_id", _missing(o.owner_kind, o.owner_id, rejected))


def _category_cycles(categories: list[Item]) -> set[str]:
    parent = {it.key: it.obj.parent for it in categories}
    in_cycle: set[str] = set()
    for start in parent:
        seen: list[str] = []
        node: str | None = start
        while node is not None and node in parent and node not in seen:
            seen.append(node)
            node = parent[node]
        if node is not None and node in seen:
            in_cycle.update(seen[seen.index(node):])
    return in_cycle


def items_of(catalog: Catalog, source: str) -> list[Item]:
    """Wrap an in-memory catalog's objects as Items (no line numbers)."""
    out: list[Item] = []
    for kind, objs in (("brand", catalog.brands), ("category", catalog.categories),
                       ("product", catalog.products), ("policy", catalog.policies),
                       ("faq", catalog.faqs), ("passage", catalog.passages)):
        out.extend(Item(kind, o, source, None) for o in objs)
    return out


def catalog_of(items: Iterable[Item], omitted: list | None = None) -> Catalog:
    """Assemble a Catalog from items, keeping their order within each kind."""
    buckets: dict[str, list[Any]] = {k: [] for k in KINDS}
    for it in items:
        buckets[it.kind].append(it.obj)
    return Catalog(
        brands=buckets["brand"], categories=buckets["category"], products=buckets["product"],
        policies=buckets["policy"], faqs=buckets["faq"], passages=buckets["passage"],
        omitted=list(omitted or []),
    )


def validate_catalog(catalog: Catalog, source: str = "<catalog>") -> list[CatalogError]:
    """Cross-reference checks for a catalog built in memory (demo, ePQA, tests)."""
    _, errors = check_items(items_of(catalog, source))
    return errors
