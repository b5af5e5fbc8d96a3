"""Browser tests (a package so its test_serve.py does not clash with tests/test_serve.py)."""
