"""shopgraph ingest package."""
