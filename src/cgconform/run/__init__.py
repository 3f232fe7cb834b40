"""Running checks: the context a run shares with every check, the pytest plugin and the
in-process runner, direct calls for `lint`, waivers, and assembling outcomes into the canonical
report (the one place verdicts are combined).

Imports :mod:`cgconform.model`, :mod:`cgconform.http` and :mod:`cgconform.openapi`; never a
report format, a suite or a fixture.
"""
