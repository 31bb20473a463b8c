"""Brands and categories given by name instead of id (`brand_name`, `category_path`).

The rule, the same in every format:
- a brand name matches a defined brand by name (case-insensitive) or by id; otherwise a brand
  is created with id = slug(name) (`"Ampere & Co"` -> `ampere-co`) and that name;
- a category path (`"Home > Kitchen > Coffee Makers"`, or a list of names) is walked from the
  root: each level matches a category of that name (case-insensitive) under the previous level;
  a missing level is created with id = slug(level name), or `<parent id>-<slug>` when that id
  is already taken. Created items are reported where they were first needed (file:line).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from ingest.models import Brand, Category
from ingest.validation import Item


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:200]


class NameResolver:
    def __init__(self, brands: list[Item], categories: list[Item]):
        self.brand_ids = {it.key for it in brands}
        self.brand_by_name: dict[str, str] = {}
        for it in brands:
            self.brand_by_name.setdefault(it.obj.name.casefold(), it.key)
        self.category_ids = {it.key for it in categories}
        self.child: dict[tuple[str | None, str], str] = {}
        for it in categories:
            self.child.setdefault((it.obj.parent, it.obj.name.casefold()), it.key)
        self.created: list[Item] = []

    def brand(self, name: Any, file: str, line: int | None) -> str:
        if not isinstance(name, str) or not name.strip():
            raise ValueError("expected a brand name")
        name = " ".join(name.split())
        if name in self.brand_ids:
            return name
        found = self.brand_by_name.get(name.casefold())
        if found is not None:
            return found
        bid = slugify(name)
        if not bid:
            raise ValueError("a brand name needs at least one letter or digit")
        if bid in self.brand_ids:  # the slug is a defined brand's id: that brand
            return bid
        self.brand_ids.add(bid)
        self.brand_by_name[name.casefold()] = bid
        self.created.append(Item("brand", Brand(id=bid, name=name), file, line))
        return bid

    def category(self, path: Any, file: str, line: int | None) -> str:
        if isinstance(path, str):
            levels = [p.strip() for p in path.split(">")]
        elif isinstance(path, list) and all(isinstance(p, str) for p in path):
            levels = [p.strip() for p in path]
        else:
            raise ValueError("expected a category path like 'Home > Kitchen' or a list of names")
        if not levels or any(not lv for lv in levels):
            raise ValueError("expected non-empty category names separated by '>'")
        parent: str | None = None
        for level in levels:
            name = " ".join(level.split())
            found = self.child.get((parent, name.casefold()))
            if found is None:
                slug = slugify(name)
                if not slug:
                    raise ValueError(f"category name {name!r} needs at least one letter or digit")
                cid = slug if slug not in self.category_ids else f"{parent}-{slug}" if parent else slug
                if cid in self.category_ids:
                    raise ValueError(f"cannot create category {name!r}: id '{cid}' is taken by another category")
                self.category_ids.add(cid)
                self.child[(parent, name.casefold())] = cid
                self.created.append(Item("category", Category(id=cid, name=name, parent=parent), file, line))
                found = cid
            parent = found
        assert parent is not None
        return parent
