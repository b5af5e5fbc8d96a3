"""`python -m toolkit.serving.lti`: the LTI tool and SCORM endpoints, with the grade worker.

Started by `safeshare serve` (toolkit.serving.lti.companion) with the server's settings in
its environment; it waits for the database the server migrates, then listens on
``lti_port``. SIGTERM or SIGINT stops it.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

from toolkit.errors import SafeShareError, StoreUnavailable
from toolkit.settings import Settings

READY_LINE = "LTI tool listening on"
STORE_WAIT_SECONDS = 60.0


def serve(settings: Settings) -> int:
    from toolkit.cases import load_library
    from toolkit.lms.keys import signing_key
    from toolkit.serving.lti.app import Tool, make_app
    from toolkit.serving.lti.scorm import scorm_routes
    from toolkit.serving.lti.worker import GradeWorker
    from toolkit.storage import attach_store

    signing_key(settings.lti_key_dir)  # no key: say so and stop, before anything listens
    while True:
        try:
            store = attach_store(settings.database_url, STORE_WAIT_SECONDS)
            break
        except StoreUnavailable as exc:
            print(f"[SafeShare LTI] waiting for the database: {exc}", flush=True)
    library = load_library(settings.case_dirs)
    tool = Tool(settings, store, library)
    worker = GradeWorker(settings, store, library)  # its own HTTP sessions, in its own thread

    async def main() -> None:
        app = make_app(tool, scorm_routes(tool))
        server = app.listen(settings.lti_port, settings.host, xheaders=True)
        print(f"{READY_LINE} {settings.host}:{settings.lti_port}", flush=True)
        worker.start()
        stopped = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stopped.set)
        await stopped.wait()
        worker.stop.set()
        server.stop()

    asyncio.run(main())
    tool.pool.shutdown(wait=False, cancel_futures=True)
    store.close()
    return 0


def main() -> int:
    logging.basicConfig(
        level=logging.INFO, stream=sys.stdout, format="[SafeShare LTI] %(levelname)s %(message)s"
    )
    try:
        return serve(Settings.from_env())
    except SafeShareError as exc:
        print(f"[SafeShare LTI] error: {exc}", flush=True)
        return 1
