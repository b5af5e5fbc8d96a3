"""Hand-edited case files never crash the loader: any bytes give a case or located problems.

Authors edit YAML by hand, so the loader's contract is total: whatever the file holds, it
returns a case or raises CaseFileError whose every problem names the file, a line and a
field. Hypothesis feeds it random text and bytes, random YAML documents, and valid cases
with a field dropped or its value replaced by something of another type.
"""

from __future__ import annotations

import atexit
import copy
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from toolkit.cases import load_case
from toolkit.cases.model import Review, Scenario
from toolkit.errors import CaseFileError

REPO_ROOT = Path(__file__).resolve().parents[2]
VALID = {
    "scenario": REPO_ROOT / "case_studies" / "scenarios" / "sc-nursery-bruising.yaml",
    "review": next(iter(sorted((REPO_ROOT / "case_studies" / "reviews").glob("*.yaml")))),
}
WORK = Path(tempfile.mkdtemp(prefix="safeshare-fuzz-"))
atexit.register(shutil.rmtree, WORK, ignore_errors=True)  # Hypothesis cannot use tmp_path
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
# A whole case file through ruamel takes 0.1–0.5 s here, so fewer examples for those.
FUZZ_CASES = settings(FUZZ, max_examples=25)
ORIGINALS = {kind: yaml.safe_load(path.read_text(encoding="utf-8")) for kind, path in VALID.items()}

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.dates(),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)


def check(path: Path) -> Any:
    """Load `path`; the case, or None after checking every problem is located."""
    try:
        return load_case(path)
    except CaseFileError as error:
        assert error.problems, "a CaseFileError must list its problems"
        for problem in error.problems:
            assert problem.file == str(path)
            assert isinstance(problem.line, int) and problem.line >= 0
            assert isinstance(problem.field, str) and problem.field
            assert problem.message
        return None


def write(name: str, content: str | bytes) -> Path:
    path = WORK / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", errors="surrogatepass")
    return path


@FUZZ
@given(st.text(max_size=300))
def test_any_text(text):
    """Does any text at all give a case or located problems?"""
    check(write("text.yaml", text.encode("utf-8", "surrogatepass")))


@FUZZ
@given(st.binary(max_size=300))
def test_any_bytes(content):
    """Do arbitrary bytes (not UTF-8, NULs, BOMs) give located problems, never a crash?"""
    check(write("bytes.yaml", content))


@settings(FUZZ, max_examples=100)
@given(st.dictionaries(st.sampled_from(["kind", "id", "decisions", "endings", "chronology",
                                        "agencies", "title", "steps"]), values, max_size=6),
       st.sampled_from(["scenario", "review", "other"]))  # fmt: skip
# Found by this test, each once a crash in the rules (AttributeError, KeyError, TypeError):
@example({}, "scenario")
@example({"decisions": [None]}, "scenario")
@example({"chronology": [None]}, "scenario")
@example({"agencies": [None]}, "review")
@example({"decisions": [{"id": "d1", "rationale": {"expect": {"C-timely": None}}}]}, "scenario")
def test_random_documents(document, kind):
    """Does a random mapping with case-like keys give a case or located problems?"""
    document["kind"] = kind
    check(write("doc.yaml", yaml.safe_dump(document, allow_unicode=True)))


def paths(document: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path to a value inside `document` (keys and list indexes)."""
    found = [prefix] if prefix else []
    if isinstance(document, dict):
        for key, value in document.items():
            found += paths(value, (*prefix, key))
    elif isinstance(document, list):
        for i, value in enumerate(document):
            found += paths(value, (*prefix, i))
    return found


def mutate(document: Any, path: tuple, replacement: Any, drop: bool) -> Any:
    parent = document
    for part in path[:-1]:
        parent = parent[part]
    if drop:
        del parent[path[-1]]
    else:
        parent[path[-1]] = replacement
    return document


@pytest.mark.parametrize("kind", sorted(VALID))
@FUZZ_CASES
@given(data=st.data())
def test_mutated_valid_cases(kind, data):
    """A valid case with one field dropped or retyped: a case, or problems with a line ≥ 1?"""
    original = ORIGINALS[kind]
    path = data.draw(st.sampled_from(paths(original)), label="path")
    drop = data.draw(st.booleans(), label="drop")
    replacement = data.draw(values, label="replacement")
    document = mutate(copy.deepcopy(original), path, replacement, drop)
    text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
    case = check(write(f"{kind}.yaml", text))
    if case is not None:
        assert isinstance(case, Scenario | Review)
        return
    try:
        load_case(WORK / f"{kind}.yaml")
    except CaseFileError as error:
        assert all(p.line >= 1 for p in error.problems), "a mapping's problems have lines"


def test_alias_bomb_is_refused_quickly():
    """Does a 'billion laughs' YAML (aliases nested nine deep) give problems in seconds?"""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]")
    lines.append("kind: scenario\nid: sc-bomb\ntitle: *a8\ndecisions: *a8")
    assert check(write("bomb.yaml", "\n".join(lines) + "\n")) is None
