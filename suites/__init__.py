"""The cgconform conformance suites, one folder per role (api/, gateway/, logging/, ...).

Each check is a function marked with ``@pytest.mark.requirement(standard, id)``; the cgconform
pytest plugin collects them.
"""
