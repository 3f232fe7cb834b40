"""JSON Schemas shipped with cgconform (report, catalogue, profile)."""
