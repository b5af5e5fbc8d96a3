"""The Welsh scenario finished with ?lang=cy in chromium, without meeting an English interface
string: every screen's text and accessible names are compared with the catalogue.

A string leaks when the page shows an interface message in English although the catalogue
has it in Welsh: a whole message (a button, a heading), or a stretch of a longer one (the
words around its {fields}). Case text is Welsh in this scenario, so anything English on the
page came from the interface.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from toolkit.i18n import build

from . import helpers as h

pytestmark = pytest.mark.timeout(420)

pytest.importorskip("babel")
SCENARIO = "sc-cymru-ysgol-datgelu"
# Shown in English on purpose: the name of the other language on the language switch.
ALLOWED = {"English"}
STRETCH = 14  # characters a piece of a longer message must have to be looked for
_SHOWN_JS = """() => {
  const app = document.querySelector('.ss-app');
  const texts = [];
  const walker = document.createTreeWalker(app, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!el || el.closest('style, script, .ss-page-helper')) continue;
    const text = node.textContent.replace(/\\s+/g, ' ').trim();
    if (text) texts.push(text);
  }
  for (const el of app.querySelectorAll('[aria-label], [title], [placeholder], [alt]')) {
    for (const name of ['aria-label', 'title', 'placeholder', 'alt']) {
      const value = el.getAttribute(name);
      if (value) texts.push(value.replace(/\\s+/g, ' ').trim());
    }
  }
  return {texts, all: app.innerText.replace(/\\s+/g, ' ')};
}"""


def english_messages() -> list[tuple[str, list[str]]]:
    """(message, its literal pieces) for every message whose Welsh differs from it."""
    found = []
    for message in build.read("cy"):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for english in ids:
            if english in strings:
                continue
            pieces = [p.strip(" .,:;()") for p in re.split(r"\{[^}]*\}", english)]
            found.append((english, [p for p in pieces if p]))
    return found


ENGLISH = english_messages()


def leaks(shown: dict[str, Any]) -> list[str]:
    """English interface messages (or stretches of them) on the page."""
    texts = {t.replace("\xa0", " ") for t in shown["texts"]} - ALLOWED
    everything = shown["all"].replace("\xa0", " ")
    found = []
    for english, pieces in ENGLISH:
        if "{" not in english and english in texts:
            found.append(english)
        for piece in pieces:
            if len(piece) >= STRETCH and " " in piece and piece in everything:
                found.append(f"{piece!r} (from {english!r})")
    return sorted(set(found))


@pytest.fixture(scope="module")
def welsh_play(serve_app, browser) -> dict[str, list[str]]:
    """Play the Welsh scenario to the end in Welsh; what leaked on each screen."""
    served = h.start_learner(serve_app)
    page = h.new_page(browser)
    screens: dict[str, list[str]] = {}

    def look(name: str) -> None:
        page.wait_for_timeout(300)
        screens[name] = leaks(page.evaluate(_SHOWN_JS))

    try:
        h.open_app(page, f"{served.url}?lang=cy", "Senarios")
        look("picker")
        page.get_by_role("button", name=re.compile("^Dechrau: Marc ar fraich")).click()
        h.wait_heading(page, "Penderfyniad 1")
        look("decision-1")
        page.get_by_role("button", name="Cyflwyno ateb").click()
        page.get_by_role("alert").wait_for()
        look("decision-1-error")
        page.get_by_role("radio", name=re.compile("^Ffonio Mam")).click()
        page.get_by_role("textbox", name="Eich rhesymu").fill(
            "Rhaid i mi gael caniatâd Mam cyn dweud wrth neb, felly fe ffoniaf hi amser cinio."
        )
        page.get_by_role("button", name="Cyflwyno ateb").click()
        page.get_by_role("button", name="Y penderfyniad nesaf").wait_for()
        look("feedback-1")
        page.get_by_role("button", name="Y penderfyniad nesaf").click()
        h.wait_heading(page, "Penderfyniad 2")
        page.get_by_role("radio", name=re.compile("^Mynd at y PDD nawr")).click()
        page.get_by_role("button", name="Cyflwyno ateb").click()
        page.get_by_role("button", name="Y penderfyniad nesaf").wait_for()
        look("feedback-1b")
        page.get_by_role("button", name="Y penderfyniad nesaf").click()
        h.wait_heading(page, "Penderfyniad 3")
        look("decision-multi")
        for option in ("^Mae ysgol yn gallu", "^Rhaid cael caniatâd"):
            page.get_by_role("checkbox", name=re.compile(option)).click()
        page.get_by_role("button", name="Cyflwyno ateb").click()
        page.get_by_role("button", name="Y penderfyniad nesaf").wait_for()
        look("feedback-multi")
        page.get_by_role("button", name="Y penderfyniad nesaf").click()
        h.wait_heading(page, "Penderfyniad 4")
        look("decision-plan")
        for item in ("^Geiriau Plentyn B", "^Ffeil gyfan", "^Grŵp negeseuon"):
            page.get_by_role("checkbox", name=re.compile(item)).click()
        page.get_by_label("Sail gyfreithlon Erthygl 6").select_option(index=1)  # consent
        page.get_by_label("Amod categori arbennig").select_option(index=2)
        page.get_by_role("radio", name="Yn nes ymlaen heddiw").click()
        page.get_by_role("radio", name=re.compile("^Ie: dweud wrthyn nhw cyn")).click()
        page.get_by_role("button", name="Cyflwyno ateb").click()
        page.get_by_role("button", name="Gweld y canlyniad").wait_for()
        look("feedback-plan")
        page.get_by_role("button", name="Gweld y canlyniad").click()
        page.locator(".ss-summary").wait_for()
        look("summary")
        page.get_by_role("button", name="Dewis senario arall").click()
        h.wait_heading(page, "Senarios")
        look("picker-again")
        screens["lang"] = [page.evaluate("() => document.documentElement.lang")]
    finally:
        page.context.close()
        h.stop_learner(served)
    return screens


def test_the_catalogue_is_read():
    """Are there English messages to look for (a broken catalogue would pass anything)?"""
    assert len(ENGLISH) > 500


@pytest.mark.parametrize(
    "screen",
    [
        "picker",
        "decision-1",
        "decision-1-error",
        "feedback-1",
        "feedback-1b",
        "decision-multi",
        "feedback-multi",
        "decision-plan",
        "feedback-plan",
        "summary",
        "picker-again",
    ],
)
def test_no_english_interface_string(welsh_play, screen):
    """Does this screen of the Welsh scenario, in Welsh, show no English interface message?"""
    assert welsh_play[screen] == [], f"English on the Welsh {screen}: {welsh_play[screen]}"


def test_the_page_is_marked_welsh(welsh_play):
    """Is the whole page marked lang="cy" once the app is in Welsh?"""
    assert welsh_play["lang"] == ["cy"]


def test_the_check_finds_english():
    """Does the check catch an English button and a stretch of an English sentence, and let
    Welsh and the switch's "English" through?"""
    shown = {
        "texts": ["Submit answer", "English", "Cyflwyno ateb"],
        "all": "Eich cod parhau: X. Keep it to continue later on this or another device.",
    }
    found = leaks(shown)
    assert "Submit answer" in found
    assert any("Keep it to continue later" in f for f in found)
    assert leaks({"texts": ["Cyflwyno ateb", "English"], "all": "Cyflwyno ateb"}) == []
