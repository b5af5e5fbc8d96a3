"""What a page request may choose: not the page's template or theme, which bypassed the room.

Voilà keeps warm only kernels for pages of its configured template and theme; a request
naming another (`?theme=dark`, `?template=classic`, even one that does not exist) was given
a cold kernel of its own, so a script could start one per request past the warm room, and
an unknown template answered 500. Both arguments are now dropped from page requests.
"""

from __future__ import annotations

import pytest

from tests.security.client import VoilaPage

pytestmark = pytest.mark.timeout(300)


@pytest.mark.parametrize(
    "query", ["?theme=dark", "?template=classic", "?template=no-such&theme=JupyterLab+Dark"]
)
def test_naming_a_theme_or_template_still_takes_a_warm_kernel(hostile_server, query):
    """Does a page asked for with ?theme= or ?template= open on a kernel from the warm room,
    not a cold one started for it alone?"""
    with VoilaPage(hostile_server.url, query) as page:
        kernel = page.kernel_id
        assert 'data-jp-theme-name="JupyterLab Light"' in page.html
    assert f"Using pre-heated kernel: {kernel}" in hostile_server.log_tail(10**7)
