"""The PostgreSQL half of `make test` is never silently left out."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import pgcluster

REPO_ROOT = Path(__file__).resolve().parents[1]


def test_postgres_runs_are_collected_without_any_variable():
    """With SAFESHARE_TEST_PG_URL unset, are the store tests still collected for PostgreSQL?"""
    env = {k: v for k, v in os.environ.items() if k != "SAFESHARE_TEST_PG_URL"}
    listed = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/storage/test_migrate.py", "--collect-only", "-q",
         "-p", "no:cacheprovider"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert "test_head_constant_matches_alembic[postgres]" in listed.stdout, listed.stdout[-2000:]
    assert "test_head_constant_matches_alembic[sqlite]" in listed.stdout


def test_without_binaries_postgres_tests_skip_naming_what_to_install(monkeypatch):
    """Without PostgreSQL's server binaries, is a PostgreSQL test skipped with the reason?"""
    monkeypatch.setattr(pgcluster, "pg_bin", lambda: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install postgresql"):
        pgcluster.PgCluster()


def test_under_ci_missing_binaries_fail_instead(monkeypatch):
    """Under CI, where the binaries are installed on purpose, does their absence fail?"""
    monkeypatch.setattr(pgcluster, "pg_bin", lambda: None)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="binaries missing"):
        pgcluster.PgCluster()
