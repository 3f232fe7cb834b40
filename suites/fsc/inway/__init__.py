"""FSC Test Suite scenarios: inway."""
