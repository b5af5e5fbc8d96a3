"""The author notebook in real JupyterLab: the widgets front end loads and the preview renders.

`make lab` is how authors work, so this starts `jupyter lab` the same way (token, no browser,
root at the checkout), with its settings, workspaces and runtime files in a temporary folder
so the test neither reads nor changes the user's own JupyterLab state.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from tests.ports import free_port

pytestmark = pytest.mark.timeout(120)
NOTEBOOK = "notebooks/author.ipynb"
# Lab settings for a quiet, read-only run: no news pop-up, no autosave of the notebook.
SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
}


def _write_settings(folder: Path) -> None:
    for name, values in SETTINGS.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")


def _wait_until_up(url: str, proc: subprocess.Popen, timeout: float = 45) -> None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"jupyter lab exited with {proc.returncode}")
        try:
            with opener.open(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail("jupyter lab did not answer in time")


def _stop(proc: subprocess.Popen) -> list[str]:
    """SIGTERM the server, then make sure it and every process it started are gone.

    Returns the processes that had to be killed because they outlived the server.
    """
    try:
        family = psutil.Process(proc.pid).children(recursive=True)
    except psutil.Error:
        family = []
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    _, alive = psutil.wait_procs(family, timeout=10)
    for child in alive:
        child.kill()
    psutil.wait_procs(alive, timeout=5)
    return [f"{p.pid}" for p in alive]


@pytest.fixture
def lab(repo_root: Path, tmp_path: Path) -> Iterator[str]:
    """URL of the author notebook in a fresh `jupyter lab`; the server is stopped afterwards."""
    port, token = free_port(), secrets.token_hex(16)
    _write_settings(tmp_path / "settings")
    env = {
        **os.environ,
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "SAFESHARE_DATABASE_URL": f"sqlite:///{tmp_path / 'lab.db'}",
    }
    argv = [
        sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1",
        f"--port={port}", f"--ServerApp.token={token}", f"--ServerApp.root_dir={repo_root}",
        f"--LabApp.user_settings_dir={tmp_path / 'settings'}",
        f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}",
    ]  # fmt: skip
    if os.geteuid() == 0:
        argv.append("--allow-root")
    log = (tmp_path / "lab.log").open("w")
    proc = subprocess.Popen(argv, cwd=repo_root, env=env, stdout=log, stderr=subprocess.STDOUT)
    before = (repo_root / NOTEBOOK).read_bytes()
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/api/status?token={token}", proc)
        yield f"http://127.0.0.1:{port}/lab/tree/{NOTEBOOK}?token={token}"
    finally:
        outlived = _stop(proc)
        log.close()
        after = (repo_root / NOTEBOOK).read_bytes()
        if after != before:  # never leave executed outputs in the committed notebook
            (repo_root / NOTEBOOK).write_bytes(before)
        assert outlived == [], f"processes outlived jupyter lab: {outlived}"
        assert after == before, "JupyterLab saved the notebook during the test"


def test_author_notebook_runs_in_jupyterlab(lab, browser, artifacts_dir):
    """Does Run All Cells in JupyterLab render the author app, the example checked and playing?"""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        page.goto(lab)
        page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=40_000)
        page.locator("#jp-main-statusbar").get_by_text("Idle").first.wait_for(timeout=30_000)
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()

        app = page.locator(".ss-author")
        app.get_by_text("Validates and lints clean").wait_for(timeout=40_000)
        preview = app.locator(".ss-app")
        preview.get_by_text("Decision 1: The first hour").wait_for(timeout=20_000)
        assert app.locator("textarea").first.input_value().startswith("# Example scenario")
        assert page.locator(".jp-OutputArea-output[data-mime-type*='error']").count() == 0

        # Collapse the file browser, then photograph the editor, and the tabs with the preview.
        page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current").first.click()
        app.locator(".ss-editor").scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        page.screenshot(path=artifacts_dir / "lab-author-editor.png")
        app.locator(".widget-tab").first.scroll_into_view_if_needed()
        app.locator(".widget-tab").first.evaluate("tab => tab.scrollIntoView({block: 'start'})")
        page.wait_for_timeout(300)
        page.screenshot(path=artifacts_dir / "lab-author.png")

        # The hand-drawn SVG and the scorer's highlights render inside JupyterLab too.
        app.get_by_role("tab", name="Branching").click()
        app.locator("svg.ss-branching").wait_for(timeout=10_000)
        page.screenshot(path=artifacts_dir / "lab-author-branching.png")
        app.get_by_role("tab", name="Try an answer").click()
        app.locator(".ss-try-answer mark.ss-concept").first.wait_for(timeout=10_000)
        page.screenshot(path=artifacts_dir / "lab-author-try.png")
    finally:
        context.close()
