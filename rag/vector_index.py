"""The FAISS vector index over passages, one immutable directory per published version.

Why versions: ingestion builds the next index beside the one being served and makes it
visible with one pointer swap (`ingest/publish.py`), so readers never see a half-written index.

A version directory holds
  manifest.json  model, dimension, count, index kind, checksums, version
  index.faiss    FAISS index over L2-normalized float32 vectors, inner product (= cosine),
                 addressed by stable int64 ids (`passage_vid(key)`)
  meta.sqlite    passages (vid -> key, text, source, owner, doc id/version, aliases, hashes),
                 aliases (other stable ids stored under one passage) and `items`
                 (content hashes of every ingested catalog item, used by `ingest/sync.py`)

Reading (retrieval, evaluation, BM25)::

    index = VectorIndex.open(version_dir)            # read-only, cheap to open
    hits = index.search(query_vectors, k=10)         # list (per query) of Hit(vid, key, score)
    hits = index.search(q, k=5, owner_ids=["p1"])    # exact scoring over those owners' passages
    recs = index.get([hit.vid for hit in hits[0]])   # PassageRecord by vid, in the given order
    recs = index.get_by_key(["epqa:140"])            # by key or alias (e.g. a snippet id)
    for rec in index.iter_passages(): ...            # every passage, ordered by vid
    index.manifest                                   # IndexManifest
    index.vectors(vids)                              # stored vectors (n, dim)

Writing is `IndexWriter` (used by ingestion only): it starts from a previous version (copying its
metadata, loading its FAISS index), applies removals and upserts, and `finish()` writes a new
directory atomically (temporary name, fsync, rename).

Index kind: `flat` = exact `IndexIDMap2(IndexFlatIP)`; `ivf` = `IndexIVFFlat` (inner product,
`remove_ids` and `reconstruct` via a hashtable direct map); `hnsw` = `IndexIDMap2(IndexHNSWFlat)`
(rebuilt from the stored vectors when anything is removed, as HNSW cannot delete). `auto` picks
flat up to `exact_max_vectors` vectors, IVF above.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import sqlite3
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import faiss
import numpy as np

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
INDEX_FILE = "index.faiss"
META_FILE = "meta.sqlite"
_VID_MASK = (1 << 63) - 1
_SQL_CHUNK = 900  # stay under SQLite's bound-parameter limit


def passage_vid(key: str) -> int:
    """Stable non-negative int64 vector id of a passage key (63 bits of blake2b)."""
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") & _VID_MASK


def text_hash(text: str) -> str:
    """Hash of the embedded text: equal texts share one embedding (no re-encoding)."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


class VidCollision(RuntimeError):
    """Two different passage keys hashed to the same vector id."""


@dataclass(frozen=True)
class IndexConfig:
    """How the index is built (from `IndexSettings`; plain values so library code has no settings)."""

    kind: str = "auto"  # auto | flat | ivf | hnsw
    exact_max_vectors: int = 200_000
    ivf_nprobe: int = 32
    hnsw_m: int = 32
    hnsw_ef_search: int = 128

    def resolve(self, count: int) -> str:
        if self.kind != "auto":
            return self.kind
        return "flat" if count <= self.exact_max_vectors else "ivf"


@dataclass
class IndexManifest:
    version: int
    model: str
    dimension: int
    count: int
    index_kind: str
    checksum: str  # sha256 of index.faiss
    meta_checksum: str  # sha256 of meta.sqlite
    created_at: str
    format: int = FORMAT_VERSION
    nprobe: int = 32
    ef_search: int = 128

    @classmethod
    def load(cls, directory: Path) -> "IndexManifest":
        data = json.loads((directory / MANIFEST).read_text("utf-8"))
        return cls(**data)


@dataclass
class Hit:
    vid: int
    key: str
    score: float


@dataclass
class PassageRecord:
    """One stored passage and its graph owner. `origin` is 'derived' (chunked by ingestion
    from a product/policy/FAQ/brand text) or 'catalog' (a passage the catalog supplied)."""

    vid: int
    key: str
    text: str
    source: str
    owner_id: str
    owner_kind: str
    doc_id: str | None = None
    doc_version: int | None = None
    aliases: list[str] = field(default_factory=list)
    hash: str = ""
    text_hash: str = ""
    origin: str = "derived"


_SCHEMA = """
CREATE TABLE IF NOT EXISTS passages (
  vid INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, text TEXT NOT NULL, source TEXT NOT NULL,
  owner_id TEXT NOT NULL, owner_kind TEXT NOT NULL, doc_id TEXT, doc_version INTEGER,
  aliases TEXT NOT NULL DEFAULT '[]', hash TEXT NOT NULL, text_hash TEXT NOT NULL,
  origin TEXT NOT NULL DEFAULT 'derived');
CREATE INDEX IF NOT EXISTS passages_owner ON passages(owner_id, owner_kind);
CREATE INDEX IF NOT EXISTS passages_text_hash ON passages(text_hash);
CREATE TABLE IF NOT EXISTS aliases (alias TEXT PRIMARY KEY, vid INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS aliases_vid ON aliases(vid);
CREATE TABLE IF NOT EXISTS items (kind TEXT NOT NULL, id TEXT NOT NULL, hash TEXT NOT NULL,
  PRIMARY KEY (kind, id)) WITHOUT ROWID;
"""

_COLUMNS = (
    "vid, key, text, source, owner_id, owner_kind, doc_id, doc_version, aliases, hash, "
    "text_hash, origin"
)


def _record(row: tuple) -> PassageRecord:
    return PassageRecord(
        vid=row[0], key=row[1], text=row[2], source=row[3], owner_id=row[4], owner_kind=row[5],
        doc_id=row[6], doc_version=row[7], aliases=json.loads(row[8]), hash=row[9],
        text_hash=row[10], origin=row[11],
    )


def _chunks(seq: Sequence, n: int = _SQL_CHUNK) -> Iterator[Sequence]:
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _set_search_params(index: faiss.Index, manifest: IndexManifest) -> None:
    inner = faiss.downcast_index(index.index) if isinstance(index, faiss.IndexIDMap2) else index
    if isinstance(inner, faiss.IndexIVF):
        inner.nprobe = manifest.nprobe
    elif isinstance(inner, faiss.IndexHNSW):
        inner.hnsw.efSearch = manifest.ef_search


def _all_ids(index: faiss.Index) -> np.ndarray:
    if isinstance(index, faiss.IndexIDMap2) or isinstance(index, faiss.IndexIDMap):
        return faiss.vector_to_array(index.id_map).astype(np.int64)
    if isinstance(index, faiss.IndexIVF):
        invlists = index.invlists
        parts = []
        for lst in range(index.nlist):
            size = invlists.list_size(lst)
            if size:
                ids = faiss.rev_swig_ptr(invlists.get_ids(lst), size).copy()
                parts.append(ids)
        return np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, np.int64)
    raise TypeError(f"unsupported index type {type(index).__name__}")


def _reconstruct(index: faiss.Index, vids: np.ndarray) -> np.ndarray:
    if len(vids) == 0:
        return np.zeros((0, index.d), dtype=np.float32)
    return index.reconstruct_batch(np.ascontiguousarray(vids, dtype=np.int64))


class VectorIndex:
    """A published index version, opened read-only. Safe to share between threads for reads."""

    def __init__(self, directory: Path, index: faiss.Index, manifest: IndexManifest):
        self.directory = directory
        self.manifest = manifest
        self._index = index
        uri = f"file:{directory / META_FILE}?mode=ro&immutable=1"
        self._db = sqlite3.connect(uri, uri=True, check_same_thread=False)

    @classmethod
    def open(cls, directory: str | Path, verify: bool = False) -> "VectorIndex":
        directory = Path(directory)
        if not (directory / MANIFEST).exists():
            raise FileNotFoundError(f"no index manifest in {directory}")
        manifest = IndexManifest.load(directory)
        if verify and _sha256_file(directory / INDEX_FILE) != manifest.checksum:
            raise ValueError(f"index checksum mismatch in {directory}")
        index = faiss.read_index(str(directory / INDEX_FILE))
        _set_search_params(index, manifest)
        return cls(directory, index, manifest)

    # -- sizes and checks ---------------------------------------------------------------------
    @property
    def ntotal(self) -> int:
        return int(self._index.ntotal)

    def __len__(self) -> int:
        return self.ntotal

    def count_passages(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM passages").fetchone()[0])

    def vids(self) -> np.ndarray:
        """All vector ids held by FAISS (sorted)."""
        return np.sort(_all_ids(self._index))

    def meta_vids(self) -> np.ndarray:
        rows = self._db.execute("SELECT vid FROM passages ORDER BY vid").fetchall()
        return np.array([r[0] for r in rows], dtype=np.int64)

    def verify(self) -> bool:
        """Checksums match the manifest (reads both files)."""
        return (
            _sha256_file(self.directory / INDEX_FILE) == self.manifest.checksum
            and _sha256_file(self.directory / META_FILE) == self.manifest.meta_checksum
        )

    # -- search --------------------------------------------------------------------------------
    def search(
        self, query_vectors: np.ndarray, k: int = 10, owner_ids: Iterable[str] | None = None
    ) -> list[list[Hit]]:
        """Top-k passages per query by cosine. With `owner_ids`, only those owners' passages are
        scored, exactly (their vectors are reconstructed and dotted), whatever the index kind."""
        q = np.ascontiguousarray(np.atleast_2d(query_vectors), dtype=np.float32)
        if self.ntotal == 0 or k <= 0:
            return [[] for _ in range(len(q))]
        if owner_ids is not None:
            return self._search_owners(q, k, list(owner_ids))
        scores, ids = self._index.search(q, min(k, self.ntotal))
        keys = self._keys({int(v) for v in ids.ravel() if v >= 0})
        return [
            [Hit(int(v), keys[int(v)], float(s)) for v, s in zip(row_ids, row_scores) if v >= 0]
            for row_ids, row_scores in zip(ids, scores)
        ]

    def _search_owners(self, q: np.ndarray, k: int, owner_ids: list[str]) -> list[list[Hit]]:
        pairs: list[tuple[int, str]] = []
        for part in _chunks(owner_ids):
            marks = ",".join("?" * len(part))
            pairs += self._db.execute(
                f"SELECT vid, key FROM passages WHERE owner_id IN ({marks})", list(part)
            ).fetchall()
        if not pairs:
            return [[] for _ in range(len(q))]
        vids = np.array([p[0] for p in pairs], dtype=np.int64)
        scores = q @ _reconstruct(self._index, vids).T
        top = min(k, len(vids))
        out = []
        for row in scores:
            best = np.argpartition(-row, top - 1)[:top]
            best = best[np.argsort(-row[best], kind="stable")]
            out.append([Hit(int(vids[i]), pairs[i][1], float(row[i])) for i in best])
        return out

    def vectors(self, vids: Sequence[int]) -> np.ndarray:
        return _reconstruct(self._index, np.asarray(vids, dtype=np.int64))

    # -- metadata -------------------------------------------------------------------------------
    def _keys(self, vids: set[int]) -> dict[int, str]:
        out: dict[int, str] = {}
        vl = list(vids)
        for part in _chunks(vl):
            marks = ",".join("?" * len(part))
            out.update(self._db.execute(f"SELECT vid, key FROM passages WHERE vid IN ({marks})", list(part)))
        return out

    def get(self, vids: Sequence[int]) -> list[PassageRecord]:
        """Records for these vids, in the given order (unknown vids are left out)."""
        found: dict[int, PassageRecord] = {}
        vl = [int(v) for v in vids]
        for part in _chunks(vl):
            marks = ",".join("?" * len(part))
            for row in self._db.execute(f"SELECT {_COLUMNS} FROM passages WHERE vid IN ({marks})", list(part)):
                found[row[0]] = _record(row)
        return [found[v] for v in vl if v in found]

    def get_by_key(self, keys: Sequence[str]) -> list[PassageRecord]:
        """Records by passage key or alias (e.g. an ePQA snippet id), in the given order."""
        kl = list(keys)
        vid_of: dict[str, int] = {}
        for part in _chunks(kl):
            marks = ",".join("?" * len(part))
            vid_of.update(self._db.execute(f"SELECT key, vid FROM passages WHERE key IN ({marks})", list(part)))
            vid_of.update(self._db.execute(f"SELECT alias, vid FROM aliases WHERE alias IN ({marks})", list(part)))
        recs = {r.vid: r for r in self.get(list({vid_of[k] for k in kl if k in vid_of}))}
        return [recs[vid_of[k]] for k in kl if k in vid_of and vid_of[k] in recs]

    def iter_passages(self, batch_size: int = 2000) -> Iterator[PassageRecord]:
        """Every passage ordered by vid (e.g. to build a BM25 index beside the dense one)."""
        last = -1
        while True:
            rows = self._db.execute(
                f"SELECT {_COLUMNS} FROM passages WHERE vid > ? ORDER BY vid LIMIT ?", (last, batch_size)
            ).fetchall()
            if not rows:
                return
            for row in rows:
                yield _record(row)
            last = rows[-1][0]

    def owner_passages(self, owner_id: str, origin: str | None = None) -> list[PassageRecord]:
        sql = f"SELECT {_COLUMNS} FROM passages WHERE owner_id = ?"
        args: list = [owner_id]
        if origin:
            sql += " AND origin = ?"
            args.append(origin)
        return [_record(r) for r in self._db.execute(sql, args)]

    def count_items(self, kind: str) -> int:
        return int(self._db.execute("SELECT count(*) FROM items WHERE kind = ?", (kind,)).fetchone()[0])

    def item_hashes(self) -> dict[tuple[str, str], str]:
        """Content hash of every catalog item ingested into this version, by (kind, id)."""
        return {(k, i): h for k, i, h in self._db.execute("SELECT kind, id, hash FROM items")}

    def close(self) -> None:
        self._db.close()


class IndexWriter:
    """Builds the next version from the previous one. Not thread-safe; one writer at a time
    (ingestion holds the data dir's writer lock)."""

    def __init__(
        self,
        staging_dir: Path,
        *,
        model: str,
        dimension: int,
        config: IndexConfig = IndexConfig(),
        previous: VectorIndex | None = None,
    ):
        self.dir = Path(staging_dir)
        self.dir.mkdir(parents=True, exist_ok=False)
        self.model, self.dimension, self.config = model, dimension, config
        if previous is not None:
            if previous.manifest.dimension != dimension or previous.manifest.model != model:
                previous = None  # a different model: everything is re-embedded into a fresh index
        if previous is not None:
            shutil.copyfile(previous.directory / META_FILE, self.dir / META_FILE)
            self._index = faiss.read_index(str(previous.directory / INDEX_FILE))
        else:
            self._index = None
        self.db = sqlite3.connect(self.dir / META_FILE)
        self.db.executescript(_SCHEMA)
        self.db.execute("PRAGMA journal_mode=OFF")
        self.db.execute("PRAGMA synchronous=OFF")
        self._pending_vids: list[np.ndarray] = []
        self._pending_vecs: list[np.ndarray] = []
        self._removed: set[int] = set()

    # -- lookups against what the writer holds now -------------------------------------------------
    @property
    def has_vectors(self) -> bool:
        return self._index is not None and self._index.ntotal > 0

    def existing_vector_for_text(self, text_hashes: Sequence[str]) -> dict[str, int]:
        """text_hash -> a vid already holding that text (its vector can be reused)."""
        out: dict[str, int] = {}
        th = list(set(text_hashes))
        for part in _chunks(th):
            marks = ",".join("?" * len(part))
            for h, vid in self.db.execute(
                f"SELECT text_hash, min(vid) FROM passages WHERE text_hash IN ({marks}) GROUP BY text_hash",
                list(part),
            ):
                if vid not in self._removed:
                    out[h] = vid
        return out

    def reconstruct(self, vids: Sequence[int]) -> np.ndarray:
        if self._index is None:
            raise KeyError("no previous index to reuse vectors from")
        return _reconstruct(self._index, np.asarray(vids, dtype=np.int64))

    def owner_passages(self, owner_id: str, owner_kind: str, origin: str) -> dict[str, str]:
        """key -> hash of the passages an owner holds now."""
        return dict(
            self.db.execute(
                "SELECT key, hash FROM passages WHERE owner_id=? AND owner_kind=? AND origin=?",
                (owner_id, owner_kind, origin),
            )
        )

    def passage_hashes(self, keys: Sequence[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        kl = list(keys)
        for part in _chunks(kl):
            marks = ",".join("?" * len(part))
            out.update(self.db.execute(f"SELECT key, hash FROM passages WHERE key IN ({marks})", list(part)))
        return out

    # -- changes ---------------------------------------------------------------------------------
    def remove(self, keys: Sequence[str]) -> list[int]:
        """Delete passages by key; returns their vids."""
        vids: list[int] = []
        for part in _chunks(list(keys)):
            marks = ",".join("?" * len(part))
            vids += [r[0] for r in self.db.execute(f"SELECT vid FROM passages WHERE key IN ({marks})", list(part))]
        for part in _chunks(vids):
            marks = ",".join("?" * len(part))
            self.db.execute(f"DELETE FROM passages WHERE vid IN ({marks})", list(part))
            self.db.execute(f"DELETE FROM aliases WHERE vid IN ({marks})", list(part))
        if vids and self._index is not None:
            arr = np.array(vids, dtype=np.int64)
            if self._is_hnsw(self._index):
                self._rebuild_without(arr)
            else:
                self._index.remove_ids(arr)
        self._removed.update(vids)
        return vids

    def upsert(self, records: Sequence[PassageRecord], vectors: np.ndarray) -> None:
        """Insert or replace passages (by key) with their vectors."""
        if len(records) != len(vectors):
            raise ValueError("records and vectors differ in length")
        if not records:
            return
        replaced = self.passage_hashes([r.key for r in records])
        if replaced:
            self.remove(list(replaced))
        vids = np.array([r.vid for r in records], dtype=np.int64)
        for part in _chunks(vids.tolist()):
            marks = ",".join("?" * len(part))
            clash = self.db.execute(f"SELECT vid, key FROM passages WHERE vid IN ({marks})", list(part)).fetchall()
            if clash:
                raise VidCollision(f"vector id {clash[0][0]} already holds passage {clash[0][1]!r}")
        if len(set(vids.tolist())) != len(vids):
            raise VidCollision("two passages in one batch share a vector id (or a key)")
        self.db.executemany(
            f"INSERT INTO passages ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                (r.vid, r.key, r.text, r.source, r.owner_id, r.owner_kind, r.doc_id, r.doc_version,
                 json.dumps(r.aliases), r.hash, r.text_hash, r.origin)
                for r in records
            ],
        )
        try:
            self.db.executemany(
                "INSERT INTO aliases (alias, vid) VALUES (?, ?)",
                [(a, r.vid) for r in records for a in r.aliases if a != r.key],
            )
        except sqlite3.IntegrityError as exc:
            raise ValueError(f"an alias is claimed by two passages: {exc}") from exc
        self._pending_vids.append(vids)
        self._pending_vecs.append(np.ascontiguousarray(vectors, dtype=np.float32))

    def set_items(self, items: dict[tuple[str, str], str], removed: Iterable[tuple[str, str]] = ()) -> None:
        self.db.executemany("INSERT OR REPLACE INTO items (kind, id, hash) VALUES (?,?,?)",
                            [(k, i, h) for (k, i), h in items.items()])
        self.db.executemany("DELETE FROM items WHERE kind=? AND id=?", list(removed))

    # -- index building --------------------------------------------------------------------------
    @staticmethod
    def _is_hnsw(index: faiss.Index) -> bool:
        inner = faiss.downcast_index(index.index) if isinstance(index, faiss.IndexIDMap2) else index
        return isinstance(inner, faiss.IndexHNSW)

    @staticmethod
    def _kind_of(index: faiss.Index) -> str:
        if isinstance(index, faiss.IndexIVF):
            return "ivf"
        return "hnsw" if IndexWriter._is_hnsw(index) else "flat"

    def _rebuild_without(self, drop: np.ndarray) -> None:
        ids = _all_ids(self._index)
        keep = ids[~np.isin(ids, drop)]
        vecs = _reconstruct(self._index, keep)
        self._index = self._new_index("hnsw", vecs)
        if len(keep):
            self._index.add_with_ids(vecs, keep)

    def _new_index(self, kind: str, train: np.ndarray) -> faiss.Index:
        d = self.dimension
        if kind == "flat":
            return faiss.IndexIDMap2(faiss.IndexFlatIP(d))
        if kind == "hnsw":
            return faiss.IndexIDMap2(faiss.IndexHNSWFlat(d, self.config.hnsw_m, faiss.METRIC_INNER_PRODUCT))
        if kind == "ivf":
            n = len(train)
            nlist = int(max(1, min(4 * math.sqrt(max(n, 1)), n // 39 if n >= 39 else 1, 65536)))
            quantizer = faiss.IndexFlatIP(d)
            index = faiss.IndexIVFFlat(quantizer, d, nlist, faiss.METRIC_INNER_PRODUCT)
            if n:
                rng = np.random.default_rng(0)
                sample = train if n <= 64 * nlist else train[rng.choice(n, 64 * nlist, replace=False)]
                index.train(np.ascontiguousarray(sample))
            index.set_direct_map_type(faiss.DirectMap.Hashtable)
            return index
        raise ValueError(f"unknown index kind {kind!r}")

    def finish(self, version: int, final_dir: Path) -> IndexManifest:
        """Write index + manifest, fsync, and rename the staging dir to `final_dir`."""
        new_vids = np.concatenate(self._pending_vids) if self._pending_vids else np.zeros(0, np.int64)
        new_vecs = (
            np.concatenate(self._pending_vecs) if self._pending_vecs else np.zeros((0, self.dimension), np.float32)
        )
        count = (self._index.ntotal if self._index is not None else 0) + len(new_vids)
        kind = self.config.resolve(count)
        if self._index is None or self._kind_of(self._index) != kind:
            old_ids = _all_ids(self._index) if self._index is not None else np.zeros(0, np.int64)
            old_vecs = _reconstruct(self._index, old_ids) if self._index is not None else new_vecs[:0]
            all_ids = np.concatenate([old_ids, new_vids])
            all_vecs = np.concatenate([old_vecs, new_vecs]) if len(all_ids) else new_vecs
            self._index = self._new_index(kind, all_vecs)
            if len(all_ids):
                self._index.add_with_ids(all_vecs, all_ids)
        elif len(new_vids):
            self._index.add_with_ids(new_vecs, new_vids)
        meta_count = self.db.execute("SELECT count(*) FROM passages").fetchone()[0]
        if meta_count != self._index.ntotal:
            raise RuntimeError(f"index holds {self._index.ntotal} vectors but metadata {meta_count} passages")
        self.db.commit()
        if self._removed:
            self.db.execute("VACUUM")  # give deleted rows' pages back; the copy grows otherwise
        self.db.close()
        faiss.write_index(self._index, str(self.dir / INDEX_FILE))
        manifest = IndexManifest(
            version=version, model=self.model, dimension=self.dimension, count=int(self._index.ntotal),
            index_kind=kind, checksum=_sha256_file(self.dir / INDEX_FILE),
            meta_checksum=_sha256_file(self.dir / META_FILE),
            created_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            nprobe=self.config.ivf_nprobe, ef_search=self.config.hnsw_ef_search,
        )
        tmp = self.dir / (MANIFEST + ".tmp")
        tmp.write_text(json.dumps(asdict(manifest), indent=2), "utf-8")
        os.replace(tmp, self.dir / MANIFEST)
        for name in (INDEX_FILE, META_FILE, MANIFEST):
            with open(self.dir / name, "rb") as f:
                os.fsync(f.fileno())
        os.replace(self.dir, final_dir)
        fsync_dir(final_dir.parent)
        return manifest

    def abort(self) -> None:
        try:
            self.db.close()
        except sqlite3.Error:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
