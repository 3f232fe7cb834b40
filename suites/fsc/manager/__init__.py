"""FSC Test Suite scenarios: manager."""
