"""The FAISS vector index on its own: real FAISS, random unit vectors (no model needed here;
tests/test_sync.py covers the index built from real embeddings)."""

from __future__ import annotations

import numpy as np
import pytest

from rag.vector_index import (
    IndexConfig,
    IndexWriter,
    PassageRecord,
    VectorIndex,
    VidCollision,
    passage_vid,
    text_hash,
)

DIM = 32


def _records(n: int, owners: int = 10, start: int = 0) -> list[PassageRecord]:
    return [
        PassageRecord(
            vid=passage_vid(f"k{i}"), key=f"k{i}", text=f"text {i}", source="review", owner_id=f"o{i % owners}",
            owner_kind="product", doc_id=f"o{i % owners}", aliases=[f"alias{i}"], hash=f"h{i}",
            text_hash=text_hash(f"text {i}"), origin="catalog",
        )
        for i in range(start, start + n)
    ]


def _vectors(n: int, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(n, DIM)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _build(tmp_path, kind: str, n: int = 400, version: int = 1, previous=None, name="v1"):
    w = IndexWriter(tmp_path / f".staging-{name}", model="test-model", dimension=DIM,
                    config=IndexConfig(kind=kind), previous=previous)
    w.upsert(_records(n), _vectors(n))
    w.set_items({("product", "o1"): "abc"})
    w.finish(version, tmp_path / name)
    return VectorIndex.open(tmp_path / name, verify=True)


def test_vid_is_stable_and_63_bit():
    assert passage_vid("epqa:140") == passage_vid("epqa:140")
    assert passage_vid("epqa:140") != passage_vid("epqa:141")
    assert all(0 <= passage_vid(f"k{i}") < 2**63 for i in range(1000))


@pytest.mark.parametrize("kind", ["flat", "ivf", "hnsw"])
def test_search_remove_and_filter(tmp_path, kind):
    index = _build(tmp_path, kind)
    vecs = _vectors(400)
    m = index.manifest
    assert (m.index_kind, m.count, m.dimension, m.model, m.version) == (kind, 400, DIM, "test-model", 1)
    assert index.verify()
    hits = index.search(vecs[:3], k=5)
    assert [h[0].key for h in hits] == ["k0", "k1", "k2"]
    assert hits[0][0].score == pytest.approx(1.0, abs=1e-4)

    # Filtered: only owner o3's passages, scored exactly.
    filtered = index.search(vecs[13], k=100, owner_ids=["o3"])[0]
    assert {h.key for h in filtered} == {f"k{i}" for i in range(3, 400, 10)}
    assert filtered[0].key == "k13"
    assert [h.score for h in filtered] == sorted((h.score for h in filtered), reverse=True)

    # The next version: remove two, replace one, add one; the old version is untouched.
    w = IndexWriter(tmp_path / ".staging-v2", model="test-model", dimension=DIM,
                    config=IndexConfig(kind=kind), previous=index)
    assert w.remove(["k3", "k4"]) == [passage_vid("k3"), passage_vid("k4")]
    new = _records(1, start=1000)
    w.upsert(_records(1, start=5) + new, _vectors(2, seed=9))
    w.finish(2, tmp_path / "v2")
    v2 = VectorIndex.open(tmp_path / "v2", verify=True)
    assert v2.ntotal == v2.count_passages() == 399
    assert np.array_equal(v2.vids(), v2.meta_vids())
    assert v2.get_by_key(["k3", "alias4"]) == []
    assert v2.search(_vectors(2, seed=9)[1], k=1)[0][0].key == "k1000"
    assert index.ntotal == 400 and index.get_by_key(["k3"])[0].key == "k3"


def test_records_aliases_items_and_iteration(tmp_path):
    index = _build(tmp_path, "flat", n=50)
    rec = index.get_by_key(["alias7"])[0]
    assert (rec.key, rec.owner_id, rec.text, rec.aliases) == ("k7", "o7", "text 7", ["alias7"])
    assert [r.key for r in index.get([passage_vid("k2"), passage_vid("k1")])] == ["k2", "k1"]
    keys = [r.key for r in index.iter_passages(batch_size=7)]
    assert sorted(keys) == sorted(f"k{i}" for i in range(50)) and len(keys) == 50
    assert index.item_hashes() == {("product", "o1"): "abc"}
    assert np.allclose(index.vectors([passage_vid("k5")]), _vectors(50)[5:6], atol=1e-6)


def test_auto_kind_switches_to_ivf_above_threshold(tmp_path):
    w = IndexWriter(tmp_path / ".s", model="m", dimension=DIM, config=IndexConfig(kind="auto", exact_max_vectors=100))
    w.upsert(_records(300), _vectors(300))
    assert w.finish(1, tmp_path / "v1").index_kind == "ivf"


def test_vid_collision_and_duplicate_alias_are_rejected(tmp_path):
    w = IndexWriter(tmp_path / ".s", model="m", dimension=DIM)
    rec = _records(1)[0]
    w.upsert([rec], _vectors(1))
    clash = PassageRecord(**{**rec.__dict__, "key": "another-key", "aliases": []})
    with pytest.raises(VidCollision):
        w.upsert([clash], _vectors(1))
    dup_alias = PassageRecord(**{**_records(1, start=1)[0].__dict__, "aliases": ["alias0"]})
    with pytest.raises(ValueError, match="alias"):
        w.upsert([dup_alias], _vectors(1))
    w.abort()
    assert not (tmp_path / ".s").exists()


def test_checksum_detects_a_damaged_file(tmp_path):
    index = _build(tmp_path, "flat", n=20)
    index.close()
    with open(tmp_path / "v1" / "index.faiss", "r+b") as f:
        f.seek(-8, 2)
        f.write(b"\x00" * 8)
    with pytest.raises(ValueError, match="checksum"):
        VectorIndex.open(tmp_path / "v1", verify=True)
