"""OpenAPI as a file format: loading a document without tracebacks, validating it against the
OAS schemas (examples and formats included), source positions of JSON pointers, and the bridge
to schemathesis' responses.

Imports :mod:`cgconform.model` and :mod:`cgconform.http`; knows no design rule (those are
checks in ``suites/``).
"""
