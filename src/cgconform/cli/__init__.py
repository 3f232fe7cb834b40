"""The `cgconform` command line: argument parsing (``main``), what each command does
(``commands``), the preflight (``doctor``), and the commands roles add (``extensions``).

The top of the engine: it may import every other part of it, and reaches suites and fixtures
only through the extension entry points, never by import.
"""

from cgconform.cli.main import main

__all__ = ["main"]
