"""Page helpers for the learner app's browser tests: keys, axe-core, and what the page shows.

Keyboard helpers only press keys; they read `document.activeElement` to know where focus is,
as a sighted keyboard user reads the focus ring. Screenshots go through `snap`, because
Voilà's lab template scrolls inside a fixed-height panel, so a "full page" shot would stop at
the window's edge.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
AXE_JS = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
# The rules axe runs: WCAG 2.0, 2.1 and 2.2 at levels A and AA (issue 16). Every violation
# fails, whatever its impact.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
VIEWPORT = {"width": 1100, "height": 900}
POINTS = re.compile(r"You scored ([\d.]+) out of ([\d.]+) for this decision\.")

# What the focused element is called: its label's text, else its own text, else its tag.
_FOCUSED_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return "(page)";
  const label = el.labels && el.labels.length ? el.labels[0].innerText : "";
  return (label || el.innerText || el.value || el.tagName).replace(/\\s+/g, " ").trim();
}"""


def start_learner(serve_app: Any) -> Any:
    """A learner server of our own (its database URL is what the tests inspect)."""
    served = serve_app("learner", room=1)
    served.wait_ready()
    return served


def stop_learner(served: Any) -> None:
    """Stop it with SIGTERM and fail if it hung or left a kernel behind."""
    code, seconds = served.stop()
    assert code == 0, f"learner server exited {code} after {seconds:.1f} s"
    assert served.leftovers() == [], "learner server left processes behind"


def new_page(browser: Any) -> Any:
    """A page at the screenshot viewport that records any JavaScript dialog in `.dialogs`."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.dialogs = []

    def refuse(dialog: Any) -> None:
        page.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", refuse)
    return page


def open_app(page: Any, url: str, heading: str) -> None:
    """Go to `url` and wait (a cold kernel may take a while) for a heading starting `heading`."""
    page.goto(url)
    wait_heading(page, heading, timeout=60_000)


def wait_heading(page: Any, heading: str, timeout: float = 15_000) -> None:
    page.get_by_role("heading", name=re.compile("^" + re.escape(heading))).wait_for(timeout=timeout)


# Keyboard ---------------------------------------------------------------------------------
def focused(page: Any) -> str:
    """The name of the element that has keyboard focus ("(page)" when nothing has)."""
    return page.evaluate(_FOCUSED_JS)


def wait_focus(page: Any, name: str, timeout: float = 5_000) -> str:
    """Wait until focus is on the element called `name` (the app moves it after a render)."""
    try:
        page.wait_for_function(
            f"name => ({_FOCUSED_JS})() === name", arg=name, timeout=timeout, polling=100
        )
    except Exception:  # noqa: BLE001 - report where focus is instead of a timeout trace
        pytest.fail(f"focus never reached {name!r}; it is on {focused(page)!r}")
    return name


def tab_to(page: Any, name: str, *, backwards: bool = False, limit: int = 80) -> int:
    """Press Tab (or Shift+Tab) until the focused element's name starts with `name`.

    Returns how many presses it took (0 if already there); fails with the route taken.
    """
    key = "Shift+Tab" if backwards else "Tab"
    route = [focused(page)]
    for presses in range(limit + 1):
        if route[-1].startswith(name):
            return presses
        page.keyboard.press(key)
        route.append(focused(page))
    pytest.fail(f"{key} never reached {name!r}; focus went: {' → '.join(route[:30])}")


def press_on(page: Any, name: str, key: str = "Space", **tab: Any) -> int:
    """Tab to the control called `name` and press `key` on it; returns the Tab presses."""
    presses = tab_to(page, name, **tab)
    page.keyboard.press(key)
    return presses


def pick_with_arrows(page: Any, option: str, limit: int = 20) -> None:
    """On a focused <select>, press ArrowDown until the selected option is `option`."""
    for _ in range(limit):
        page.keyboard.press("ArrowDown")
        chosen = page.evaluate("() => document.activeElement.selectedOptions[0].text")
        if chosen.replace("\xa0", " ") == option:  # ipywidgets shows spaces as &nbsp;
            return
    pytest.fail(f"ArrowDown never selected {option!r}")


# What the page shows ------------------------------------------------------------------------
def points_shown(page: Any) -> list[tuple[float, float]]:
    """(points, max) from every feedback panel on the page, in order."""
    texts = page.locator(".ss-feedback .ss-points").all_inner_texts()
    return [(float(m[1]), float(m[2])) for m in (POINTS.search(t) for t in texts) if m]


def last_points(page: Any) -> tuple[float, float]:
    shown = points_shown(page)
    assert shown, "no points shown after the answer"
    return shown[-1]


def resume_code(page: Any) -> str:
    text = page.locator("p", has_text="Your resume code").first.inner_text()
    match = re.search(r"[A-Z0-9]{4}(?:-[A-Z0-9]{4}){3}", text)
    assert match, f"no resume code in {text!r}"
    return match.group(0)


def summary_totals(page: Any) -> tuple[int, float, float]:
    """(percent, points, max points) as the summary states them."""
    text = page.locator(".ss-summary").inner_text()
    percent = re.search(r"Your result: (\d+)%", text)
    points = re.search(r"([\d.]+) of ([\d.]+) points", text)
    assert percent and points, f"summary without a score: {text[:300]!r}"
    return int(percent[1]), float(points[1]), float(points[2])


# Accessibility ------------------------------------------------------------------------------
def require_axe() -> Path:
    """axe.min.js from node_modules (`npm ci`); missing means skip here, fail in CI."""
    if AXE_JS.is_file():
        return AXE_JS
    reason = f"{AXE_JS} is missing: run `npm ci` at the repo root (make test does)"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def run_axe(page: Any, exclude: Iterable[dict[str, Any]] = ()) -> dict[str, Any]:
    """axe-core's results for the page as it is now, on the WCAG 2.2 A/AA rules.

    `exclude` lists {"rule": id, "selector": css} pairs: that rule is not applied to those
    nodes only; every other rule still checks them.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(require_axe()))
    rules = list(exclude)
    return page.evaluate(
        """async ([rules, tags]) => {
          const results = await axe.run(document, {runOnly: {type: "tag", values: tags}});
          results.incomplete = results.incomplete.map(v => ({id: v.id, count: v.nodes.length,
            targets: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
          delete results.passes; delete results.inapplicable;
          results.violations = results.violations.map(v => {
            const skip = rules.filter(r => r.rule === v.id).map(r => r.selector);
            v.nodes = v.nodes.filter(n => !skip.some(s => document.querySelector(n.target[0])
              && document.querySelector(n.target[0]).closest(s)));
            return v;
          }).filter(v => v.nodes.length);
          return results;
        }""",
        [rules, WCAG_TAGS],
    )


def describe(results: dict[str, Any]) -> str:
    """Every violation, one line each plus its nodes, and what axe left for a person to judge."""
    lines = [] if results["violations"] else ["no violations"]
    violations = results["violations"]
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({len(v['nodes'])} nodes)")
        for node in v["nodes"][:8]:
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    {json.dumps(node['target'])} {node['html'][:120]}  {summary[:200]}")
    review = "; ".join(
        f"{i['id']} ({i['count']}: {', '.join(i['targets'])})"
        for i in results.get("incomplete", [])
    )
    lines.append(f"needs review (axe could not decide): {review or 'nothing'}")
    return "\n".join(lines)


def blocking(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Every violation: none is let through for being "moderate" or "minor"."""
    return list(results["violations"])


# Reflow (WCAG 1.4.10) ---------------------------------------------------------------------
# 320 CSS pixels wide is a 1280-pixel window at 400% zoom; 640 by 450 is 1280 by 900 at 200%.
NARROW = {"width": 320, "height": 640}
ZOOM_200 = {"width": 640, "height": 450}

_OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth, wide = [];
  for (const el of document.querySelectorAll('.ss-app *')) {
    if (el.closest('.ss-scroll, .ss-page-helper')) continue;  // data tables scroll in a region
    const box = el.getBoundingClientRect();
    if (box.width && box.height && box.right > width + 1) {
      const name = `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}`;
      wide.push(`${name} ends at ${Math.round(box.right)}`);
    }
  }
  return wide.slice(0, 8);
}"""


def reflow(page: Any, path_stem: Path) -> dict[str, list[str]]:
    """Screenshots at 320 px and at 200% zoom (`path_stem`-320.png, -zoom200.png) and, for
    each, what is wider than the window (nothing, outside scrolling data tables)."""
    size, found = page.viewport_size, {}
    try:
        for name, viewport in (("320", NARROW), ("zoom200", ZOOM_200)):
            page.set_viewport_size(viewport)
            page.wait_for_timeout(400)  # Lumino lays the panel out again after the resize
            found[name] = page.evaluate(_OVERFLOW_JS)
            # The whole page at that width: as tall as the app, so nothing is cut off.
            height = page.evaluate("() => document.querySelector('.ss-app').scrollHeight")
            page.set_viewport_size({"width": viewport["width"], "height": min(height + 60, 9000)})
            page.wait_for_timeout(300)
            path = path_stem.with_name(f"{path_stem.name}-{name}.png")
            path.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=path)
    finally:
        page.set_viewport_size(size)
        page.wait_for_timeout(300)
    return found


# Screenshots ------------------------------------------------------------------------------
def snap(
    page: Any,
    path: Path,
    top: str = ".ss-app",
    bottom: str | None = None,
    max_height: float | None = None,
) -> Path:
    """Screenshot from `top`'s upper edge to `bottom`'s lower edge (default: all of `top`),
    at most `max_height` pixels tall, as wide as the app column.

    The window is made tall enough for the whole app first, then restored, so the shot is not
    clipped by Voilà's scrolling panel.
    """
    size = page.viewport_size
    height = page.evaluate("() => document.querySelector('.ss-app').scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], height + 60)})
    try:
        page.wait_for_timeout(300)  # Lumino lays the panel out again after the resize
        app = page.locator(".ss-app").bounding_box()
        first = page.locator(top).first.bounding_box()
        last = page.locator(bottom).last.bounding_box() if bottom else first
        y0, y1 = first["y"] - 12, last["y"] + last["height"] + 12
        y1 = min(y1, y0 + max_height) if max_height else y1
        clip = {"x": app["x"] - 12, "y": y0, "width": app["width"] + 24, "height": y1 - y0}
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=path, clip=clip)
    finally:
        page.set_viewport_size(size)
    return path
