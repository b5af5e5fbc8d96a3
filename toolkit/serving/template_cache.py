"""Compile Voilà's page templates once per server, not once per page.

Voilà renders every page with a new ``VoilaExporter``, and nbconvert gives each exporter a
new Jinja environment, so each page parsed and compiled the whole template tree again
(``index.html.j2`` and the nine files it extends and includes). With no warm pool that was the
largest part of the server's work per learner: in a burst of 30 cold joins, about a third of
the Voilà process's CPU went to Jinja's lexer, parser and compiler (py-spy, issue 17).

Jinja's own answer is a bytecode cache: an environment with one stores each template's
compiled code, keyed by its name and file and checked against a checksum of its source, and
loads it from there the next time instead of compiling. Here every nbconvert environment in
the server process gets one shared, in-memory cache. Each page still reads its templates'
source (the checksum is of the source, so an edited template is compiled afresh) and builds
its own environment, filters and globals; only the compiled code is shared. Compiled code
depends on the environment's async mode and extensions, so those are part of the key.
"""

from __future__ import annotations

import threading
from typing import Any

from jinja2 import BytecodeCache
from jinja2.bccache import Bucket


class SharedBytecode(BytecodeCache):
    """Jinja bytecode kept in this process's memory, for every environment that asks."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def get_bucket(self, environment: Any, name: str, filename: str | None, source: str) -> Bucket:
        # The same template compiles differently for a sync and an async environment, and
        # with other extensions (Voilà adds jinja2.ext.do to its own).
        flavour = f"{int(environment.is_async)}|{'|'.join(sorted(environment.extensions))}|"
        key = self.get_cache_key(flavour + name, filename)
        bucket = Bucket(environment, key, self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket: Bucket) -> None:
        with self._lock:
            code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)  # rejected (reset) if the source changed

    def dump_bytecode(self, bucket: Bucket) -> None:
        code = bucket.bytecode_to_string()
        with self._lock:
            self._code[bucket.key] = code

    def clear(self) -> None:
        with self._lock:
            self._code.clear()

    def __len__(self) -> int:
        return len(self._code)


SHARED = SharedBytecode()


def share_template_bytecode() -> None:
    """Give every nbconvert template environment made from now on :data:`SHARED` (idempotent)."""
    from nbconvert.exporters.templateexporter import TemplateExporter

    create = TemplateExporter._create_environment
    if getattr(create, "shares_bytecode", False):
        return

    def _create_environment(self: Any) -> Any:
        environment = create(self)
        environment.bytecode_cache = SHARED
        return environment

    _create_environment.shares_bytecode = True  # type: ignore[attr-defined]
    TemplateExporter._create_environment = _create_environment  # type: ignore[method-assign]
