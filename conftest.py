"""Makes the checkout itself runnable with plain pytest.

    pytest tests/                                   the suite's own tests (the default)
    pytest suites/ --cg-spec openapi.json --cg-profile adr-openapi
    pytest suites/ --cg-target target.toml          checks straight through pytest

The cgconform plugin comes in through its `pytest11` entry point once the package is
installed (`pip install -e .`); nothing else is needed here.
"""
