"""The knowledge graph.

- `store.py`: the `GraphStore` / `GraphTransaction` interface and the graph model;
- `falkordb_store.py`, `neo4j_store.py`: the two backends (embedded default, production);
- `falkordb_server.py`: starts and supervises the embedded FalkorDB of a data directory;
- `cypher.py`: every Cypher statement the project sends; `dialect.py`: the DDL that differs.
"""
