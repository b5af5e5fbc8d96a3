"""Whether the learner server forks its kernels, as the supervisor sees it (no jupyter_client).

The ``kernel_provisioner`` setting chooses: ``fork`` (the default) or ``local``. With ``fork``
the supervisor writes the learner server's lean kernelspec naming the SafeShare provisioner
(``toolkit.serving.fork_provisioner``, found by jupyter_client through its entry point) and
the folder of the server's zygote; before saying "ready" it waits until the zygote serves, or
until Voilà's side has given up on it (kernels then start the ordinary way). Where this
system cannot fork kernels at all, it says why in the log and writes a plain kernelspec.
"""

from __future__ import annotations

import os
import sys
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

PROVISIONER_NAME = "safeshare-fork"
ENTRY_POINT_GROUP = "jupyter_client.kernel_provisioners"
ZYGOTE_FOLDER = "zygote"
READY_MARKER = "ready"  # written by the zygote's keeper while a zygote serves
OFF_MARKER = "off"  # written by the keeper when it gave up: kernels start the local way


def fork_unavailable() -> str | None:
    """Why kernels cannot be forked here (None when they can): fork, pidfds (Linux 5.3) and
    the provisioner's entry point (installed with the project) are needed."""
    if not hasattr(os, "fork") or not hasattr(os, "pidfd_open"):
        return f"{sys.platform} cannot fork kernels (needs fork and pidfds)"
    try:
        os.close(os.pidfd_open(os.getpid()))
    except OSError as exc:
        return f"this system has no pidfds ({exc.strerror})"
    if not entry_points(group=ENTRY_POINT_GROUP, name=PROVISIONER_NAME):
        return f"the {PROVISIONER_NAME} kernel provisioner is not installed (run uv sync)"
    return None


def kernelspec_metadata(zygote_dir: Path) -> dict[str, Any]:
    """Kernelspec metadata making jupyter_client fork kernels from this folder's zygote."""
    return {
        "kernel_provisioner": {
            "provisioner_name": PROVISIONER_NAME,
            "config": {"zygote_dir": str(zygote_dir)},
        }
    }


def zygote_settled(zygote_dir: Path) -> bool:
    """Is the zygote serving, or has Voilà's side given up on it? (Either way new learners'
    kernels start without waiting for it.)"""
    return (zygote_dir / READY_MARKER).exists() or (zygote_dir / OFF_MARKER).exists()
