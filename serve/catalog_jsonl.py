"""Parse a canonical JSONL catalog body (one record per line, `type` names the model) into a
validated `Catalog`, collecting every bad line with its field before anything is written."""

from __future__ import annotations

import json

from pydantic import ValidationError

from ingest.models import FAQ, Brand, Catalog, Category, Passage, Policy, Product

_MODELS = {"brand": (Brand, "brands"), "category": (Category, "categories"), "product": (Product, "products"),
           "policy": (Policy, "policies"), "faq": (FAQ, "faqs"), "passage": (Passage, "passages")}
MAX_REPORTED = 50


class CatalogParseError(ValueError):
    def __init__(self, message: str, details: list[dict]):
        super().__init__(message)
        self.details = details


def parse_catalog_jsonl(text: str) -> Catalog:
    parts: dict[str, list] = {field: [] for _, field in _MODELS.values()}
    details: list[dict] = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"line {n}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            details.append({"loc": ["body", where], "msg": f"not JSON: {exc.msg} (column {exc.colno})", "type": "json_invalid"})
            continue
        if not isinstance(record, dict):
            details.append({"loc": ["body", where], "msg": "expected a JSON object", "type": "dict_type"})
            continue
        kind = record.pop("type", None)
        if kind not in _MODELS:
            details.append({"loc": ["body", where, "type"],
                            "msg": f"type must be one of {sorted(_MODELS)}, got {kind!r}", "type": "enum"})
            continue
        model, field = _MODELS[kind]
        try:
            parts[field].append(model.model_validate(record))
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                loc = ["body", where, *[str(p) for p in err["loc"]]]
                details.append({"loc": loc, "msg": err["msg"], "type": err["type"]})
        if len(details) >= MAX_REPORTED:
            break
    if details:
        first = details[0]
        raise CatalogParseError(
            f"{len(details)} problem(s) in the catalog, nothing was written; first: "
            f"{' '.join(first['loc'][1:])}: {first['msg']}", details)
    if not any(parts.values()):
        raise CatalogParseError("the body holds no records",
                                [{"loc": ["body"], "msg": "no records", "type": "missing"}])
    try:
        return Catalog(**parts)
    except ValidationError as exc:
        errs = [{"loc": ["body", *[str(p) for p in e["loc"]]], "msg": e["msg"], "type": e["type"]}
                for e in exc.errors(include_url=False)]
        raise CatalogParseError(f"catalog is inconsistent: {errs[0]['msg']}", errs) from None
