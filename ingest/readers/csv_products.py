"""Products as CSV (or TSV): one product per row.

Columns: `id`, `title`, `description`, `sku`, `brand` (id) or `brand_name`, `category` (id) or
`category_path` (`Home > Kitchen > Coffee Makers`), `price`, `currency`, `availability`;
attributes as `attr:<key>` or `attr:<key>[<unit>]` with `|` between several values; relations as
`compatible_with`, `accessory_for`, `variant_of` holding `|`-separated product ids. Empty cells
mean "not given". An unknown column rejects the file: a misspelt header would lose data.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

from ingest.models import RelationKind
from ingest.readers.base import NAME_FIELDS, FileRead, RawItem
from ingest.validation import CatalogError, shorten

BASE_COLUMNS = ("id", "title", "description", "sku", "brand", "brand_name", "category",
                "category_path", "price", "currency", "availability")
RELATION_COLUMNS = tuple(k.value for k in RelationKind)
ATTR_COLUMN = re.compile(r"^attr:(?P<key>[^\[\]|]+?)\s*(?:\[(?P<unit>[^\[\]]*)\])?$")
REQUIRED = ("id", "title")


def read_products_csv(path: Path, display: str) -> FileRead:
    out = FileRead()
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh, delimiter=delimiter)
            header = next(reader, None)
            if header is None:
                out.errors.append(CatalogError(display, 1, None, "empty file (expected a header row: id,title,...)"))
                return out
            columns, header_errors = _parse_header(header, display)
            if header_errors:
                out.errors.extend(header_errors)
                return out
            last_line = reader.line_num
            for row in reader:
                line, last_line = last_line + 1, reader.line_num
                if not any(cell.strip() for cell in row):
                    continue
                if len(row) != len(header):
                    out.errors.append(CatalogError(
                        display, line, None,
                        f"row has {len(row)} cells, the header has {len(header)} (check quoting and delimiters)",
                        shorten(delimiter.join(row))))
                    continue
                out.items.append(_product(row, columns, display, line))
    except UnicodeDecodeError as exc:
        out.errors.append(CatalogError(display, None, None, f"cannot be read: {exc} (expected UTF-8 text)"))
        out.items.clear()
    except csv.Error as exc:
        out.errors.append(CatalogError(display, reader.line_num, None, f"malformed CSV: {exc}"))
        out.items.clear()
    return out


def _parse_header(header: list[str], display: str) -> tuple[list[tuple[str, str, Any]], list[CatalogError]]:
    """Each column as (role, name, detail): role base|attr|relation; detail (key, unit) for attr."""
    columns: list[tuple[str, str, Any]] = []
    errors: list[CatalogError] = []
    seen: dict[str, int] = {}
    for n, raw in enumerate(header, start=1):
        name = raw.strip()
        m = ATTR_COLUMN.match(name)
        if name in BASE_COLUMNS:
            columns.append(("base", name, None))
            ident = name
        elif name in RELATION_COLUMNS:
            columns.append(("relation", name, None))
            ident = name
        elif m:
            key, unit = m.group("key").strip(), (m.group("unit") or "").strip() or None
            columns.append(("attr", name, (key, unit)))
            # One key may have a column per unit (weight[g] for phones, weight[kg] for tents);
            # a row that fills two of them is caught by the product's repeated-key check.
            ident = f"attr:{key.lower()}[{unit or ''}]"
        else:
            errors.append(CatalogError(
                display, 1, name or f"column {n}",
                "unknown column; expected one of: " + ", ".join(BASE_COLUMNS + RELATION_COLUMNS)
                + ", or attr:<key> / attr:<key>[<unit>]"))
            continue
        if ident in seen:
            errors.append(CatalogError(display, 1, name, f"column repeats column {seen[ident]} (expected each once)"))
        seen[ident] = n
    present = {c[1] for c in columns}
    for req in REQUIRED:
        if req not in present:
            errors.append(CatalogError(display, 1, req, "required column missing from the header"))
    return columns, errors


def _product(row: list[str], columns: list[tuple[str, str, Any]], display: str, line: int) -> RawItem:
    data: dict[str, Any] = {}
    names: dict[str, Any] = {}
    attr_cols: list[str] = []
    rel_cols: list[str] = []
    for (role, name, detail), cell in zip(columns, row):
        cell = cell.strip()
        if not cell:
            continue
        if role == "base":
            if name == "availability":  # spreadsheets say "In stock"
                cell = re.sub(r"[\s-]+", "_", cell.lower())
            elif name == "currency":
                cell = cell.upper()
            (names if name in NAME_FIELDS else data)[name] = cell
        elif role == "attr":
            key, unit = detail
            values = [v.strip() for v in cell.split("|") if v.strip()]
            data.setdefault("attributes", []).append({"key": key, "values": values, "unit": unit})
            attr_cols.append(name)
        else:
            for target in (t.strip() for t in cell.split("|")):
                if target:
                    data.setdefault("relations", []).append({"kind": name, "target": target})
                    rel_cols.append(name)

    def field_name(loc: tuple[int | str, ...]) -> str | None:
        if len(loc) >= 2 and isinstance(loc[1], int):
            if loc[0] == "attributes" and loc[1] < len(attr_cols):
                return attr_cols[loc[1]]
            if loc[0] == "relations" and loc[1] < len(rel_cols):
                return rel_cols[loc[1]]
        return str(loc[0]) if loc else None

    return RawItem("product", data, display, line, field_name=field_name,
                   relation_field=lambda i, rel: rel_cols[i] if i < len(rel_cols) else "relations",
                   names=names)
