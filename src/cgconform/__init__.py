"""cgconform: conformance tests for the Dutch Common Ground ecosystem."""

__version__ = "0.1.0"
