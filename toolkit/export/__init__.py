"""Exports: a cohort's stored results as tidy frames, CSV/XLSX workbooks and xAPI statements."""
