"""The ePQA catalog and questions, read from the real shared data (../shared/data)."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from ingest.epqa import epqa_csv, load_epqa, load_epqa_questions, parse_attribute
from ingest.models import Catalog
from ingest.validation import validate_catalog

DATA_DIR = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"


@pytest.fixture(scope="module")
def data_dir() -> Path:
    if not (DATA_DIR / "pqa" / "ePQA" / "dev.csv").is_file():
        pytest.fail(f"ePQA data missing: expected {DATA_DIR / 'pqa/ePQA/dev.csv'} (the shared data folder)")
    return DATA_DIR


@pytest.fixture(scope="module")
def epqa(data_dir) -> Catalog:
    return load_epqa(data_dir)


@pytest.fixture(scope="module")
def rows(data_dir) -> list[dict[str, str]]:
    with (data_dir / "pqa" / "ePQA" / "dev.csv").open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def snippet_ids(c: Catalog) -> list[str]:
    ids = [p.key for p in c.passages] + [a for p in c.passages for a in p.aliases]
    ids += [s for pr in c.products for a in pr.attributes for s in a.source_ids]
    return ids + [o.key for o in c.omitted]


def test_products_and_every_snippet_accounted(epqa, rows):
    assert len(epqa.products) == 888
    titles = {r["ASIN"]: r["title"].strip() for r in rows}
    assert {p.id: p.title for p in epqa.products} == titles
    ids = snippet_ids(epqa)
    assert len(ids) == len(set(ids)) == 9770
    assert set(ids) == {f"epqa:{r['qa_pair_id']}" for r in rows}
    assert validate_catalog(epqa, "<epqa>") == []


def test_sources_map_to_facts_and_passages(epqa, rows):
    by_id = {f"epqa:{r['qa_pair_id']}": r for r in rows}
    for p in epqa.passages:
        for sid in [p.key, *p.aliases]:
            row = by_id[sid]
            assert row["source"] in ("bullet", "description", "review", "cqa")
            assert row["ASIN"] == p.owner_id and " ".join(row["candidate"].split()) == p.text
        assert p.source == by_id[p.key]["source"] and p.owner_kind == "product"
    for product in epqa.products:
        for a in product.attributes:
            for sid in a.source_ids:
                assert by_id[sid]["source"] == "attribute" and by_id[sid]["ASIN"] == product.id
                assert by_id[sid]["candidate"].startswith(a.key + ":")
    sources = Counter(p.source for p in epqa.passages)
    assert set(sources) == {"bullet", "description", "review", "cqa"}
    # identical text within one product is stored once, keeping every id
    assert sum(len(p.aliases) for p in epqa.passages) > 0
    assert sum(len(a.source_ids) - 1 for pr in epqa.products for a in pr.attributes) > 0
    # the one empty snippet is listed, not dropped
    assert [(o.key, o.owner_id) for o in epqa.omitted] == [("epqa:77036", "B008JNPBYK")]


def test_attribute_parsing():
    assert parse_attribute('color:  { standardized_values:[ "blue" ], value:"blue" }') == ("color", ["blue"], None)
    assert parse_attribute("item_weight:  { unit:kilograms, normalized_value:{ unit:pounds, value:0.04 }, "
                           "value:0.02 }") == ("item_weight", ["0.02"], "kilograms")
    assert parse_attribute("unit_count:  { type:{ value:\"count\" }, value:1. }") == ("unit_count", ["1"], None)
    assert parse_attribute("street_date:  { value:2011-10-03t00:00:01z }") == ("street_date", ["2011-10-03t00:00:01z"], None)
    assert parse_attribute('size:  { value:"9|" x 16.3|"" }') == ("size", ['9" x 16.3"'], None)
    assert parse_attribute("language:  { type:published, value:english }; { type:unknown, value:english }") == (
        "language", ["english"], None)
    key, values, unit = parse_attribute(
        "item_dimensions:  { width:{ unit:inches, normalized_value:{ unit:inches, value:3.2 }, value:3.2 }, "
        "length:{ unit:inches, value:6.1 } }")
    assert (key, values, unit) == ("item_dimensions", ["width: 3.2 inches; length: 6.1 inches"], None)
    # text the parser does not understand is kept whole rather than lost
    assert parse_attribute('directions:  { value:"the "zoomed" lamp" }') == (
        "directions", ['{ value:"the "zoomed" lamp" }'], None)


def test_questions(data_dir, epqa):
    questions = load_epqa_questions(data_dir)
    assert len(questions) == 977
    assert all(len(q.candidates) == 10 for q in questions)
    assert sum(q.answerable for q in questions) == 805
    known = set(snippet_ids(epqa))
    products = {p.id for p in epqa.products}
    for q in questions:
        assert q.asin in products and q.question
        assert all(c.snippet_id in known for c in q.candidates)
        assert all(c.label in (0, 1, 2) for c in q.candidates)
        assert (q.answers != []) == q.answerable
        assert set(q.relevant_ids) == {c.snippet_id for c in q.candidates if c.label == 2}
    first = questions[0]
    assert first.qid == "18" and first.asin == "B00545ATZW"
    assert first.candidates[0].snippet_id == "epqa:140"
    assert "The drawer will fit if your frig calls for the 240337103 crisper drawer." in first.answers


def test_missing_data_names_the_path(tmp_path):
    with pytest.raises(FileNotFoundError, match=str(tmp_path / "pqa" / "ePQA" / "dev.csv")):
        load_epqa(tmp_path)
    with pytest.raises(FileNotFoundError, match="train.csv"):
        load_epqa_questions(tmp_path, split="train")
    with pytest.raises(ValueError, match="plain file name"):
        epqa_csv(tmp_path, split="../dev")


def test_bad_file_names_line_and_field(tmp_path):
    folder = tmp_path / "pqa" / "ePQA"
    folder.mkdir(parents=True)
    header = "qid,question,ASIN,candidate,source,qa_pair_id,title,label,answer\n"
    (folder / "dev.csv").write_text(header + "1,q?,B1,text,bullet,7,T,0,\n1,q?,B1,other,bullet,7,T,0,\n",
                                    encoding="utf-8")
    with pytest.raises(ValueError, match=r"dev.csv: line 3: field 'qa_pair_id': '7' repeats line 2"):
        load_epqa(tmp_path)
    (folder / "dev.csv").write_text("qid,question\n1,q?\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"line 1: missing columns \['ASIN'"):
        load_epqa(tmp_path)
    (folder / "dev.csv").write_text(header + "1,q?,B1,text,blog,7,T,0,\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"line 2: field 'source': found 'blog'"):
        load_epqa(tmp_path)
