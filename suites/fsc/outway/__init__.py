"""FSC Test Suite scenarios: outway."""
