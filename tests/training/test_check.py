"""`safeshare detector check`: a fixed model scored on labelled text it never saw.

The command is how a new author's file, an independent test set or a cohort's moderation
export is measured without refitting anything; it needs no training extra.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest
from click.testing import CliRunner

from toolkit.cli import cli
from toolkit.scoring.rationale import analyse
from toolkit.training.corpus import parse_lines
from toolkit.training.evaluate import Tally, concepts, misconceptions, score_labelled

ROWS = [
    {
        "id": "x-1",
        "author": "x",
        "text": "He has told me his stepdad hits him, so I am ringing the MASH today.",
        "concepts": ["C-risk-of-harm", "C-timely", "C-right-recipient"],
        "misconceptions": [],
    },
    {
        "id": "x-2",
        "author": "x",
        "text": "Can't share anything, GDPR says no without mum's consent.",
        "concepts": [],
        "misconceptions": ["M-dp-barrier", "M-consent-always"],
    },
    {
        "id": "y-1",
        "author": "y",
        "text": "<script>alert(1)</script> I'll write down what I shared, with whom and why.",
        "concepts": ["C-record-decision"],
        "misconceptions": [],
    },
]


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _figures(output: str) -> dict:
    return json.loads(output.strip().splitlines()[-1])


def test_check_reports_what_the_shipped_model_finds(tmp_path):
    path = _write(tmp_path / "rows.jsonl", ROWS)
    result = CliRunner().invoke(cli, ["detector", "check", str(path)])
    assert result.exit_code == 0, result.output
    expected = Tally()
    for row in ROWS:
        found = analyse(row["text"])
        expected.add(
            row["concepts"] + row["misconceptions"], [*found.concepts, *found.misconceptions]
        )
    assert _figures(result.output) == {
        "concept_micro_f1": round(expected.prf(concepts())[2], 4),
        "misconception_micro_f1": round(expected.prf(misconceptions())[2], 4),
    }
    assert "A fixed model (no refit) on 3 rationales by 2 authors (x, y)" in result.output
    assert "| x | 2 |" in result.output and "| y | 1 |" in result.output


def test_a_model_file_given_is_the_model_scored(tmp_path):
    shipped = resources.files("toolkit.scoring.detector").joinpath("data/model.json")
    model = tmp_path / "model.json"
    data = json.loads(shipped.read_text("utf-8"))
    data["bias"] = [-30.0] * len(data["bias"])  # a model that shows nothing
    model.write_text(json.dumps(data), encoding="utf-8")
    rows = _write(tmp_path / "rows.jsonl", ROWS)
    result = CliRunner().invoke(cli, ["detector", "check", "--model", str(model), str(rows)])
    assert result.exit_code == 0, result.output
    assert _figures(result.output) == {"concept_micro_f1": 0.0, "misconception_micro_f1": 0.0}


def test_misses_are_written_for_error_analysis(tmp_path):
    rows = _write(tmp_path / "rows.jsonl", ROWS)
    misses = tmp_path / "misses.jsonl"
    result = CliRunner().invoke(cli, ["detector", "check", str(rows), "--misses", str(misses)])
    assert result.exit_code == 0, result.output
    written = [json.loads(line) for line in misses.read_text("utf-8").splitlines()]
    ev = score_labelled(parse_lines([json.dumps(r) for r in ROWS], "rows"))
    assert [r["id"] for r in written] == [e.id for e, _ in ev.misses]
    for record in written:
        assert set(record["found"]) != set(record["concepts"] + record["misconceptions"])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"id": "z-1"}\n', "rows.jsonl:1: missing author"),
        (
            '{"id": "z-1", "author": "z", "text": "t", "concepts": ["C-nope"], '
            '"misconceptions": []}\n',
            "rows.jsonl:1:",
        ),
        ("not json\n", "rows.jsonl:1: not valid JSON"),
    ],
)
def test_a_bad_row_is_named_by_file_and_line(tmp_path, content, message):
    path = tmp_path / "rows.jsonl"
    path.write_text(content, encoding="utf-8")
    result = CliRunner().invoke(cli, ["detector", "check", str(path)])
    assert result.exit_code == 2
    assert message in result.output


def test_the_same_id_in_two_files_is_refused(tmp_path):
    a = _write(tmp_path / "a.jsonl", ROWS[:1])
    b = _write(tmp_path / "b.jsonl", ROWS[:1])
    result = CliRunner().invoke(cli, ["detector", "check", str(a), str(b)])
    assert result.exit_code == 2
    assert "duplicate example ids: x-1" in result.output


def test_a_broken_model_file_is_named(tmp_path):
    model = tmp_path / "model.json"
    model.write_text("{", encoding="utf-8")
    rows = _write(tmp_path / "rows.jsonl", ROWS)
    result = CliRunner().invoke(cli, ["detector", "check", "--model", str(model), str(rows)])
    assert result.exit_code == 2
    assert f"{model}: detector weights are not valid JSON" in result.output
