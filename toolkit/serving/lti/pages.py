"""The LTI tool's own pages: a refused launch, the Deep Linking picker, the form that returns
a pick to the LMS. Plain HTML with inline styles, loading nothing from anywhere; every text
that came from outside is escaped."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from html import escape

from toolkit.cases import Scenario

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:0;
color:#1b1b1b;background:#f7f7f5;line-height:1.5}
main{max-width:46em;margin:2em auto;padding:1.5em 2em;background:#fff;border:1px solid #d6d6d0;
border-radius:6px}
h1{font-size:1.5em;margin-top:0}.muted{color:#555}
.error{border-left:6px solid #b00020;padding-left:1em}
fieldset{border:0;padding:0;margin:0}legend{font-weight:600;margin-bottom:.5em}
label.card{display:block;border:1px solid #c9c9c2;border-radius:6px;padding:.6em .9em;margin:.5em 0;
cursor:pointer}label.card:focus-within{outline:3px solid #1d70b8;outline-offset:2px}
label.card input{margin-right:.6em;transform:scale(1.2)}
.badge{display:inline-block;background:#eef2f7;border-radius:3px;padding:0 .4em;margin-right:.3em;
font-size:.9em}
button{font:inherit;font-weight:600;background:#1d70b8;color:#fff;border:0;border-radius:4px;
padding:.6em 1.2em;cursor:pointer}button:focus{outline:3px solid #fd0;outline-offset:2px}
code{background:#f0f0ec;padding:0 .3em;border-radius:3px;word-break:break-all}
"""

# What a launch refusal means to the person who sees it, by a word in the library's reason.
REASONS = (
    ("expired", "The launch from your course had expired before it reached SafeShare."),
    ("nonce", "This launch has already been used. Each launch from your course works once."),
    ("state", "The launch did not come back to the browser that started it."),
    ("signature", "The launch's signature could not be checked against your LMS's keys."),
    ("decode", "The launch's signature could not be checked against your LMS's keys."),
    ("public key", "The launch's signature could not be checked against your LMS's keys."),
    ("registration", "Your LMS is not registered with SafeShare for this tool."),
    ("client id", "Your LMS is not registered with SafeShare for this tool."),
    ("deployment", "This deployment of SafeShare in your LMS is not registered with SafeShare."),
)
INCOMPLETE = "The launch from your course was incomplete or malformed."
WHAT_NEXT = (
    "Nothing was recorded. Go back to your course and open the activity again; if this keeps "
    "happening, tell your LMS administrator."
)


def page(title: str, body: str, *, lang: str = "en") -> str:
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} · SafeShare</title><style>{STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )


def explain(reason: str) -> str:
    """The sentence a person sees for a library's reason (kept for the detail line)."""
    lowered = reason.lower()
    for word, sentence in REASONS:
        if word in lowered:
            return sentence
    return INCOMPLETE


def refused(reason: str, sentence: str | None = None) -> str:
    """A launch SafeShare would not accept: what happened, that nothing was kept, what to do."""
    sentence = sentence or explain(reason)
    detail = f'<p class="muted">For your LMS administrator: <code>{escape(reason)}</code></p>'
    body = (
        '<div class="error" role="alert"><h1>SafeShare could not open this activity</h1>'
        f"<p>{escape(sentence)}</p></div>"
        f"<p>{escape(WHAT_NEXT)}</p>" + (detail if reason != sentence else "")
    )
    return page("Launch refused", body)


def picker(scenarios: Iterable[Scenario], launch_id: str, action: str, multiple: bool) -> str:
    """The Deep Linking picker: the scenarios an instructor may add to their course."""
    from toolkit.guidance import vocabulary

    nations = vocabulary().nations
    kind = "checkbox" if multiple else "radio"
    cards = "".join(
        f'<label class="card"><input type="{kind}" name="scenario" value="{escape(s.id)}">'
        f"<strong>{escape(s.title)}</strong><br>"
        f'<span class="badge">{escape(nations[s.nation].name)}</span>'
        f'<span class="badge">{s.minutes} min</span>'
        f'<span class="muted">Guidance steps: {escape(", ".join(s.steps))}</span></label>'
        for s in sorted(scenarios, key=lambda s: s.title)
    )
    what = "one or more scenarios" if multiple else "a scenario"
    body = (
        "<h1>Add SafeShare scenarios to your course</h1>"
        f"<p>Choose {what}. Each becomes an activity in your course: learners open it from "
        "there, and their result (0–100%) and a comment with their profile across the ICO's "
        "10 steps come back to your gradebook.</p>"
        f'<form method="post" action="{escape(action)}">'
        f'<input type="hidden" name="launch_id" value="{escape(launch_id)}">'
        f"<fieldset><legend>Scenarios</legend>{cards}</fieldset>"
        '<p><button type="submit">Add to course</button></p></form>'
    )
    return page("Choose scenarios", body)


def return_to_lms(url: str, fields: Mapping[str, str], count: int) -> str:
    """The page that posts an instructor's pick back to the LMS (by itself, or by button)."""
    inputs = "".join(
        f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in fields.items()
    )
    noun = "activity" if count == 1 else "activities"
    body = (
        f"<h1>Adding {count} {noun} to your course</h1>"
        f'<form id="back" method="post" action="{escape(url)}">{inputs}'
        '<p><button type="submit">Return to your course</button></p></form>'
        "<script>document.getElementById('back').submit();</script>"
    )
    return page("Returning to your course", body)
