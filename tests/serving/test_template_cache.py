"""Tests for toolkit.serving.template_cache: Voilà's page templates compiled once per server."""

from __future__ import annotations

import nbformat
import pytest
from jinja2 import DictLoader, Environment
from nbconvert import HTMLExporter
from voila.exporter import VoilaExporter

from toolkit.serving import template_cache
from toolkit.serving.template_cache import (
    PAGE_FILTERS,
    SHARED,
    SharedBytecode,
    share_template_bytecode,
    warm_notebook_validators,
    warm_page_templates,
)


@pytest.fixture
def compiles(monkeypatch):
    """How many templates Jinja compiles from source (as opposed to loading bytecode)."""
    calls: list[str | None] = []
    real = Environment.compile

    def counting(self, source, name=None, filename=None, raw=False, defer_init=False):
        calls.append(name)
        return real(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(Environment, "compile", counting)
    return calls


def _voila_exporter() -> VoilaExporter:
    from voila.paths import collect_template_paths

    paths = collect_template_paths(["voila", "nbconvert"], "lab", prune=True)
    return VoilaExporter(template_paths=paths, template_name="lab", base_url="/")


NOTEBOOK = nbformat.v4.new_notebook(
    cells=[
        nbformat.v4.new_markdown_cell("# <b>Hello</b> & bye"),
        nbformat.v4.new_code_cell("1 + 1", outputs=[]),
    ]
)


def _page() -> str:
    """A whole page from a new exporter (as Voilà makes one per page), with the lab template
    tree: index.html.j2 extends and includes several files."""
    return HTMLExporter(template_name="lab").from_notebook_node(NOTEBOOK)[0]


def test_a_second_page_compiles_no_template(compiles):
    """Does the second exporter load every template's compiled code instead of compiling?"""
    share_template_bytecode()
    SHARED.clear()
    first_page = _page()
    first = len(compiles)
    assert first >= 5, f"the lab page is several templates: {compiles}"
    assert _page() == first_page
    assert len(compiles) == first, compiles[first:]
    assert len(SHARED) >= first


def test_installing_twice_wraps_once():
    share_template_bytecode()
    from nbconvert.exporters.templateexporter import TemplateExporter

    once = TemplateExporter._create_environment
    share_template_bytecode()
    assert TemplateExporter._create_environment is once
    assert _voila_exporter().environment.bytecode_cache is SHARED


def test_an_edited_template_is_compiled_again(compiles):
    """Is the checksum of the source part of the check, so an edit is never served stale?"""
    cache = SharedBytecode()
    sources = {"page.j2": "one {{ x }}"}

    def env() -> Environment:
        return Environment(loader=DictLoader(sources), bytecode_cache=cache)

    assert env().get_template("page.j2").render(x=1) == "one 1"
    assert env().get_template("page.j2").render(x=2) == "one 2"
    assert compiles == ["page.j2"]
    sources["page.j2"] = "two {{ x }}"
    assert env().get_template("page.j2").render(x=3) == "two 3"
    assert compiles == ["page.j2", "page.j2"]


def test_async_and_sync_environments_never_share_code():
    """Jinja compiles a template differently for async rendering: separate entries, so a
    sync environment never gets async code (it would fail to render). The async template
    is only loaded here: rendering it would need an event loop of its own."""
    cache = SharedBytecode()
    loader = DictLoader({"t.j2": "{% for i in items %}{{ i }}{% endfor %}"})
    asynchronous = Environment(loader=loader, bytecode_cache=cache, enable_async=True)
    asynchronous.get_template("t.j2")
    sync = Environment(loader=loader, bytecode_cache=cache)
    assert sync.get_template("t.j2").render(items=[1, 2]) == "12"
    again = Environment(loader=loader, bytecode_cache=cache)
    assert again.get_template("t.j2").render(items=[3]) == "3"
    assert len(cache) == 2


def test_extensions_are_part_of_the_key():
    cache = SharedBytecode()
    loader = DictLoader({"t.j2": "{% set a = [] %}{% do a.append(1) %}{{ a }}"})
    with_do = Environment(loader=loader, bytecode_cache=cache, extensions=["jinja2.ext.do"])
    assert with_do.get_template("t.j2").render() == "[1]"
    plain = Environment(loader=loader, bytecode_cache=cache)
    with pytest.raises(Exception, match="do"):
        plain.get_template("t.j2")


def test_module_docstring_names_the_measurement():
    assert "py-spy" in (template_cache.__doc__ or "")


def test_warming_compiles_the_tree_a_voila_page_loads(compiles):
    """After the start-up warm, does a page's environment (async, jinja2.ext.do) find every
    template of the tree compiled, with nothing left to compile?"""
    SHARED.clear()
    from voila.paths import collect_template_paths

    paths = collect_template_paths(["voila", "nbconvert"], "lab", prune=True)
    names = warm_page_templates(paths, "lab")
    assert names[0] == "index.html.j2" and {"base.html.j2", "display_priority.j2"} <= set(names)
    warmed = len(compiles)
    assert warmed == len(names) == len(SHARED)
    page = _voila_exporter()
    for name in PAGE_FILTERS:
        page.register_filter(name, lambda value, **kw: value)
    for name in names:
        page.environment.get_template(name)
    assert len(compiles) == warmed, compiles[warmed:]


def test_warming_the_validators_leaves_nothing_to_compile(monkeypatch):
    import nbformat
    from nbformat import validator

    warm_notebook_validators()
    monkeypatch.setattr(validator, "_get_schema_json", _no_schema_reads)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")])
    nbformat.validate(nb)
    nbformat.validate(nb, relax_add_props=True)


def _no_schema_reads(*args, **kwargs):
    raise AssertionError("a validator was compiled after the warm-up")


def test_a_failed_warm_is_logged_and_the_server_still_starts(caplog, monkeypatch):
    """Does a warm-up that fails cost a warning in the log, not the server's start?"""
    import logging

    from toolkit.serving import voila_repairs

    def broken(*args):
        raise RuntimeError("template tree unreadable")

    monkeypatch.setattr(voila_repairs, "warm_page_templates", broken)

    class App:
        template_paths = ["/nowhere"]
        voila_configuration = type("Configuration", (), {"template": "lab"})()
        log = logging.getLogger("voila-test")

    with caplog.at_level(logging.WARNING, logger="voila-test"):
        voila_repairs._warm_templates(App())
    assert "not compiled at start: template tree unreadable" in caplog.text
