"""Browser tests (a package, so its modules share helpers.py and chromium.py by relative import)."""
