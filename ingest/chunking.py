"""Long catalog texts -> retrievable `Passage`s with stable keys.

Keys are stable so re-ingesting unchanged text yields the same vector ids (no re-embedding):
  product:<id>#<n>             product description chunk n
  brand:<id>#<n>               brand description chunk n
  policy:<id>@v<version>#<n>   policy body chunk n (a new version gets new keys)
  faq:<id>#<n>                 question + answer chunk n
Catalog-supplied passages (ePQA snippets, reviews) are not chunked: they stay whole.
Policy chunks carry the policy title in front, so a chunk is understandable on its own.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from langchain_text_splitters import RecursiveCharacterTextSplitter

from ingest.models import FAQ, Brand, Passage, Policy, Product

_MARKDOWN_SEPARATORS = ["\n## ", "\n### ", "\n#### ", "\n\n", "\n", ". ", " ", ""]


@dataclass(frozen=True)
class ChunkConfig:
    chunk_size: int = 800
    chunk_overlap: int = 100

    @property
    def signature(self) -> str:
        """Part of every chunked item's content hash: new chunk sizes re-chunk everything."""
        return hashlib.blake2b(f"{self.chunk_size}/{self.chunk_overlap}/v1".encode(), digest_size=4).hexdigest()


class Chunker:
    def __init__(self, config: ChunkConfig = ChunkConfig()):
        self.config = config
        self._splitter = RecursiveCharacterTextSplitter(
            chunk_size=config.chunk_size,
            chunk_overlap=min(config.chunk_overlap, config.chunk_size // 2),
            separators=_MARKDOWN_SEPARATORS,
            keep_separator=True,
            strip_whitespace=True,
        )

    def split(self, text: str) -> list[str]:
        text = text.strip()
        if not text:
            return []
        if len(text) <= self.config.chunk_size:  # the common case; skips the splitter's work
            return [text]
        return [c for c in self._splitter.split_text(text) if c.strip()]

    def product(self, p: Product) -> list[Passage]:
        return [
            Passage(key=f"product:{p.id}#{n}", text=chunk, source="description", owner_id=p.id,
                    owner_kind="product", doc_id=p.id)
            for n, chunk in enumerate(self.split(p.description))
        ]

    def brand(self, b: Brand) -> list[Passage]:
        return [
            Passage(key=f"brand:{b.id}#{n}", text=chunk, source="description", owner_id=b.id,
                    owner_kind="brand", doc_id=b.id)
            for n, chunk in enumerate(self.split(b.description))
        ]

    def policy(self, p: Policy) -> list[Passage]:
        return [
            Passage(key=f"policy:{p.id}@v{p.version}#{n}", text=f"{p.title}\n{chunk}", source="policy",
                    owner_id=p.id, owner_kind="policy", doc_id=p.id, doc_version=p.version)
            for n, chunk in enumerate(self.split(p.body))
        ]

    def faq(self, f: FAQ) -> list[Passage]:
        return [
            Passage(key=f"faq:{f.id}#{n}", text=chunk, source="faq", owner_id=f.id, owner_kind="faq",
                    doc_id=f.id)
            for n, chunk in enumerate(self.split(f"Q: {f.question}\nA: {f.answer}"))
        ]
