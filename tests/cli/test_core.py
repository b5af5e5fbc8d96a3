"""The core verbs that read learner text: `safeshare score` and `safeshare rationale`."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from toolkit.cli import cli
from toolkit.scoring.limits import RATIONALE_MAX_CHARS

ROOT = Path(__file__).parents[2]
SCENARIO = ROOT / "case_studies" / "scenarios" / "sc-nursery-bruising.yaml"


def test_score_refuses_a_rationale_over_the_limit_in_one_line(tmp_path):
    """Does `safeshare score` refuse an 8.9 MB rationale with one line and exit 2?"""
    responses = tmp_path / "responses.json"
    answer = {"decision": "d1", "choice": "a", "rationale": "x" * 8_900_000}
    responses.write_text(json.dumps({"answers": [answer]}))
    result = CliRunner().invoke(cli, ["score", str(SCENARIO), str(responses), "--json"])
    assert result.exit_code == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert "rationale is 8,900,000 characters, more than the limit of 5,000" in line


def test_rationale_refuses_a_text_over_the_limit_in_one_line(tmp_path):
    """Does `safeshare rationale` answer the lines before and refuse the long one, exit 2?"""
    texts = tmp_path / "texts.jsonl"
    rows = [{"id": "r1", "text": "I would tell the DSL now."}, {"id": "r2", "text": "z" * 6_000}]
    texts.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    result = CliRunner().invoke(cli, ["rationale", str(texts), "--json"])
    assert result.exit_code == 2
    assert json.loads(result.stdout.splitlines()[0])["id"] == "r1"
    [line] = result.stderr.splitlines()
    assert line.endswith(
        'line 2: "text" is 6,000 characters, more than the limit of 5,000; it is never cut'
    )


def test_the_tools_state_their_limit():
    """Do both verbs' help texts state the limit the code keeps?"""
    for verb in ("score", "rationale"):
        text = CliRunner().invoke(cli, [verb, "--help"]).stdout
        assert f"{RATIONALE_MAX_CHARS:,} characters" in " ".join(text.split())
