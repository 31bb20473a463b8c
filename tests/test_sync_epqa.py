"""The real ePQA catalog (../shared/data): every product and every snippet id survives ingestion,
graph and index agree, and a second identical ingest writes nothing. Needs the shared data;
fails with a clear message when it is absent."""

from __future__ import annotations

import csv

import pytest

from ingest import publish
from ingest.epqa import epqa_csv, load_epqa, snippet_id
from ingest.stats import store_stats
from ingest.sync import sync
from kg import cypher as Q
from rag.vector_index import VectorIndex



@pytest.mark.slow
def test_epqa_ingest_keeps_every_product_and_snippet(shared_data, falkordb_store_factory, sync_encoder, tmp_path):
    with open(epqa_csv(shared_data), newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    snippet_ids = {snippet_id(r["qa_pair_id"]) for r in rows}
    asins = {r["ASIN"] for r in rows}
    assert (len(snippet_ids), len(asins)) == (9770, 888)

    store, data_dir = falkordb_store_factory(), tmp_path / "epqa"
    catalog = load_epqa(shared_data)
    report = sync(catalog, store, sync_encoder, data_dir)
    assert report.published and report.embedded <= report.vectors

    stats = store_stats(store, data_dir)
    assert stats["consistent"], stats["problems"]
    assert stats["products"] == 888

    index = VectorIndex.open(publish.read_current(data_dir).index_path(data_dir))
    in_passages = {k for r in index.iter_passages() for k in (r.key, *r.aliases)}
    in_facts = {r["sid"] for r in store.query(Q.SYNC_ATTRIBUTE_SOURCE_IDS)}
    omitted = {o.key for o in catalog.omitted}
    assert index.count_items("omitted") == len(omitted)
    accounted = in_passages | in_facts | omitted
    assert snippet_ids - accounted == set()
    assert accounted - snippet_ids == set()
    assert not (in_passages & in_facts)
    # a snippet id finds its passage through the index's alias lookup
    some = sorted(in_passages)[:50]
    assert len(index.get_by_key(some)) == len(some)

    again = sync(load_epqa(shared_data), store, sync_encoder, data_dir)
    assert (again.published, again.graph_rows_written, again.embedded) == (False, 0, 0)
    assert again.elapsed_s < 30
