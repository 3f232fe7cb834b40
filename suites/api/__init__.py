"""Checks for REST API providers: the API Design Rules on the document and the running API."""
