"""Reports rendered from the canonical report.json (DESIGN.md §6)."""
