"""The learner app in a real browser, and what the server refuses to hand out over HTTP."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.timeout(180)


def fetch(url: str) -> tuple[int, bytes]:
    """(status, body) after redirects; HTTP errors are answers here, not exceptions."""
    try:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(url, timeout=30) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def test_learner_page_answers(voila_server):
    """Does the learner URL answer 200 with Voilà's page?"""
    status, body = fetch(voila_server("learner"))
    assert status == 200
    assert b"voila" in body.lower()


def bundled_titles(repo_root: Path) -> set[str]:
    scenarios = (repo_root / "case_studies" / "scenarios").glob("*.yaml")
    return {yaml.safe_load(p.read_text(encoding="utf-8"))["title"] for p in scenarios}


def test_learner_page_shows_widgets_not_code(voila_server, page, artifacts_dir, repo_root):
    """Does the page render the SafeShare heading and scenario list, with no source visible?"""
    page.goto(voila_server("learner"))
    heading = page.get_by_role("heading", name="SafeShare")
    heading.wait_for(timeout=60_000)
    page.get_by_role("heading", name="Scenarios").wait_for(timeout=30_000)
    listed = {t.replace("\xa0", " ") for t in page.locator(".ss-card h3").all_inner_texts()}
    assert bundled_titles(repo_root) == listed
    page.screenshot(path=artifacts_dir / "learner-picker.png", full_page=True)

    text = page.inner_text("body")
    html = page.content()
    assert "from toolkit.app import learner" not in html
    assert "learner.show()" not in text
    assert page.locator(".jp-InputArea, .jp-CodeMirrorEditor, .cm-editor").count() == 0


# Paths a curious learner might try. "{repo}" is the checkout's absolute path, without "/".
EXPOSED = [
    "voila/tree",
    "voila/tree/",
    "voila/render/learner.ipynb",
    "voila/render/trainer.ipynb",
    "voila/api/contents",
    "voila/api/contents/learner.ipynb",
    "api/contents",
    "api/contents/learner.ipynb",
    "api/kernels",
    "api/sessions",
    "terminals",
    "terminals/1",
    "tree",
    "lab",
    "learner.ipynb",
    "voila/files/learner.ipynb",
    "var/safeshare.db",
    "voila/files/../var/safeshare.db",
    "voila/files/%2E%2E/var/safeshare.db",
    "{repo}/var/safeshare.db",
    "toolkit/settings.py",
    "voila/files/../toolkit/settings.py",
    "voila/files/%2E%2E/toolkit/settings.py",
    "case_studies/scenarios/sc-nursery-bruising.yaml",
    "voila/files/../case_studies/scenarios/sc-nursery-bruising.yaml",
    "voila/files/%2E%2E/case_studies/scenarios/sc-nursery-bruising.yaml",
    "voila/files/%2E%2E/pyproject.toml",
    # Added by the security review (issue 9): Jupyter's own APIs and pages, other ways in.
    "voila/files/",
    "voila/files/notebooks/learner.ipynb",
    "voila/files/.ipynb_checkpoints/learner-checkpoint.ipynb",
    "static/../var/safeshare.db",
    "voila/static/..%2F..%2F..%2Fvar%2Fsafeshare.db",
    "voila/static/%2E%2E/%2E%2E/toolkit/settings.py",
    "voila/labextensions/..%2F..%2Fsettings.py",
    "voila/api/themes/..%2F..%2Fsettings.py",
    "nbconvert/html/learner.ipynb",
    "api/nbconvert",
    "api/kernelspecs",
    "api/status",
    "api/me",
    "api/config/x",
    "api/terminals",
    "api/contents/",
    "files/learner.ipynb",
    "edit/learner.ipynb",
    "notebooks/learner.ipynb",
    "learner.ipynb?download=1",
]


@pytest.mark.parametrize("path", EXPOSED)
def test_nothing_else_is_served(voila_server, repo_root, path):
    """Is every path other than the app itself refused (403/404, never 200 with content)?"""
    path = path.format(repo=str(repo_root).lstrip("/"))
    status, body = fetch(voila_server("learner") + path)
    assert status in {403, 404}, f"/{path} answered {status} with {body[:200]!r}"
