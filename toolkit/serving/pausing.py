"""Pausing a learner page left idle: the page is told, then its kernel is freed.

A page left open holds its kernel (~75 MB) for as long as the tab stays open, and Jupyter's
culler never takes a kernel whose page is connected. On the learner server a page with no
activity for `pause_idle_after` seconds is paused instead (toolkit.serving.kernel_room finds
them): the server runs one call in the page's kernel, the learner app's own
``toolkit.app.pause.pause_page``, which replaces the page with a "paused" panel and a
Continue link (the learner's resume code and scenario, so the answers stored at every
Submit bring them back where they were); then the kernel is shut down. The panel stays on
the page without its kernel, and the link needs none.

The call comes from the server, never from the page (Voilà drops execute requests from
clients), exactly as Voilà itself runs the notebook in the kernel.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

PAUSE_CALL = "from toolkit.app.pause import pause_page as _pause\n_pause({idle})\ndel _pause\n"
ANSWER_SECONDS = 10.0  # a kernel that has not run the call by then is freed all the same
# After the kernel's reply, a moment for its widget messages (sent just before the reply, on
# another channel) to pass through the server to the page before the kernel is shut down.
DELIVERY_SECONDS = 1.0


async def tell_the_page(kernel: Any, idle_seconds: float) -> None:
    """Run the app's pause call in `kernel` (a jupyter_client AsyncKernelManager) and wait for
    its reply; raises TimeoutError (queue.Empty) or the client's error when it does not come."""
    client = kernel.client()
    client.start_channels()
    try:
        msg_id = client.execute(
            PAUSE_CALL.format(idle=int(idle_seconds)),
            silent=True,
            store_history=False,
            allow_stdin=False,
        )
        deadline = time.monotonic() + ANSWER_SECONDS
        while True:
            reply = await client.get_shell_msg(timeout=max(0.1, deadline - time.monotonic()))
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        await asyncio.sleep(DELIVERY_SECONDS)
    finally:
        client.stop_channels()
