"""Compile Voilà's page templates once per server, not once per page.

Voilà renders every page with a new ``VoilaExporter``, and nbconvert gives each exporter a
new Jinja environment, so each page parsed and compiled the whole template tree again
(``index.html.j2`` and the dozen files it extends, includes and imports). With no warm
pool that was the largest part of the server's work per learner: in a burst of 30 cold
joins, about a third of the Voilà process's CPU went to Jinja's lexer, parser and compiler
(py-spy, issue 17).

Jinja's own answer is a bytecode cache: an environment with one stores each template's
compiled code, keyed by its name and file and checked against a checksum of its source, and
loads it from there the next time instead of compiling. Here every nbconvert environment in
the server process gets one shared, in-memory cache. Each page still reads its templates'
source (the checksum is of the source, so an edited template is compiled afresh) and builds
its own environment, filters and globals; only the compiled code is shared. Compiled code
depends on the environment's async mode and extensions, so those are part of the key.

The cache is also filled as the server starts (:func:`warm_page_templates`): the pages of a
burst all begin rendering before the first finishes, so without it each of the first few
compiled the whole tree too. Likewise nbformat's notebook validators
(:func:`warm_notebook_validators`), which each page's notebook goes through and which
nbformat compiles on first use (about 80 ms each).
"""

from __future__ import annotations

import threading
from typing import Any

from jinja2 import BytecodeCache, TemplateNotFound, meta
from jinja2.bccache import Bucket

PAGE_TEMPLATE = "index.html.j2"  # VoilaExporter's template_file
PAGE_FILTERS = ("highlight_code", "trusted")  # registered by Voilà as each page renders


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


def _unused_filter(value: Any, *args: Any, **kwargs: Any) -> Any:
    return value


def warm_page_templates(template_paths: list[str], template_name: str) -> list[str]:
    """Compile into :data:`SHARED` every template a Voilà page of this look uses.

    The tree is found by reading each template's ``extends``, ``include`` and ``import``
    names, from ``index.html.j2`` down, in an environment made exactly as a page's is (a
    ``VoilaExporter``'s: async, with ``jinja2.ext.do``), so its entries are the ones pages
    look up. The names compiled, in the order reached.
    """
    from voila.exporter import VoilaExporter

    share_template_bytecode()
    exporter = VoilaExporter(template_paths=list(template_paths), template_name=template_name)
    # Filters VoilaExporter.generate_from_notebook_node registers per page (the compiler
    # checks a filter's name exists; its function comes from the page's own environment).
    for name in PAGE_FILTERS:
        exporter.register_filter(name, _unused_filter)
    environment = exporter.environment
    todo, seen = [PAGE_TEMPLATE], []
    while todo:
        name = todo.pop(0)
        if name in seen:
            continue
        try:
            environment.get_template(name)
            source = environment.loader.get_source(environment, name)[0]
        except TemplateNotFound:
            continue
        seen.append(name)
        todo += [n for n in meta.find_referenced_templates(environment.parse(source)) if n]
    return seen


def warm_notebook_validators() -> None:
    """Compile nbformat's validators for current notebooks, strict and relaxed (nbconvert
    validates each page's notebook with ``relax_add_props``), before the first page."""
    import nbformat
    from nbformat.validator import get_validator

    for relaxed in (False, True):
        get_validator(nbformat.current_nbformat, nbformat.current_nbformat_minor, relaxed)
