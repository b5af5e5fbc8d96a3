"""toolkit.serving.lean_kernel: the kernelspec every served notebook runs under."""

from __future__ import annotations

import json

from toolkit.serving.lean_kernel import KERNEL_NAME, write_lean_kernelspec


def test_kernelspec_replaces_python3_for_one_folder(tmp_path):
    """Is the spec named python3 (what notebooks ask for), with the debugger turned off?"""
    folder = write_lean_kernelspec(tmp_path)
    spec = json.loads((folder / "kernel.json").read_text())
    assert folder == tmp_path / "kernels" / KERNEL_NAME == tmp_path / "kernels" / "python3"
    assert "{connection_file}" in spec["argv"]
    assert spec["metadata"] == {"debugger": False}


def test_lean_kernel_starts_without_debugger_or_history(tmp_path):
    """Does the lean kernelspec start a working kernel with no debugpy and no history file?"""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    write_lean_kernelspec(tmp_path)
    specs = KernelSpecManager(kernel_dirs=[str(tmp_path / "kernels")])
    manager = KernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=specs)
    manager.start_kernel()
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        code = (
            "import sys; from ipykernel.debugger import _is_debugpy_available as d;"
            " print(d, [m for m, v in sys.modules.items() if 'pydevd' in m and v],"
            " get_ipython().history_manager.enabled)"
        )
        lines = []
        client.execute_interactive(
            code,
            timeout=60,
            output_hook=lambda msg: lines.append(msg["content"].get("text", "")),
        )
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    assert "".join(lines).strip() == "False [] False"
