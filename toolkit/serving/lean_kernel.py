"""The kernel SafeShare's servers run notebooks in: stock ipykernel minus what no learner uses.

Three things go. debugpy (the JupyterLab debugger), which ipykernel imports at start: ~30 MiB
and ~0.5 s of CPU per kernel, and a debugger is no use, and no safer, behind a learner's
page. IPython's history, which writes every cell to one SQLite file that 30 kernels would
share. Measured: an idle kernel drops from 76 to 46 MiB RSS. And docstrings: the kernel's
Python runs with ``-OO`` (PYTHON_FLAGS), so the ~880 modules it imports keep no docstrings
(nobody calls ``help()`` behind a learner's page) and no ``assert`` statements: 3.9 MiB less
in every kernel, forked or not (measured on the zygote's imports: 80.0 → 76.1 MiB RSS).

Voilà runs a notebook under the kernel its metadata names (python3). A kernelspec of that
name in a folder put first on JUPYTER_PATH replaces the stock one for one server's kernels
only; nothing is installed or changed for anyone else.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

LEAN_KERNEL_CODE = (
    "import sys; sys.modules['debugpy'] = None; "
    "from ipykernel.kernelapp import launch_new_instance; launch_new_instance()"
)
# The interpreter's own options for every learner kernel and the zygote (see the module doc).
PYTHON_FLAGS = ("-OO",)
# How a lean kernel's command line starts; the connection file and options follow.
LEAN_KERNEL_COMMAND = (sys.executable, *PYTHON_FLAGS, "-c", LEAN_KERNEL_CODE)
KERNEL_NAME = "python3"
# Options after the connection file (a zygote reads them once for all its kernels).
KERNEL_OPTIONS = ("--HistoryManager.enabled=False",)


def write_lean_kernelspec(jupyter_dir: Path, metadata: dict[str, Any] | None = None) -> Path:
    """A `python3` kernelspec running LEAN_KERNEL_CODE, in `jupyter_dir`/kernels/python3/,
    with `metadata` added to its own (the learner server's names its kernel provisioner:
    toolkit.serving.fork_provisioner)."""
    folder = jupyter_dir / "kernels" / KERNEL_NAME
    folder.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [*LEAN_KERNEL_COMMAND, "-f", "{connection_file}", *KERNEL_OPTIONS],
        "display_name": "Python 3 (SafeShare)",
        "language": "python",
        "metadata": {"debugger": False, **(metadata or {})},
    }
    (folder / "kernel.json").write_text(json.dumps(spec, indent=1), encoding="utf-8")
    return folder
