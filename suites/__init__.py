"""The cgconform conformance suites, one folder per role (api/, gateway/, logging/, ...).

Each check is a function marked with ``@requirement(standard, id)`` (from
``cgconform.run.marks``, plain Python: `cgconform lint` calls the checks without pytest); the
cgconform pytest plugin collects them.
"""
