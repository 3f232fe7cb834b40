"""The one network layer (DESIGN.md §7): the HTTP client with its budget, rate limit,
deadlines and size cap; evidence of every exchange, redacted; TLS probing; mock servers for
the parties a suite plays; a throw-away test PKI.

Imports only :mod:`cgconform.model`. No suite opens a socket any other way.
"""
