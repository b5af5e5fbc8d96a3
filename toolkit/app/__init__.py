"""The apps Voilà serves: each notebook in notebooks/ imports one module here and calls show()."""
