"""The catalog model: what a merchant's catalog is made of, validated before anything is stored.

Every reader (JSONL, CSV, Markdown/HTML policies, the demo generator, the ePQA importer)
produces these objects, and every writer (graph, vector index) consumes them, so this module
is the one contract between ingestion's inputs and its stores.
"""

from __future__ import annotations

import gc
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from enum import Enum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:/#@+-]{0,199}$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=False)

    def content_hash(self) -> str:
        """Stable hash of the content, used to skip unchanged items on re-ingest."""
        payload = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


class Availability(str, Enum):
    in_stock = "in_stock"
    out_of_stock = "out_of_stock"
    preorder = "preorder"
    discontinued = "discontinued"


class AttributeValue(_Model):
    """One attribute of a product: a key with one or more values and an optional unit."""

    key: str = Field(min_length=1, max_length=200)
    values: list[str] = Field(min_length=1)
    unit: str | None = None
    source_ids: list[str] = Field(
        default_factory=list,
        description="Stable ids of the source snippets this fact was read from (e.g. epqa:<id>)",
    )

    @field_validator("values", mode="before")
    @classmethod
    def _listify(cls, v: object) -> object:
        if isinstance(v, (str, int, float, bool)):
            return [str(v)]
        if isinstance(v, list):
            return v if all(type(x) is str for x in v) else [str(x) for x in v]
        return v

    @property
    def text_value(self) -> str:
        value = ", ".join(self.values)
        return f"{value} {self.unit}" if self.unit else value


class RelationKind(str, Enum):
    compatible_with = "compatible_with"
    accessory_for = "accessory_for"
    variant_of = "variant_of"


class Relation(_Model):
    kind: RelationKind
    target: str = Field(pattern=ID_PATTERN)


class Brand(_Model):
    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1)
    description: str = ""


class Category(_Model):
    """A node of the category hierarchy; `parent` is the id of the broader category.
    `aliases`: other words shoppers use for it ("camping" for Outdoor, "earbuds" for
    Headphones), which the entity linker matches like the name."""

    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1)
    parent: str | None = None
    aliases: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(default_factory=list, max_length=50)


class Product(_Model):
    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=1, max_length=1000)
    description: str = ""
    sku: str | None = None
    brand: str | None = Field(default=None, description="Brand id")
    category: str | None = Field(default=None, description="Leaf category id")
    attributes: list[AttributeValue] = Field(default_factory=list)
    price: float | None = Field(default=None, ge=0)
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    availability: Availability | None = None
    relations: list[Relation] = Field(default_factory=list)

    @field_validator("attributes", mode="before")
    @classmethod
    def _attributes_from_mapping(cls, v: object) -> object:
        """Accept the short form ``{"color": "black", "weight": {"value": 250, "unit": "g"}}``."""
        if isinstance(v, dict):
            out = []
            for key, val in v.items():
                if isinstance(val, dict):
                    val = dict(val)
                    if "value" in val and "values" not in val:
                        val["values"] = val.pop("value")
                    out.append({"key": key, **val})
                else:
                    out.append({"key": key, "values": val})
            return out
        return v

    @field_validator("relations", mode="before")
    @classmethod
    def _relations_from_mapping(cls, v: object) -> object:
        """Accept the short form ``{"accessory_for": ["p1", "p2"]}``."""
        if isinstance(v, dict):
            out = []
            for kind, targets in v.items():
                for target in [targets] if isinstance(targets, str) else list(targets or []):
                    out.append({"kind": kind, "target": target})
            return out
        return v

    @model_validator(mode="after")
    def _price_needs_currency(self) -> "Product":
        if self.price is not None and self.currency is None:
            raise ValueError("price given without currency (expected a 3-letter code like USD)")
        keys = [a.key.lower() for a in self.attributes]
        if len(set(keys)) != len(keys):
            dup = {k for k in keys if keys.count(k) > 1}
            raise ValueError(f"attribute keys repeated: {sorted(dup)}")
        return self


class PolicyKind(str, Enum):
    returns = "returns"
    warranty = "warranty"
    shipping = "shipping"
    payment = "payment"
    privacy = "privacy"
    other = "other"


class Scope(str, Enum):
    """How wide a policy or FAQ applies; narrower scopes override wider ones."""

    global_ = "global"
    brand = "brand"
    category = "category"
    product = "product"


#: Precedence of scopes when several policies of one kind apply (higher wins).
SCOPE_PRECEDENCE: dict[Scope, int] = {
    Scope.product: 3,
    Scope.brand: 2,
    Scope.category: 1,
    Scope.global_: 0,
}


class _Scoped(_Model):
    scope: Scope = Scope.global_
    target: str | None = Field(default=None, description="Id of the brand/category/product")

    @model_validator(mode="after")
    def _target_matches_scope(self) -> "_Scoped":
        if self.scope == Scope.global_ and self.target:
            raise ValueError("scope 'global' takes no target")
        if self.scope != Scope.global_ and not self.target:
            raise ValueError(f"scope '{self.scope.value}' needs a target id")
        return self


class Policy(_Scoped):
    id: str = Field(pattern=ID_PATTERN)
    kind: PolicyKind
    title: str = Field(min_length=1)
    body: str = Field(min_length=1, description="Markdown")
    version: int = Field(default=1, ge=1)
    effective_date: date | None = None


class FAQ(_Scoped):
    id: str = Field(pattern=ID_PATTERN)
    question: str = Field(min_length=1)
    answer: str = Field(min_length=1)


PassageSource = Literal[
    "description", "policy", "faq", "bullet", "review", "cqa", "attribute", "other"
]
OwnerKind = Literal["product", "brand", "category", "policy", "faq", "store"]


class Passage(_Model):
    """A retrievable text with where it came from and which graph node owns it.

    `key` is a stable string id (e.g. ``epqa:<qa_pair_id>`` or ``policy:returns-global#2``);
    `aliases` keeps other stable ids whose identical text was stored once under this key.
    """

    key: str = Field(min_length=1)
    text: str = Field(min_length=1)
    source: PassageSource
    owner_id: str
    owner_kind: OwnerKind
    doc_id: str | None = None
    doc_version: int | None = None
    aliases: list[str] = Field(default_factory=list)


class Omitted(_Model):
    """A source item that carries no content (e.g. an empty snippet), so nothing is stored for
    it; listed so that counts of source ids reconcile with the input."""

    key: str = Field(min_length=1)
    owner_id: str | None = None
    reason: str


class Catalog(_Model):
    """Everything one ingest run brings in. Passages are extra texts (reviews, Q&A, snippets);
    descriptions, policies and FAQs are chunked into passages by ingestion itself."""

    brands: list[Brand] = Field(default_factory=list)
    categories: list[Category] = Field(default_factory=list)
    products: list[Product] = Field(default_factory=list)
    policies: list[Policy] = Field(default_factory=list)
    faqs: list[FAQ] = Field(default_factory=list)
    passages: list[Passage] = Field(default_factory=list)
    omitted: list[Omitted] = Field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Item counts by kind, for logs and CLI summaries."""
        return {
            "brands": len(self.brands),
            "categories": len(self.categories),
            "products": len(self.products),
            "attribute_facts": sum(len(p.attributes) for p in self.products),
            "relations": sum(len(p.relations) for p in self.products),
            "policies": len(self.policies),
            "faqs": len(self.faqs),
            "passages": len(self.passages),
            "omitted": len(self.omitted),
        }


@contextmanager
def no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building a large catalog: ~10^6 small model
    objects otherwise trigger repeated full collections over the growing heap (2.5x the run
    time at 100k products). Catalog objects form no reference cycles, so reference counting
    still frees them."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
