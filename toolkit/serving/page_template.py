"""The page template SafeShare's Voilà servers render: Voilà's lab page, nothing from elsewhere.

Voilà's lab template links Font Awesome from a public CDN on every page (a version range, no
integrity hash), so every learner's browser told a third party its address; its error pages
link Font Awesome 4.5 from the same CDN. The `safeshare` template (in jupyter/, a Jupyter data
folder put on the server's JUPYTER_PATH) extends the lab template without those links; the
icons still show, from the Font Awesome that Voilà's own styles carry and this server serves.

The page's template and theme are fixed: `?template=` and `?theme=` are refused as overrides,
and (see toolkit.serving.voila_repairs) taken out of the request, because Voilà gave any page
that named them a cold kernel of its own instead of a warm one from the room.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

TEMPLATE = "safeshare"
DATA_DIR = Path(__file__).resolve().parent / "jupyter"


def template_argv() -> list[str]:
    """Voilà options: render with our template, and let no request choose another."""
    return [
        f"--VoilaConfiguration.template={TEMPLATE}",
        "--VoilaConfiguration.allow_template_override=NO",
        "--VoilaConfiguration.allow_theme_override=NO",
    ]


def jupyter_path(first: Path, inherited: str = "") -> str:
    """JUPYTER_PATH for a server: `first` (its own kernelspec), Voilà's own data folder, our
    template, then whatever the environment had.

    Voilà takes its data folder (themes, schemas) from the first entry holding a voila/
    folder, so its own must come before ours, which holds only the template.
    """
    voila_data = Path(sys.prefix) / "share" / "jupyter"
    entries = [str(first), str(voila_data), str(DATA_DIR), *inherited.split(os.pathsep)]
    return os.pathsep.join(p for p in entries if p)
