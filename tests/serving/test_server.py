"""serving.server without a browser: the Voilà command line, the app registry, start-up errors."""

from __future__ import annotations

import io
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from toolkit.errors import SafeShareError
from toolkit.serving import server
from toolkit.serving.page_template import DATA_DIR, jupyter_path
from toolkit.serving.server import APPS, build_voila_argv, main, notebook_path, port_of
from toolkit.settings import Settings
from toolkit.storage.engine import make_engine

NOTEBOOK = Path("/srv/notebooks/learner.ipynb")


def options(argv: list[str]) -> dict[str, str]:
    """`--A.b=c` options of an argv as {"A.b": "c"}."""
    return dict(a[2:].split("=", 1) for a in argv if a.startswith("--") and "=" in a)


def test_argv_serves_one_notebook_from_its_own_folder():
    """Is the notebook (not a folder) served, rooted in notebooks/, on the configured address?"""
    argv = build_voila_argv(Settings.from_env({}, host="127.0.0.2", port=9001), NOTEBOOK)
    assert argv[1:4] == ["-m", "voila", str(NOTEBOOK)]
    opts = options(argv)
    assert opts["Voila.root_dir"] == "/srv/notebooks"
    assert opts["Voila.ip"] == "127.0.0.2"
    assert opts["Voila.port"] == "9001"
    assert opts["Voila.port_retries"] == "0"
    assert "--no-browser" in argv


def test_argv_keeps_secure_defaults_explicit():
    """Are sources stripped and tracebacks hidden even if a config file says otherwise?"""
    opts = options(build_voila_argv(Settings.from_env({}), NOTEBOOK))
    assert opts["VoilaConfiguration.strip_sources"] == "True"
    assert opts["VoilaConfiguration.show_tracebacks"] == "False"


def test_argv_culls_abandoned_kernels_but_never_a_connected_one():
    """Is an idle kernel culled after 20 minutes only when no browser is connected?"""
    opts = options(build_voila_argv(Settings.from_env({}), NOTEBOOK))
    assert opts["MappingKernelManager.cull_idle_timeout"] == "1200"
    assert opts["MappingKernelManager.cull_connected"] == "False"


@pytest.mark.parametrize(("room", "preheat"), [(0, None), (3, "True")])
def test_room_sets_the_preheated_pool(room, preheat):
    """Does --room N keep N warm kernels, and room 0 turn preheating off?"""
    opts = options(build_voila_argv(Settings.from_env({}, room=room), NOTEBOOK))
    assert opts.get("VoilaConfiguration.preheat_kernel") == preheat
    assert opts.get("VoilaConfiguration.default_pool_size") == (str(room) if room else None)


@pytest.mark.parametrize(
    ("name", "port"), [("learner", 8866), ("trainer", 8867), ("reviewer", 8868)]
)
def test_each_app_listens_on_its_own_port(name, port):
    """Can the three apps run side by side on their default ports?"""
    assert port_of(name, Settings.from_env({})) == port
    assert set(APPS) >= {"learner", "trainer", "reviewer"}


def test_only_the_trainer_app_gets_the_token():
    """Is the trainer token kept out of learner and reviewer kernels?"""
    assert [name for name, app in APPS.items() if app.needs_token] == ["trainer"]


def test_unknown_notebook_names_the_ones_there_are(tmp_path):
    """Does asking for a missing notebook list the notebooks that exist?"""
    (tmp_path / "learner.ipynb").write_text("{}")
    with pytest.raises(SafeShareError, match=r"no notebook nope\.ipynb .*there are: learner"):
        notebook_path("nope", tmp_path)


def test_busy_port_is_reported_not_wandered_from(repo_root):
    """Does a taken port make serve exit 1 naming the port and the setting to change?"""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "toolkit.serving", "learner", "--port", str(port)],
            cwd=repo_root,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert f"127.0.0.1:{port}" in result.stderr
    assert "SAFESHARE_PORT" in result.stderr


def test_argv_waits_long_enough_for_widgets_and_refills_the_pool_late():
    """Are the IOPub wait and the pool's refill delay taken from the settings?

    With Voilà's defaults (4 s, 1 s) pages of a burst went out without widgets and refills
    competed with the learners who had just arrived (issue 8).
    """
    settings = Settings.from_env({}, room=3, iopub_timeout=45, pool_fill_delay=12.5)
    opts = options(build_voila_argv(settings, NOTEBOOK))
    assert opts["VoilaExecutor.iopub_timeout"] == "45"
    assert opts["VoilaKernelManager.fill_delay"] == "12.5"
    no_pool = options(build_voila_argv(settings.with_(room=0), NOTEBOOK))
    assert "VoilaKernelManager.fill_delay" not in no_pool


def test_kernels_talk_over_unix_sockets_not_tcp_ports():
    """Do kernels use IPC transport, so a room starting at once cannot collide on ports?"""
    opts = options(build_voila_argv(Settings.from_env({}, room=30), NOTEBOOK))
    assert opts["KernelManager.transport"] == "ipc"


def test_the_author_notebook_is_never_served_by_voila():
    """Is the author notebook (it writes case files) refused, naming the apps and JupyterLab?"""
    with pytest.raises(SafeShareError, match=r"author is not an app .*learner, trainer.*make lab"):
        notebook_path("author")
    assert main(["author", "--port", "1"]) == 1


class _ReadyServer:
    """Stands in for VoilaServer in run(): ready at once, gone at the first look."""

    def __init__(self, name, settings):
        self.url, self.lost_kernels, self.alive = "http://127.0.0.1:9/", [], False
        self.settings = settings

    def start(self):
        pass

    def wait_ready(self, stop=None):
        return True

    def stop(self):
        return 0


@pytest.mark.parametrize("from_env", [False, True], ids=["made here", "operator's"])
def test_the_trainer_server_prints_its_sign_in_link(monkeypatch, from_env):
    """Once ready, does the trainer server print the link trainers open, with a token made
    here in it, and only the setting's name for a token the operator chose?"""
    monkeypatch.setattr(server, "VoilaServer", _ReadyServer)
    settings = Settings.from_env({}, trainer_token="operators-secret" if from_env else None)
    out = io.StringIO()
    server.run("trainer", settings, out=out)
    link = re.search(r"Trainers sign in at: (\S+)", out.getvalue()).group(1)
    if from_env:
        assert link == "http://127.0.0.1:9/?token=<SAFESHARE_TRAINER_TOKEN>"
        assert "operators-secret" not in out.getvalue()
    else:
        token = re.search(r"Trainer token \(give it to trainers only\): (\S+)", out.getvalue())
        assert link == f"http://127.0.0.1:9/?token={token.group(1)}" and len(token.group(1)) >= 20
    learner_out = io.StringIO()
    server.run("learner", settings, out=learner_out)
    assert "sign in" not in learner_out.getvalue() and "token" not in learner_out.getvalue()


def test_the_server_migrates_once_retrying_while_the_database_is_busy(tmp_path, monkeypatch):
    """Does the server bring the store's schema up to date for its kernels (learner and
    trainer), and when the database is busy at start (another writer holding the lock),
    keep trying until it can?"""
    from tests.sqlitelock import WriteLock
    from toolkit.storage import engine
    from toolkit.storage.migrate import HEAD, current_revision

    monkeypatch.setattr(engine, "BUSY_TIMEOUT_MS", 200)
    path = tmp_path / "new.db"
    url = f"sqlite:///{path}"
    log = io.StringIO()
    vs = server.VoilaServer("learner", Settings.from_env({}, database_url=url), log=log)
    assert APPS["learner"].store and APPS["trainer"].store and not APPS["reviewer"].store
    lock = WriteLock(path)
    try:
        vs._start_migration()
        deadline = time.monotonic() + 30
        while "store not prepared" not in log.getvalue() and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        lock.release()
    probe = make_engine(url)
    try:
        deadline = time.monotonic() + 30
        while current_revision(probe) != HEAD and time.monotonic() < deadline:
            time.sleep(0.1)
        assert current_revision(probe) == HEAD
    finally:
        probe.dispose()
        vs._stopping.set()
    assert "database is locked" in log.getvalue()


def test_pages_render_our_template_and_no_request_picks_another():
    """Is every page rendered with the `safeshare` template (no third-party links), with the
    template and theme fixed whatever the address asks for?"""
    opts = options(build_voila_argv(Settings.from_env({}), NOTEBOOK))
    assert opts["VoilaConfiguration.template"] == "safeshare"
    assert opts["VoilaConfiguration.allow_template_override"] == "NO"
    assert opts["VoilaConfiguration.allow_theme_override"] == "NO"
    template = DATA_DIR / "voila" / "templates" / "safeshare"
    assert {p.name for p in template.iterdir()} >= {"conf.json", "index.html.j2", "page.html"}
    assert "https://" not in (template / "page.html").read_text()


def test_voila_finds_its_own_data_before_our_template():
    """Does JUPYTER_PATH list the server's kernelspec, then Voilà's data folder (its themes
    come from the first voila/ folder found), then our template, then the inherited path?"""
    entries = jupyter_path(Path("/tmp/ready/jupyter"), "/opt/extra").split(os.pathsep)
    assert entries[0] == "/tmp/ready/jupyter"
    assert (Path(entries[1]) / "voila" / "templates" / "lab").is_dir()
    assert entries[2:] == [str(DATA_DIR), "/opt/extra"]


@pytest.mark.parametrize(
    ("name", "admits"), [("learner", True), ("trainer", False), ("reviewer", False)]
)
def test_only_the_learner_server_admits_pages_within_max_kernels(name, admits):
    """Is the learner server (open to a whole room) the one run by the room kernel manager,
    with the settings' cap, per-client rate and idle pause?"""
    settings = Settings.from_env({}, max_kernels=12, client_kernels_per_minute=5)
    argv = build_voila_argv(settings, Path(f"/srv/notebooks/{name}.ipynb"))
    opts = options(argv)
    assert ("VoilaConfiguration.multi_kernel_manager_class" in opts) is admits
    if admits:
        assert opts["RoomKernelManager.max_kernels"] == "12"
        assert opts["RoomKernelManager.client_kernels_per_minute"] == "5"
        assert opts["RoomKernelManager.pause_idle_after"] == "1800"
