"""One complete path through the example scenario, as RESPONSES answers (CASE_FORMAT §4)."""

SCENARIO = "sc-nursery-bruising"
PATH = [
    {
        "decision": "d1",
        "choice": "a",
        "rationale": "Unexplained bruises on a two-year-old who flinches are a risk of "
        "significant harm, so I will refer to the front door today without waiting for "
        "proof, and record my decision and reasons.",
    },
    {"decision": "d2", "choices": ["a", "b", "d"]},
    {
        "decision": "d3",
        "plan": {
            "items": ["body-map", "attendance"],
            "recipients": ["csc"],
            "lawful_basis": "public-task",
            "condition": "safeguarding-children",
            "timing": "now",
            "tell_family": "not-if-risk",
            "record": True,
        },
        "rationale": "Injury details are health data, so Schedule 1 paragraph 18 applies; I "
        "will not tell Mother first because it could increase the risk.",
    },
    {"decision": "d4", "choice": "a"},
]


def play(app, answers=PATH) -> None:
    """Submit every answer through the learner app, as its Submit buttons would."""
    for answer in answers:
        given = {k: v for k, v in answer.items() if k != "decision"}
        assert app.submit(answer["decision"], given) is not None
        if not app.player.finished:
            app._render_play()
