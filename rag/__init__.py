"""shopgraph rag package."""
