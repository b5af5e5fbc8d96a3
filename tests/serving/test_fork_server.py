"""The learner server with forked kernels (issue 17): how they are chosen, and that stopping the
server leaves no process behind, zygote and spare included."""

from __future__ import annotations

import io
import signal
import time

import psutil
import pytest

from tests.security.server import REPO_ROOT, AppServer
from toolkit.serving import server as server_module
from toolkit.serving.forking import PROVISIONER_NAME, ZYGOTE_FOLDER, zygote_settled
from toolkit.serving.server import VoilaServer
from toolkit.serving.zygote import ZYGOTE_CODE
from toolkit.settings import Settings


def _server(tmp_path, notebook: str = "learner", **settings) -> tuple[VoilaServer, io.StringIO]:
    log = io.StringIO()
    config = Settings.from_env({}).with_(**settings)
    server = VoilaServer(notebook, config, log=log)
    server.ready_dir = tmp_path
    return server, log


def test_the_learner_server_forks_its_kernels_from_a_zygote(tmp_path):
    """Does the learner's kernelspec name the fork provisioner and a folder for its zygote?"""
    server, log = _server(tmp_path)
    stanza = server._provisioner_metadata()["kernel_provisioner"]
    assert stanza["provisioner_name"] == PROVISIONER_NAME
    assert stanza["config"]["zygote_dir"] == str(tmp_path / ZYGOTE_FOLDER)
    assert log.getvalue() == ""


@pytest.mark.parametrize(
    ("notebook", "provisioner"), [("learner", "local"), ("trainer", "fork"), ("reviewer", "fork")]
)
def test_other_servers_and_the_local_setting_start_ordinary_kernels(
    tmp_path, notebook, provisioner
):
    """Are kernels ordinary when the setting says local, and on the other apps' servers?"""
    server, _ = _server(tmp_path, notebook, kernel_provisioner=provisioner)
    assert server._provisioner_metadata() is None
    assert server.zygote_dir is None


def test_where_fork_is_unavailable_kernels_are_ordinary_and_the_log_says_why(tmp_path, monkeypatch):
    """On a system that cannot fork kernels, does the server say so and go on?"""
    monkeypatch.setattr(server_module, "fork_unavailable", lambda: "win32 cannot fork kernels")
    server, log = _server(tmp_path)
    assert server._provisioner_metadata() is None
    assert "warning: kernels start the ordinary way: win32 cannot fork kernels" in log.getvalue()


def test_ready_waits_for_the_zygote_or_for_its_absence(tmp_path):
    """Is the zygote's folder settled only once it serves, or once Voilà gave up on it?"""
    assert not zygote_settled(tmp_path)
    (tmp_path / "ready").touch()
    assert zygote_settled(tmp_path)
    (tmp_path / "ready").unlink()
    (tmp_path / "off").write_text("the zygote died 5 times in 60 s\n")
    assert zygote_settled(tmp_path)


def _processes_of(database_url: str) -> list[psutil.Process]:
    """Every live process started for the server with this database (they inherit its URL)."""
    found = []
    for proc in psutil.process_iter():
        try:
            if proc.environ().get("SAFESHARE_DATABASE_URL") == database_url:
                if proc.status() != psutil.STATUS_ZOMBIE:
                    found.append(proc)
        except psutil.Error:
            continue
    return found


def _is_zygote(proc: psutil.Process) -> bool:
    try:
        return ZYGOTE_CODE in proc.cmdline()
    except psutil.Error:
        return False


@pytest.mark.timeout(300)
def test_stopping_the_server_leaves_zero_processes(tmp_path):
    """With a room of forked kernels, a zygote and its spare running, does stopping the
    server (Ctrl-C, as `make serve` is stopped) leave no process at all of the ones it
    started? SIGTERM is tests/serving/test_server_process.py's, with forked kernels too
    (the default), counting every process that carries the server's database."""
    signum = signal.SIGINT
    url = f"sqlite:///{tmp_path / 'store.db'}"
    server = AppServer(url, [REPO_ROOT / "case_studies"], tmp_path, room=2)
    server.start()
    try:
        running = _processes_of(url)
        zygotes = [p for p in running if _is_zygote(p)]
        kernels = server.kernels()
        assert len(zygotes) == 2, "a zygote and its spare"
        assert len(kernels) == 2 and {k.ppid() for k in kernels} <= {z.pid for z in zygotes}
        assert len(running) == 1 + 1 + 2 + 2  # supervisor, Voilà, zygote and spare, kernels
        server.proc.send_signal(signum)
        assert server.proc.wait(30) == 0
    finally:
        server.stop()
    deadline = time.monotonic() + 5
    while _processes_of(url) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _processes_of(url) == []
