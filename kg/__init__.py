"""shopgraph kg package."""
