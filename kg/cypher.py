"""Every Cypher statement shopgraph sends, as module-level string constants.

Rules for this module (checked by tests/test_cypher_lint.py, which lints every `str` constant
here with Neo4j's own linter and runs them all on a real FalkorDB):
- parameterized only (`$name`); never build a statement from user text;
- the openCypher subset that Neo4j 5 and FalkorDB share (no APOC, no CALL subqueries, no
  `EXISTS {}`, no dynamic labels); only schema DDL differs and lives in `kg/dialect.py`;
- batched writes take `$rows` (a list of maps) and start with `UNWIND $rows AS row`, so
  `GraphTransaction.write_rows` can send them in batches; every upsert is a MERGE on the key,
  so running it twice changes nothing;
- helpers that need a statement append it at the end in a commented section of their own.

The graph model (labels, keys, relationships) is documented in `kg/store.py`. Row shapes are
given above each statement; a `None` value removes the property (both servers treat
`SET n.x = null` as removal).
"""

from __future__ import annotations

# =============================================================================================
# Upserts (write_rows; `UNWIND $rows AS row`)
# =============================================================================================

# rows: {id, name, description, hash}
UPSERT_BRANDS = """
UNWIND $rows AS row
MERGE (b:Brand {id: row.id})
SET b.name = row.name, b.description = row.description, b.hash = row.hash
"""

# rows: {id, name, aliases, hash}
UPSERT_CATEGORIES = """
UNWIND $rows AS row
MERGE (c:Category {id: row.id})
SET c.name = row.name, c.aliases = row.aliases, c.hash = row.hash
"""

# rows: {id, parent} (parent may be None = a root). Replaces the category's parent edge.
# Run after UPSERT_CATEGORIES for all categories of the batch (parents must exist).
LINK_CATEGORY_PARENTS = """
UNWIND $rows AS row
MATCH (c:Category {id: row.id})
OPTIONAL MATCH (c)-[old:SUBCATEGORY_OF]->(prev:Category)
WHERE row.parent IS NULL OR prev.id <> row.parent
DELETE old
WITH DISTINCT c, row
MATCH (parent:Category {id: row.parent})
MERGE (c)-[:SUBCATEGORY_OF]->(parent)
"""

# rows: {id, title, description, sku, price, currency, availability, hash}
UPSERT_PRODUCTS = """
UNWIND $rows AS row
MERGE (p:Product {id: row.id})
SET p.title = row.title, p.description = row.description, p.sku = row.sku,
    p.price = row.price, p.currency = row.currency, p.availability = row.availability,
    p.hash = row.hash
"""

# rows: {id, brand} (brand id or None). Replaces the product's MADE_BY edge.
LINK_PRODUCT_BRANDS = """
UNWIND $rows AS row
MATCH (p:Product {id: row.id})
OPTIONAL MATCH (p)-[old:MADE_BY]->(prev:Brand)
WHERE row.brand IS NULL OR prev.id <> row.brand
DELETE old
WITH DISTINCT p, row
MATCH (b:Brand {id: row.brand})
MERGE (p)-[:MADE_BY]->(b)
"""

# rows: {id, category} (leaf category id or None). Replaces the product's IN_CATEGORY edge.
LINK_PRODUCT_CATEGORIES = """
UNWIND $rows AS row
MATCH (p:Product {id: row.id})
OPTIONAL MATCH (p)-[old:IN_CATEGORY]->(prev:Category)
WHERE row.category IS NULL OR prev.id <> row.category
DELETE old
WITH DISTINCT p, row
MATCH (c:Category {id: row.category})
MERGE (p)-[:IN_CATEGORY]->(c)
"""

# rows: {product_id, id: "<product>#attr:<key>", key, value, unit, text}
# A changed product: DELETE_ATTRIBUTES_OF_PRODUCTS first, then this (keys may have gone).
UPSERT_ATTRIBUTES = """
UNWIND $rows AS row
MATCH (p:Product {id: row.product_id})
MERGE (a:Attribute {id: row.id})
SET a.key = row.key, a.value = row.value, a.unit = row.unit, a.text = row.text
MERGE (p)-[:HAS_ATTRIBUTE]->(a)
"""

# rows: {source, target} (product ids). One statement per relationship type, because a type
# cannot be a parameter; see RELATION_UPSERTS. A changed product:
# DELETE_RELATIONS_OF_PRODUCTS first. Run after all products are upserted.
UPSERT_COMPATIBLE_WITH = """
UNWIND $rows AS row
MATCH (a:Product {id: row.source})
MATCH (b:Product {id: row.target})
MERGE (a)-[:COMPATIBLE_WITH]->(b)
"""

UPSERT_ACCESSORY_FOR = """
UNWIND $rows AS row
MATCH (a:Product {id: row.source})
MATCH (b:Product {id: row.target})
MERGE (a)-[:ACCESSORY_FOR]->(b)
"""

UPSERT_VARIANT_OF = """
UNWIND $rows AS row
MATCH (a:Product {id: row.source})
MATCH (b:Product {id: row.target})
MERGE (a)-[:VARIANT_OF]->(b)
"""

# rows: {id, kind, scope, target, title, body, version, effective_date (ISO string or None),
# hash}. Also removes APPLIES_TO edges that no longer match (scope, target); the LINK_POLICIES_*
# statements then add the current one.
UPSERT_POLICIES = """
UNWIND $rows AS row
MERGE (pol:Policy {id: row.id})
SET pol.kind = row.kind, pol.scope = row.scope, pol.target = row.target,
    pol.title = row.title, pol.body = row.body, pol.version = row.version,
    pol.effective_date = row.effective_date, pol.hash = row.hash
WITH pol, row
OPTIONAL MATCH (pol)-[old:APPLIES_TO]->(prev)
WHERE row.scope = 'global' OR prev.id <> row.target
   OR NOT ((row.scope = 'brand' AND prev:Brand)
        OR (row.scope = 'category' AND prev:Category)
        OR (row.scope = 'product' AND prev:Product))
DELETE old
"""

# rows: {id, target}: policies of scope brand / category / product (see POLICY_LINKS).
LINK_POLICIES_TO_BRANDS = """
UNWIND $rows AS row
MATCH (pol:Policy {id: row.id})
MATCH (t:Brand {id: row.target})
MERGE (pol)-[:APPLIES_TO]->(t)
"""

LINK_POLICIES_TO_CATEGORIES = """
UNWIND $rows AS row
MATCH (pol:Policy {id: row.id})
MATCH (t:Category {id: row.target})
MERGE (pol)-[:APPLIES_TO]->(t)
"""

LINK_POLICIES_TO_PRODUCTS = """
UNWIND $rows AS row
MATCH (pol:Policy {id: row.id})
MATCH (t:Product {id: row.target})
MERGE (pol)-[:APPLIES_TO]->(t)
"""

# Policy overrides are derived from the graph, not given by the catalog: after policies (or
# the products/categories they reach) change, run the POLICY_OVERRIDES_REBUILD statements in
# order (no parameters). A narrower policy OVERRIDES a wider one of the same kind whenever
# both can apply to one product: anything over global; a category over its ancestors'; a
# brand over the categories its products are in; a product over its brand's and categories'.
CLEAR_POLICY_OVERRIDES = """
MATCH (:Policy)-[r:OVERRIDES]->(:Policy)
DELETE r
"""

OVERRIDE_GLOBAL_POLICIES = """
MATCH (n:Policy), (w:Policy {scope: 'global'})
WHERE n.scope <> 'global' AND n.kind = w.kind
MERGE (n)-[:OVERRIDES]->(w)
"""

OVERRIDE_ANCESTOR_CATEGORY_POLICIES = """
MATCH (n:Policy {scope: 'category'})-[:APPLIES_TO]->(:Category)-[:SUBCATEGORY_OF*1..]->(:Category)<-[:APPLIES_TO]-(w:Policy {scope: 'category'})
WHERE n.kind = w.kind
WITH DISTINCT n, w
MERGE (n)-[:OVERRIDES]->(w)
"""

OVERRIDE_CATEGORY_POLICIES_BY_BRAND = """
MATCH (n:Policy {scope: 'brand'})-[:APPLIES_TO]->(:Brand)<-[:MADE_BY]-(:Product)-[:IN_CATEGORY]->(:Category)-[:SUBCATEGORY_OF*0..]->(:Category)<-[:APPLIES_TO]-(w:Policy {scope: 'category'})
WHERE n.kind = w.kind
WITH DISTINCT n, w
MERGE (n)-[:OVERRIDES]->(w)
"""

OVERRIDE_BRAND_POLICIES_BY_PRODUCT = """
MATCH (n:Policy {scope: 'product'})-[:APPLIES_TO]->(:Product)-[:MADE_BY]->(:Brand)<-[:APPLIES_TO]-(w:Policy {scope: 'brand'})
WHERE n.kind = w.kind
WITH DISTINCT n, w
MERGE (n)-[:OVERRIDES]->(w)
"""

OVERRIDE_CATEGORY_POLICIES_BY_PRODUCT = """
MATCH (n:Policy {scope: 'product'})-[:APPLIES_TO]->(:Product)-[:IN_CATEGORY]->(:Category)-[:SUBCATEGORY_OF*0..]->(:Category)<-[:APPLIES_TO]-(w:Policy {scope: 'category'})
WHERE n.kind = w.kind
WITH DISTINCT n, w
MERGE (n)-[:OVERRIDES]->(w)
"""

# rows: {id, question, answer, scope, target, hash}. Removes stale ABOUT edges like
# UPSERT_POLICIES; LINK_FAQS_* add the current one.
UPSERT_FAQS = """
UNWIND $rows AS row
MERGE (f:FAQ {id: row.id})
SET f.question = row.question, f.answer = row.answer, f.scope = row.scope,
    f.target = row.target, f.hash = row.hash
WITH f, row
OPTIONAL MATCH (f)-[old:ABOUT]->(prev)
WHERE row.scope = 'global' OR prev.id <> row.target
   OR NOT ((row.scope = 'brand' AND prev:Brand)
        OR (row.scope = 'category' AND prev:Category)
        OR (row.scope = 'product' AND prev:Product))
DELETE old
"""

# rows: {id, target}
LINK_FAQS_TO_BRANDS = """
UNWIND $rows AS row
MATCH (f:FAQ {id: row.id})
MATCH (t:Brand {id: row.target})
MERGE (f)-[:ABOUT]->(t)
"""

LINK_FAQS_TO_CATEGORIES = """
UNWIND $rows AS row
MATCH (f:FAQ {id: row.id})
MATCH (t:Category {id: row.target})
MERGE (f)-[:ABOUT]->(t)
"""

LINK_FAQS_TO_PRODUCTS = """
UNWIND $rows AS row
MATCH (f:FAQ {id: row.id})
MATCH (t:Product {id: row.target})
MERGE (f)-[:ABOUT]->(t)
"""

# rows: {id, vid, text, source, owner_id, owner_kind, doc_id, doc_version, hash, aliases}
# (aliases: list of other stable keys with the same text, may be empty). Removes a PASSAGE_OF
# edge to a previous owner; LINK_PASSAGES_* add the current one (see PASSAGE_LINKS).
UPSERT_PASSAGES = """
UNWIND $rows AS row
MERGE (x:Passage {id: row.id})
SET x.vid = row.vid, x.text = row.text, x.source = row.source, x.owner_id = row.owner_id,
    x.owner_kind = row.owner_kind, x.doc_id = row.doc_id, x.doc_version = row.doc_version,
    x.hash = row.hash, x.aliases = row.aliases
WITH x, row
OPTIONAL MATCH (x)-[old:PASSAGE_OF]->(prev)
WHERE prev.id <> row.owner_id
DELETE old
"""

# rows: {id, owner_id}, one statement per owner label.
LINK_PASSAGES_TO_PRODUCTS = """
UNWIND $rows AS row
MATCH (x:Passage {id: row.id})
MATCH (o:Product {id: row.owner_id})
MERGE (x)-[:PASSAGE_OF]->(o)
"""

LINK_PASSAGES_TO_BRANDS = """
UNWIND $rows AS row
MATCH (x:Passage {id: row.id})
MATCH (o:Brand {id: row.owner_id})
MERGE (x)-[:PASSAGE_OF]->(o)
"""

LINK_PASSAGES_TO_CATEGORIES = """
UNWIND $rows AS row
MATCH (x:Passage {id: row.id})
MATCH (o:Category {id: row.owner_id})
MERGE (x)-[:PASSAGE_OF]->(o)
"""

LINK_PASSAGES_TO_POLICIES = """
UNWIND $rows AS row
MATCH (x:Passage {id: row.id})
MATCH (o:Policy {id: row.owner_id})
MERGE (x)-[:PASSAGE_OF]->(o)
"""

LINK_PASSAGES_TO_FAQS = """
UNWIND $rows AS row
MATCH (x:Passage {id: row.id})
MATCH (o:FAQ {id: row.owner_id})
MERGE (x)-[:PASSAGE_OF]->(o)
"""

LINK_PASSAGES_TO_STORE = """
UNWIND $rows AS row
MATCH (x:Passage {id: row.id})
MATCH (o:Store {id: row.owner_id})
MERGE (x)-[:PASSAGE_OF]->(o)
"""

# params: version (int or str), updated_at (ISO string). The one Store node.
SET_STORE_VERSION = """
MERGE (s:Store {id: 'store'})
SET s.version = $version, s.updated_at = $updated_at
"""

# =============================================================================================
# Deletes (incremental update and prune). All take `$ids` (a list of ids).
# =============================================================================================

# A changed product's attributes, before UPSERT_ATTRIBUTES rewrites them.
DELETE_ATTRIBUTES_OF_PRODUCTS = """
UNWIND $ids AS pid
MATCH (:Product {id: pid})-[:HAS_ATTRIBUTE]->(a:Attribute)
DETACH DELETE a
"""

# A changed product's outgoing product relations, before the UPSERT_<TYPE> statements.
DELETE_RELATIONS_OF_PRODUCTS = """
UNWIND $ids AS pid
MATCH (:Product {id: pid})-[r:COMPATIBLE_WITH|ACCESSORY_FOR|VARIANT_OF]->(:Product)
DELETE r
"""

# Passages owned by these nodes (by owner id, any owner kind); returns their vector ids so
# the caller removes the same vectors from the index.
DELETE_PASSAGES_OF_OWNERS = """
UNWIND $ids AS oid
MATCH (x:Passage {owner_id: oid})
WITH x, x.vid AS vid
DETACH DELETE x
RETURN collect(vid) AS vids
"""

# Passages by their stable id; returns the vector ids removed.
DELETE_PASSAGES = """
UNWIND $ids AS pid
MATCH (x:Passage {id: pid})
WITH x, x.vid AS vid
DETACH DELETE x
RETURN collect(vid) AS vids
"""

# A product with its attribute nodes (delete its passages first: DELETE_PASSAGES_OF_OWNERS).
DELETE_PRODUCTS = """
UNWIND $ids AS pid
MATCH (p:Product {id: pid})
OPTIONAL MATCH (p)-[:HAS_ATTRIBUTE]->(a:Attribute)
DETACH DELETE a
WITH DISTINCT p
DETACH DELETE p
RETURN count(*) AS deleted
"""

DELETE_BRANDS = """
UNWIND $ids AS nid
MATCH (n:Brand {id: nid})
DETACH DELETE n
RETURN count(*) AS deleted
"""

DELETE_CATEGORIES = """
UNWIND $ids AS nid
MATCH (n:Category {id: nid})
DETACH DELETE n
RETURN count(*) AS deleted
"""

DELETE_POLICIES = """
UNWIND $ids AS nid
MATCH (n:Policy {id: nid})
DETACH DELETE n
RETURN count(*) AS deleted
"""

DELETE_FAQS = """
UNWIND $ids AS nid
MATCH (n:FAQ {id: nid})
DETACH DELETE n
RETURN count(*) AS deleted
"""

# =============================================================================================
# Counts and bookkeeping (stats, incremental sync)
# =============================================================================================

COUNT_NODES_BY_LABEL = """
MATCH (n)
RETURN labels(n)[0] AS label, count(*) AS count
ORDER BY label
"""

COUNT_RELATIONSHIPS_BY_TYPE = """
MATCH ()-[r]->()
RETURN type(r) AS type, count(*) AS count
ORDER BY type
"""

GET_STORE_VERSION = """
MATCH (s:Store {id: 'store'})
RETURN s.version AS version, s.updated_at AS updated_at
"""

# Content hashes of what the graph holds, to skip unchanged items on re-ingest.
PRODUCT_HASHES = "MATCH (n:Product) RETURN n.id AS id, n.hash AS hash"
BRAND_HASHES = "MATCH (n:Brand) RETURN n.id AS id, n.hash AS hash"
CATEGORY_HASHES = "MATCH (n:Category) RETURN n.id AS id, n.hash AS hash"
POLICY_HASHES = "MATCH (n:Policy) RETURN n.id AS id, n.hash AS hash"
FAQ_HASHES = "MATCH (n:FAQ) RETURN n.id AS id, n.hash AS hash"

# params: after (vid to start after; use -1 to begin), limit. Keyset pages over all passages
# (consistency check against the vector index).
PASSAGE_PAGE = """
MATCH (x:Passage)
WHERE x.vid > $after
RETURN x.vid AS vid, x.id AS id, x.hash AS hash, x.owner_id AS owner_id
ORDER BY vid
LIMIT $limit
"""

# =============================================================================================
# Reads for the query side
# =============================================================================================

# params: ids (product ids, in the order wanted). Facts of one or several products (side by
# side): price, availability, brand, category with its path from the root, attributes, and
# how many VARIANT_OF links it has (PRODUCT_VARIANTS is read only for products that have some).
# Each attribute keeps its node id and the snippet ids it was read from (`source_ids`, empty
# for catalogs without them), so a cited fact can be matched to its source (ePQA evaluation).
# One read for all of it: a product question is one round trip to the graph, not two.
PRODUCT_FACTS = """
UNWIND $ids AS pid
MATCH (p:Product {id: pid})
OPTIONAL MATCH (p)-[:MADE_BY]->(b:Brand)
OPTIONAL MATCH (p)-[:IN_CATEGORY]->(c:Category)
OPTIONAL MATCH path = (c)-[:SUBCATEGORY_OF*0..]->(root:Category)
WHERE NOT (root)-[:SUBCATEGORY_OF]->(:Category)
RETURN p.id AS id, p.title AS title, p.description AS description, p.sku AS sku,
       p.price AS price, p.currency AS currency, p.availability AS availability,
       b.id AS brand_id, b.name AS brand, c.id AS category_id, c.name AS category,
       CASE WHEN path IS NULL THEN [] ELSE reverse([n IN nodes(path) | n.name]) END AS category_path,
       [(p)-[:HAS_ATTRIBUTE]->(a:Attribute) | {id: a.id, key: a.key, value: a.value, unit: a.unit, text: a.text,
                                               source_ids: coalesce(a.source_ids, [])}] AS attributes,
       size([(p)-[:VARIANT_OF]-(v:Product) | v.id]) AS variant_links
"""

# params: ids. Several products side by side, one row per attribute key:
# {key, values: [{product_id, value, unit, text}]}. Keys missing for a product are absent.
COMPARE_ATTRIBUTES = """
UNWIND $ids AS pid
MATCH (p:Product {id: pid})-[:HAS_ATTRIBUTE]->(a:Attribute)
WITH a.key AS key, collect({product_id: p.id, value: a.value, unit: a.unit, text: a.text}) AS values
RETURN key, values, size(values) AS products
ORDER BY products DESC, key
"""

# params: product_id, brand_id, category_id (any may be None), kind (None = every kind).
# Policies that apply to the product (or to the brand / category given directly), with
# precedence product > brand > category (nearest category first, walking up SUBCATEGORY_OF) >
# global. One row per kind: `policy` = the winner, `overridden` = the others, best first; each
# a map {id, kind, scope, target, title, body, version, effective_date, rank, overrides}, where
# `overrides` lists the ids of its recorded OVERRIDES edges.
APPLICABLE_POLICIES = """
OPTIONAL MATCH (p:Product {id: $product_id})
OPTIONAL MATCH (p)-[:MADE_BY]->(pb:Brand)
OPTIONAL MATCH (p)-[:IN_CATEGORY]->(pc:Category)
WITH p, coalesce(pb.id, $brand_id) AS brand_id, coalesce(pc.id, $category_id) AS category_id
OPTIONAL MATCH cpath = (:Category {id: category_id})-[:SUBCATEGORY_OF*0..]->(anc:Category)
WITH p, brand_id, collect(anc.id) AS anc_ids, collect(length(cpath)) AS anc_depths
MATCH (pol:Policy)
WHERE $kind IS NULL OR pol.kind = $kind
OPTIONAL MATCH (pol)-[:APPLIES_TO]->(t)
WITH pol, CASE
    WHEN pol.scope = 'global' THEN 0
    WHEN pol.scope = 'product' AND t:Product AND t.id = p.id THEN 3000
    WHEN pol.scope = 'brand' AND t:Brand AND t.id = brand_id THEN 2000
    WHEN pol.scope = 'category' AND t:Category AND t.id IN anc_ids
      THEN 1000 - [i IN range(0, size(anc_ids) - 1) WHERE anc_ids[i] = t.id | anc_depths[i]][0]
  END AS rank
WHERE rank IS NOT NULL
WITH pol, rank
ORDER BY rank DESC, pol.version DESC, pol.id
WITH pol.kind AS kind,
     collect({id: pol.id, kind: pol.kind, scope: pol.scope, target: pol.target,
              title: pol.title, body: pol.body, version: pol.version,
              effective_date: pol.effective_date, rank: rank,
              overrides: [(pol)-[:OVERRIDES]->(o:Policy) | o.id]}) AS ranked
RETURN kind, ranked[0] AS policy, ranked[1..] AS overridden
ORDER BY kind
"""

# params: kind (None = all). Every policy with its target and recorded overrides.
POLICIES = """
MATCH (pol:Policy)
WHERE $kind IS NULL OR pol.kind = $kind
RETURN pol.id AS id, pol.kind AS kind, pol.scope AS scope, pol.target AS target,
       pol.title AS title, pol.body AS body, pol.version AS version,
       pol.effective_date AS effective_date,
       [(pol)-[:OVERRIDES]->(o:Policy) | o.id] AS overrides
ORDER BY kind, id
"""

# params: kind (None = all). Policies that apply to some products only (scope brand, category
# or product) with the name of what they apply to: shown next to the store-wide policy when it
# is silent on what a shopper asks ("is there a restocking fee?": only laptops have one).
SCOPED_POLICIES = """
MATCH (pol:Policy)
WHERE pol.scope <> 'global' AND ($kind IS NULL OR pol.kind = $kind)
OPTIONAL MATCH (pol)-[:APPLIES_TO]->(t)
RETURN pol.id AS id, pol.kind AS kind, pol.scope AS scope, pol.target AS target,
       pol.title AS title, pol.body AS body, pol.version AS version,
       coalesce(t.name, t.title) AS target_name
ORDER BY kind, id
"""

# FAQs about some products only (scope brand, category or product), with the name of what they
# are about: a passage of one says whom it is for ("What is in the box?" is one product's FAQ).
SCOPED_FAQS = """
MATCH (f:FAQ)
WHERE f.scope <> 'global'
OPTIONAL MATCH (f)-[:ABOUT]->(t)
RETURN f.id AS id, f.target AS target, coalesce(t.name, t.title) AS target_name
ORDER BY id
"""

# params: ids. Policies by id (citations).
POLICIES_BY_ID = """
UNWIND $ids AS pid
MATCH (pol:Policy {id: pid})
RETURN pol.id AS id, pol.kind AS kind, pol.scope AS scope, pol.target AS target,
       pol.title AS title, pol.body AS body, pol.version AS version,
       pol.effective_date AS effective_date
"""

# params: product_id, brand_id, category_id (any may be None). FAQs about the product, its
# brand, its categories (walking up) and global ones, most specific first (rank as in
# APPLICABLE_POLICIES).
FAQS_FOR_PRODUCT = """
OPTIONAL MATCH (p:Product {id: $product_id})
OPTIONAL MATCH (p)-[:MADE_BY]->(pb:Brand)
OPTIONAL MATCH (p)-[:IN_CATEGORY]->(pc:Category)
WITH p, coalesce(pb.id, $brand_id) AS brand_id, coalesce(pc.id, $category_id) AS category_id
OPTIONAL MATCH cpath = (:Category {id: category_id})-[:SUBCATEGORY_OF*0..]->(anc:Category)
WITH p, brand_id, collect(anc.id) AS anc_ids, collect(length(cpath)) AS anc_depths
MATCH (f:FAQ)
OPTIONAL MATCH (f)-[:ABOUT]->(t)
WITH f, CASE
    WHEN f.scope = 'global' THEN 0
    WHEN f.scope = 'product' AND t:Product AND t.id = p.id THEN 3000
    WHEN f.scope = 'brand' AND t:Brand AND t.id = brand_id THEN 2000
    WHEN f.scope = 'category' AND t:Category AND t.id IN anc_ids
      THEN 1000 - [i IN range(0, size(anc_ids) - 1) WHERE anc_ids[i] = t.id | anc_depths[i]][0]
  END AS rank
WHERE rank IS NOT NULL
RETURN f.id AS id, f.question AS question, f.answer AS answer, f.scope AS scope,
       f.target AS target, rank
ORDER BY rank DESC, id
"""

# params: ids. Each product's family of variants (itself included): the products at most two
# VARIANT_OF steps away in either direction (a variant, its base, the base's other variants),
# with their attributes, so the caller can say what tells them apart. Products without
# variants return only themselves.
PRODUCT_VARIANTS = """
UNWIND $ids AS pid
MATCH (p:Product {id: pid})-[:VARIANT_OF*0..2]-(v:Product)
WITH DISTINCT pid, v
RETURN pid AS product_id, v.id AS id, v.title AS title, v.price AS price, v.currency AS currency,
       v.availability AS availability,
       [(v)-[:HAS_ATTRIBUTE]->(a:Attribute) | {key: a.key, value: a.value, unit: a.unit}] AS attributes
ORDER BY product_id, id
"""

# params: product_id. Every product relation of the product, both directions:
# relation (COMPATIBLE_WITH | ACCESSORY_FOR | VARIANT_OF), direction ('out': product -> other).
PRODUCT_RELATIONS = """
MATCH (p:Product {id: $product_id})-[r:COMPATIBLE_WITH|ACCESSORY_FOR|VARIANT_OF]-(o:Product)
OPTIONAL MATCH (o)-[:IN_CATEGORY]->(c:Category)
RETURN type(r) AS relation,
       CASE WHEN startNode(r).id = p.id THEN 'out' ELSE 'in' END AS direction,
       o.id AS id, o.title AS title, o.price AS price, o.currency AS currency,
       o.availability AS availability, c.id AS category_id
ORDER BY relation, direction, id
"""

# params: product_id, limit. Products this one works with: COMPATIBLE_WITH either way, and
# the products it is an accessory for.
COMPATIBLE_PRODUCTS = """
MATCH (p:Product {id: $product_id})-[r:COMPATIBLE_WITH|ACCESSORY_FOR]-(o:Product)
WHERE type(r) = 'COMPATIBLE_WITH' OR startNode(r).id = p.id
RETURN DISTINCT o.id AS id, o.title AS title, type(r) AS relation, o.price AS price,
       o.currency AS currency, o.availability AS availability
ORDER BY id
LIMIT $limit
"""

# params: product_id, limit. Accessories made for this product.
PRODUCT_ACCESSORIES = """
MATCH (a:Product)-[:ACCESSORY_FOR]->(p:Product {id: $product_id})
RETURN a.id AS id, a.title AS title, a.price AS price, a.currency AS currency,
       a.availability AS availability
ORDER BY id
LIMIT $limit
"""

# params: product_id, candidates (how many products sharing the category or brand to score),
# limit. Similar products: same category (+3), same brand (+2), +1 per shared attribute
# (same key and value).
SIMILAR_PRODUCTS = """
MATCH (p:Product {id: $product_id})-[:IN_CATEGORY|MADE_BY]->(hub)<-[:IN_CATEGORY|MADE_BY]-(o:Product)
WHERE o.id <> p.id
WITH p, o, collect(DISTINCT labels(hub)[0]) AS shared
WITH p, o, 'Category' IN shared AS same_category, 'Brand' IN shared AS same_brand
ORDER BY size(shared) DESC, o.id
LIMIT $candidates
WITH o, same_category, same_brand,
     [(p)-[:HAS_ATTRIBUTE]->(a:Attribute) | {key: a.key, value: a.value}] AS facts
WITH o, same_category, same_brand,
     [(o)-[:HAS_ATTRIBUTE]->(b:Attribute) WHERE {key: b.key, value: b.value} IN facts | b.key] AS shared_attributes
WITH o, same_category, same_brand, shared_attributes,
     size(shared_attributes)
       + CASE WHEN same_category THEN 3 ELSE 0 END
       + CASE WHEN same_brand THEN 2 ELSE 0 END AS score
RETURN o.id AS id, o.title AS title, same_category, same_brand, shared_attributes, score
ORDER BY score DESC, id
LIMIT $limit
"""

# params: after ('' to begin), limit. Names for entity linking, in keyset pages by id.
PRODUCT_NAMES = """
MATCH (p:Product)
WHERE p.id > $after
OPTIONAL MATCH (p)-[:MADE_BY]->(b:Brand)
RETURN p.id AS id, p.sku AS sku, p.title AS title, b.name AS brand
ORDER BY id
LIMIT $limit
"""

BRAND_NAMES = """
MATCH (b:Brand)
RETURN b.id AS id, b.name AS name
ORDER BY id
"""

CATEGORY_NAMES = """
MATCH (c:Category)
OPTIONAL MATCH (c)-[:SUBCATEGORY_OF]->(parent:Category)
RETURN c.id AS id, c.name AS name, c.aliases AS aliases, parent.id AS parent_id
ORDER BY id
"""

# params: ids. Brands with their product counts and the categories they sell in.
BRAND_FACTS = """
UNWIND $ids AS bid
MATCH (b:Brand {id: bid})
OPTIONAL MATCH (b)<-[:MADE_BY]-(p:Product)
OPTIONAL MATCH (p)-[:IN_CATEGORY]->(c:Category)
RETURN b.id AS id, b.name AS name, b.description AS description,
       count(DISTINCT p) AS products, collect(DISTINCT c.name) AS categories
"""

# params: id. A category's name and the other words the catalog gives it (Category.aliases),
# for saying what a listing lists.
CATEGORY_LABEL = """
MATCH (c:Category {id: $id})
RETURN c.name AS name, c.aliases AS aliases
"""

# params: category_id. How many products a category (with its subcategories) has, and how
# many of them are in stock, for "how many tents do you have (in stock)?".
CATEGORY_PRODUCT_COUNT = """
MATCH (:Category {id: $category_id})<-[:SUBCATEGORY_OF*0..]-(:Category)<-[:IN_CATEGORY]-(p:Product)
WITH DISTINCT p
RETURN count(p) AS products, sum(CASE WHEN p.availability = 'in_stock' THEN 1 ELSE 0 END) AS in_stock
"""

# params: category_id. The lowest and highest price of a category's (and its subcategories')
# priced products, and how many are priced, for "what's the price range for laptops?".
CATEGORY_PRICE_RANGE = """
MATCH (:Category {id: $category_id})<-[:SUBCATEGORY_OF*0..]-(:Category)<-[:IN_CATEGORY]-(p:Product)
WHERE p.price IS NOT NULL
WITH DISTINCT p
RETURN count(p) AS products, min(p.price) AS lowest, max(p.price) AS highest, collect(DISTINCT p.currency) AS currencies
"""

# params: category_id. The brands whose products are in a category (or its subcategories), the
# ones with the most products first ("what brands of laptops do you carry?"). Reads the
# category's products: 6-12 ms for a leaf category of a 100k-product store, 50 ms for a root of
# 39k; read only when a message asks about brands.
CATEGORY_BRANDS = """
MATCH (c:Category {id: $category_id})<-[:SUBCATEGORY_OF*0..]-(:Category)<-[:IN_CATEGORY]-(p:Product)-[:MADE_BY]->(b:Brand)
WITH c, b, count(p) AS products
RETURN c.name AS category, b.id AS id, b.name AS name, products
ORDER BY products DESC, id
"""

# The shopper's price bounds and order for a product listing ("under $100", "the cheapest"):
# $min_price / $max_price (null: no bound; a bound leaves out products without a price) and
# $price_order (1 cheapest first, -1 dearest first, 0 by id). Discontinued products come last
# whatever the order: "the cheapest laptop" is one the shopper can still buy. The bounds are tested after a
# WITH: in the MATCH's WHERE, FalkorDB starts from every Product (measured at 100k products:
# 158 ms against 42 ms for the largest category, 120 ms against 8 ms for tents). Unconstrained
# listings pay for the projection and the CASE too (42 ms against 31 ms with a plain ORDER BY id
# for the largest category, 8 against 3-8 ms for tents).
_priced_listing = """
WITH p, p.price AS price
WHERE ($min_price IS NULL OR price >= $min_price) AND ($max_price IS NULL OR price <= $max_price)
  AND (NOT $in_stock_only OR p.availability = 'in_stock')
RETURN p.id AS id, p.title AS title, price, p.currency AS currency, p.availability AS availability
ORDER BY CASE WHEN p.availability = 'discontinued' THEN 1 ELSE 0 END,
         CASE WHEN $price_order <> 0 AND price IS NULL THEN 1 ELSE 0 END,
         CASE WHEN $price_order = 0 OR price IS NULL THEN 0 ELSE $price_order * price END,
         CASE WHEN coalesce(p.availability, '') <> 'in_stock' THEN 1 ELSE 0 END, id
LIMIT $limit
"""

# Every listing below also takes $in_stock_only: only products in stock ("tents in stock",
# "which of those can I get now?"); rag.retrieve.graph passes false unless asked.

# params: category_id, min_price, max_price, price_order, limit. Products in a category or any
# of its subcategories; priced products before unpriced ones when ordered by price, products
# in stock first when not ("do you sell tents?" is answered with one you can buy) and among
# equal prices.
PRODUCTS_IN_CATEGORY = f"""
MATCH (:Category {{id: $category_id}})<-[:SUBCATEGORY_OF*0..]-(:Category)<-[:IN_CATEGORY]-(p:Product)
{_priced_listing.strip()}
"""

# params: min_price, max_price, price_order, limit. Every product of the store, under a price
# constraint ("what's the cheapest thing you sell?", "anything under $20?"): a scan of all
# products, read only when a message asks for a price across the store.
STORE_PRODUCTS = f"""
MATCH (p:Product)
{_priced_listing.strip()}
"""

# params: ids, min_price, max_price, price_order, limit. The given products ordered as a
# listing is: those linked to a product, when a message picks among them ("which is the
# cheapest?" after the chargers that work with a phone).
PRODUCTS_AMONG = f"""
MATCH (p:Product)
WHERE p.id IN $ids
{_priced_listing.strip()}
"""

# params: category_id, accessory_ids (None = any category), per_category, min_price,
# max_price (None = no bound). The products of
# other categories made for or compatible with products of a category (or its subcategories),
# grouped by their own category, most first: "what accessories do you have for phones?" ->
# Phone Cases, Chargers & Cables. Each group's `examples` are its first products, in stock
# first, those that fit the most products of the category first.
CATEGORY_ACCESSORIES = """
MATCH (sub:Category)-[:SUBCATEGORY_OF*0..]->(:Category {id: $category_id})
WITH collect(sub.id) AS base_ids
MATCH (p:Product)-[:IN_CATEGORY]->(pc:Category)
WHERE pc.id IN base_ids
MATCH (a:Product)-[:ACCESSORY_FOR|COMPATIBLE_WITH]-(p)
MATCH (a)-[:IN_CATEGORY]->(ac:Category)
WHERE NOT ac.id IN base_ids AND ($accessory_ids IS NULL OR ac.id IN $accessory_ids)
  AND ($min_price IS NULL OR a.price >= $min_price) AND ($max_price IS NULL OR a.price <= $max_price)
WITH ac, a, count(DISTINCT p) AS fits
ORDER BY CASE WHEN coalesce(a.availability, '') = 'in_stock' THEN 0 ELSE 1 END, fits DESC, a.id
WITH ac, count(a) AS products,
     collect({id: a.id, title: a.title, price: a.price, currency: a.currency,
              availability: a.availability}) AS found
RETURN ac.id AS category_id, ac.name AS category, products, found[..$per_category] AS examples
ORDER BY products DESC, category_id
"""

# params: category_id, brand_ids, min_price, max_price, price_order, limit. The same, of the
# given brands only ("Northpeak tents").
PRODUCTS_IN_CATEGORY_OF_BRANDS = f"""
MATCH (:Category {{id: $category_id}})<-[:SUBCATEGORY_OF*0..]-(:Category)<-[:IN_CATEGORY]-(p:Product)-[:MADE_BY]->(b:Brand)
WHERE b.id IN $brand_ids
{_priced_listing.strip()}
"""

# params: category_id, products (how many of its products are read), values (the most
# distinct values kept per key). The attributes the products of a category (and its
# subcategories) have: {key, unit, values} with values lower case, for reading attribute
# constraints ("a tent for 4 people") against the catalog. Read from a sample of `products`
# products, so its cost does not grow with the category (5 ms for 500 of a 9,000-product
# category, against 40-65 ms for all of them). Both of its readers (the graph's attribute
# conditions and the entity linker's values that name a category) use this sample, so a value
# one of them sees the other does too:
CATEGORY_ATTRIBUTES_PRODUCTS = 500
CATEGORY_ATTRIBUTES_VALUES = 200
CATEGORY_ATTRIBUTES = """
MATCH (:Category {id: $category_id})<-[:SUBCATEGORY_OF*0..]-(:Category)<-[:IN_CATEGORY]-(p:Product)
WITH p LIMIT $products
MATCH (p)-[:HAS_ATTRIBUTE]->(a:Attribute)
WITH a.key AS key, a.unit AS unit, collect(DISTINCT toLower(toString(a.value))) AS values
RETURN key, unit, values[..$values] AS values
ORDER BY key, unit
"""

# The tail of the attribute listings below (p: the products in scope; {carry}: what an earlier
# part of the statement passes through, with its leading comma). Ordered like _priced_listing,
# then by the attribute's amount.
_attribute_listing = """
MATCH (p)-[:HAS_ATTRIBUTE]->(a:Attribute)
WHERE a.key = $key AND ($unit IS NULL OR a.unit = $unit)
  AND ($value IS NULL OR $value IN split(toLower(toString(a.value)), ', '))
WITH p{carry}, a, toFloat(split(toString(a.value), ' ')[0]) AS number
WHERE ($min_value IS NULL OR number >= $min_value) AND ($max_value IS NULL OR number <= $max_value)
WITH p{carry}, collect(DISTINCT a.value) AS shown, max(number) AS amount
WITH p{carry}, shown, amount, p.price AS price
WHERE ($min_price IS NULL OR price >= $min_price) AND ($max_price IS NULL OR price <= $max_price)
  AND (NOT $in_stock_only OR p.availability = 'in_stock')
RETURN p.id AS id, p.title AS title, price, p.currency AS currency, p.availability AS availability, shown{carry}
ORDER BY CASE WHEN p.availability = 'discontinued' THEN 1 ELSE 0 END,
         CASE WHEN $price_order <> 0 AND price IS NULL THEN 1 ELSE 0 END,
         CASE WHEN $price_order = 0 OR price IS NULL THEN 0 ELSE $price_order * price END,
         CASE WHEN $value_order = 0 OR amount IS NULL THEN 0 ELSE $value_order * amount END,
         CASE WHEN coalesce(p.availability, '') = 'in_stock' THEN 0 ELSE 1 END, id
LIMIT $limit
"""

# params: category_id, key, unit, value, min_value, max_value, value_order (1 ascending,
# -1 descending, 0 none), min_price, max_price, price_order, limit.
# Products of a category whose attribute `key` (in `unit`, when given) equals `value` (lower
# case; or lists it: "gps" in "heart rate, ecg, gps") or whose number (the value's first word: "4 persons" -> 4) lies within [min_value,
# max_value], with the matching values (`shown`); ordered by price when asked, else by the
# attribute's number when asked, products in stock first among equals ("the best camera": of
# the 200 MP phones, one you can buy). A value that is no number never passes a numeric bound.
# `WITH p` keeps FalkorDB from starting at every Attribute node (3x faster at 100k products);
# the attributes of every product of the category are still read, so these listings cost
# ~30-45 ms for a category of 9,000 products (benchmarks/answer_bench.py, 100k).
PRODUCTS_IN_CATEGORY_WITH_ATTRIBUTE = f"""
MATCH (:Category {{id: $category_id}})<-[:SUBCATEGORY_OF*0..]-(:Category)<-[:IN_CATEGORY]-(p:Product)
WITH p
{_attribute_listing.format(carry="").strip()}
"""

# params: ids and those of PRODUCTS_IN_CATEGORY_WITH_ATTRIBUTE but category_id. The same, of
# the given products ("which is the fastest?" after the chargers that work with a phone).
PRODUCTS_AMONG_WITH_ATTRIBUTE = f"""
MATCH (p:Product)
WHERE p.id IN $ids
WITH p
{_attribute_listing.format(carry="").strip()}
"""

# params: those of PRODUCTS_IN_CATEGORY_WITH_ATTRIBUTE and brand_ids. The same, of the given
# brands only ("Northpeak tents for 4 people").
PRODUCTS_IN_CATEGORY_OF_BRANDS_WITH_ATTRIBUTE = f"""
MATCH (:Category {{id: $category_id}})<-[:SUBCATEGORY_OF*0..]-(:Category)<-[:IN_CATEGORY]-(p:Product)-[:MADE_BY]->(b:Brand)
WHERE b.id IN $brand_ids
WITH p
{_attribute_listing.format(carry="").strip()}
"""

# The conditions on other attributes that narrow a listing besides the one it is ordered by
# (the message's others: "a 4-person tent under 3 kg"; the earlier messages': "a tent for 4
# people", then "under 3 kg", before "which one is the cheapest?"): the products that meet every
# map of `narrowing` ({key, unit, value, min, max}: attribute `key`, in `unit` when given, equals
# `value` or lists it, or its number lies within [min, max]), with their values of each, in the
# order of `narrowing` (`narrowed`: one list per condition). One key per map, a few maps.
_narrowing = """
UNWIND range(0, size($narrowing) - 1) AS i
MATCH (p)-[:HAS_ATTRIBUTE]->(n:Attribute)
WITH p, i, $narrowing[i] AS c, n, toFloat(split(toString(n.value), ' ')[0]) AS narrow_number
WHERE n.key = c.key AND (c.unit IS NULL OR n.unit = c.unit)
  AND (c.value IS NULL OR c.value IN split(toLower(toString(n.value)), ', '))
  AND (c.min IS NULL OR narrow_number >= c.min) AND (c.max IS NULL OR narrow_number <= c.max)
WITH p, i, collect(DISTINCT n.value) AS values
ORDER BY i
WITH p, collect(values) AS narrowed
WHERE size(narrowed) = size($narrowing)
"""

# params: those of PRODUCTS_IN_CATEGORY_WITH_ATTRIBUTE and narrowing (a list of a few maps
# {key, unit, value, min, max}, one key each). The same listing, of the products the other
# conditions keep (`narrowed`: their values of each, in order).
PRODUCTS_IN_CATEGORY_WITH_ATTRIBUTES = f"""
MATCH (:Category {{id: $category_id}})<-[:SUBCATEGORY_OF*0..]-(:Category)<-[:IN_CATEGORY]-(p:Product)
WITH p
{_narrowing.strip()}
{_attribute_listing.format(carry=", narrowed").strip()}
"""

# params: those of PRODUCTS_IN_CATEGORY_WITH_ATTRIBUTES and brand_ids.
PRODUCTS_IN_CATEGORY_OF_BRANDS_WITH_ATTRIBUTES = f"""
MATCH (:Category {{id: $category_id}})<-[:SUBCATEGORY_OF*0..]-(:Category)<-[:IN_CATEGORY]-(p:Product)-[:MADE_BY]->(b:Brand)
WHERE b.id IN $brand_ids
WITH p
{_narrowing.strip()}
{_attribute_listing.format(carry=", narrowed").strip()}
"""

# params: brand_id, min_price, max_price, price_order, limit.
PRODUCTS_OF_BRAND = f"""
MATCH (:Brand {{id: $brand_id}})<-[:MADE_BY]-(p:Product)
{_priced_listing.strip()}
"""

# params: owner_id, source (None = any), limit. Passages of one owner node.
PASSAGES_OF_OWNER = """
MATCH (x:Passage {owner_id: $owner_id})
WHERE $source IS NULL OR x.source = $source
RETURN x.id AS id, x.vid AS vid, x.text AS text, x.source AS source,
       x.owner_id AS owner_id, x.owner_kind AS owner_kind, x.doc_id AS doc_id,
       x.doc_version AS doc_version
ORDER BY doc_id, id
LIMIT $limit
"""

# params: vids (vector ids from the index). Passages with their owners.
PASSAGES_BY_VIDS = """
UNWIND $vids AS v
MATCH (x:Passage {vid: v})
RETURN x.vid AS vid, x.id AS id, x.text AS text, x.source AS source,
       x.owner_id AS owner_id, x.owner_kind AS owner_kind, x.doc_id AS doc_id,
       x.doc_version AS doc_version, x.aliases AS aliases
"""

# =============================================================================================
# Groupings for callers (not statements): pick the statement for a relation kind / scope /
# owner kind, and the override rebuild sequence.
# =============================================================================================

RELATION_UPSERTS: dict[str, str] = {
    "compatible_with": UPSERT_COMPATIBLE_WITH,
    "accessory_for": UPSERT_ACCESSORY_FOR,
    "variant_of": UPSERT_VARIANT_OF,
}

POLICY_LINKS: dict[str, str] = {
    "brand": LINK_POLICIES_TO_BRANDS,
    "category": LINK_POLICIES_TO_CATEGORIES,
    "product": LINK_POLICIES_TO_PRODUCTS,
}

FAQ_LINKS: dict[str, str] = {
    "brand": LINK_FAQS_TO_BRANDS,
    "category": LINK_FAQS_TO_CATEGORIES,
    "product": LINK_FAQS_TO_PRODUCTS,
}

PASSAGE_LINKS: dict[str, str] = {
    "product": LINK_PASSAGES_TO_PRODUCTS,
    "brand": LINK_PASSAGES_TO_BRANDS,
    "category": LINK_PASSAGES_TO_CATEGORIES,
    "policy": LINK_PASSAGES_TO_POLICIES,
    "faq": LINK_PASSAGES_TO_FAQS,
    "store": LINK_PASSAGES_TO_STORE,
}

POLICY_OVERRIDES_REBUILD: tuple[str, ...] = (
    CLEAR_POLICY_OVERRIDES,
    OVERRIDE_GLOBAL_POLICIES,
    OVERRIDE_ANCESTOR_CATEGORY_POLICIES,
    OVERRIDE_CATEGORY_POLICIES_BY_BRAND,
    OVERRIDE_BRAND_POLICIES_BY_PRODUCT,
    OVERRIDE_CATEGORY_POLICIES_BY_PRODUCT,
)


def statements() -> dict[str, str]:
    """Every statement of this module by name (what the lint and run-everything tests use)."""
    return {
        name: value
        for name, value in globals().items()
        if name.isupper() and isinstance(value, str)
    }


# =============================================================================================
# ingest/sync.py (index+sync helper): statements the shared ones above do not cover
# =============================================================================================

# rows: {product_id, id, key, value, values (list), unit, text, source_ids (list of snippet ids)}.
# Like UPSERT_ATTRIBUTES, plus the values list and the ids of the source snippets a fact was
# read from (ePQA attribute snippets), so every snippet id stays findable in the graph.
SYNC_UPSERT_ATTRIBUTES = """
UNWIND $rows AS row
MATCH (p:Product {id: row.product_id})
MERGE (a:Attribute {id: row.id})
SET a.key = row.key, a.value = row.value, a.values = row.values, a.unit = row.unit,
    a.text = row.text, a.source_ids = row.source_ids
MERGE (p)-[:HAS_ATTRIBUTE]->(a)
"""

# rows: {src, dst} (policy ids). OVERRIDES edges are diffed by ingest/sync.py (computed from the
# catalog), so an unchanged store writes none.
SYNC_LINK_OVERRIDES = """
UNWIND $rows AS row
MATCH (a:Policy {id: row.src})
MATCH (b:Policy {id: row.dst})
MERGE (a)-[:OVERRIDES]->(b)
"""

SYNC_UNLINK_OVERRIDES = """
UNWIND $rows AS row
MATCH (:Policy {id: row.src})-[r:OVERRIDES]->(:Policy {id: row.dst})
DELETE r
"""

# params: id, title, description, price, currency, hash, brand, category. The naive baseline of
# benchmarks/ingest_bench.py: one product, its brand and category edges, one transaction each.
BENCH_NAIVE_PRODUCT = """
MERGE (p:Product {id: $id})
SET p.title = $title, p.description = $description, p.price = $price, p.currency = $currency,
    p.hash = $hash
WITH p
MATCH (b:Brand {id: $brand})
MATCH (c:Category {id: $category})
MERGE (p)-[:MADE_BY]->(b)
MERGE (p)-[:IN_CATEGORY]->(c)
"""


# =============================================================================================
# rag/retrieve/graph.py (retrieval helper): reads the shared ones above do not cover
# =============================================================================================

# params: after ('' to begin), limit. Attribute facts of `limit` products at a time, in keyset
# pages by product id (the caller passes the last row's product_id as the next `after`), for
# the BM25 index beside the vector index (facts are graph nodes, not passages). Paging by
# product walks the Product id index instead of sorting every attribute for every page.
RETRIEVE_ATTRIBUTE_PAGE = """
MATCH (p:Product)
WHERE p.id > $after
WITH p
ORDER BY p.id
LIMIT $limit
MATCH (p)-[:HAS_ATTRIBUTE]->(a:Attribute)
RETURN a.id AS id, p.id AS product_id, p.title AS title, a.key AS key, a.value AS value,
       a.unit AS unit, a.text AS text, coalesce(a.source_ids, []) AS source_ids
ORDER BY product_id, id
"""

# Every source snippet id carried by an attribute fact (checks that ingestion kept each one).
SYNC_ATTRIBUTE_SOURCE_IDS = """
MATCH (a:Attribute)
WHERE a.source_ids IS NOT NULL
UNWIND a.source_ids AS sid
RETURN sid
"""

# =============================================================================================
# Query understanding (owned by rag/understand/; entity linker names)
# =============================================================================================

# params: products (how many products are read), values (the most values returned). The text
# values of the catalog's attributes, lower case, from a sample of its products: words the entity
# linker must not read as a misspelt name ("a laptop with ChromeOS" names no brand Chronos).
ATTRIBUTE_VALUE_SAMPLE = """
MATCH (p:Product)
WITH p LIMIT $products
MATCH (p)-[:HAS_ATTRIBUTE]->(a:Attribute)
WITH DISTINCT toLower(toString(a.value)) AS value
RETURN value
LIMIT $values
"""

# The pairs of leaf categories whose products the catalog links as compatible or as accessories,
# either way (phones and phone cases): which kinds "what charger do I need?" asks of on a phone's
# page (rag/understand/linker.py, EntityLinker.goes_with).
LINKED_CATEGORIES = """
MATCH (a:Product)-[:COMPATIBLE_WITH|ACCESSORY_FOR]->(b:Product)
MATCH (a)-[:IN_CATEGORY]->(ca:Category)
MATCH (b)-[:IN_CATEGORY]->(cb:Category)
WITH DISTINCT ca.id AS a_id, cb.id AS b_id
RETURN a_id, b_id
ORDER BY a_id, b_id
"""

# params: after ('' to begin), limit. Product names with their brand and leaf category ids, in
# keyset pages by id: what the entity linker indexes (rag/understand/linker.py).
LINKER_PRODUCT_NAMES = """
MATCH (p:Product)
WHERE p.id > $after
OPTIONAL MATCH (p)-[:MADE_BY]->(b:Brand)
OPTIONAL MATCH (p)-[:IN_CATEGORY]->(c:Category)
RETURN p.id AS id, p.sku AS sku, p.title AS title, b.id AS brand_id, c.id AS category_id
ORDER BY id
LIMIT $limit
"""
