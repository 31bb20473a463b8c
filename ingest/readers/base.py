"""What every reader hands to the loader: raw items (plain dicts with their origin and with the
source's own field names) and the errors it met while reading. The loader validates them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ingest.validation import CatalogError, dotted

#: Extra product fields a reader may pass on for the loader to resolve by name (see names.py).
NAME_FIELDS = ("brand_name", "category_path")


def _relations_field(i: int, rel: Any) -> str:
    return f"relations[{i}].target"


@dataclass
class RawItem:
    kind: str  # brand | category | product | policy | faq | passage
    data: dict[str, Any]
    file: str
    line: int | None
    #: pydantic location -> the field name as the source spells it (a CSV column, say)
    field_name: Callable[[tuple[int | str, ...]], str | None] = dotted
    #: field name -> the line it is on, where a reader knows better than `line` (front matter)
    field_line: Callable[[str | None], int | None] | None = None
    relation_field: Callable[[int, Any], str] = _relations_field
    names: dict[str, Any] = field(default_factory=dict)  # brand_name / category_path

    @property
    def label(self) -> str | None:
        key = self.data.get("key" if self.kind == "passage" else "id")
        return f"{self.kind} {key}" if isinstance(key, str) and key else None

    def where(self) -> str:
        return self.file + (f":{self.line}" if self.line is not None else "")

    def error(self, field_: str | None, message: str, found: str | None = None) -> CatalogError:
        line = self.field_line(field_) if self.field_line is not None else None
        return CatalogError(self.file, line if line is not None else self.line, field_, message, found, self.label)


@dataclass
class FileRead:
    items: list[RawItem] = field(default_factory=list)
    errors: list[CatalogError] = field(default_factory=list)
