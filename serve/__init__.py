"""shopgraph serve package."""
