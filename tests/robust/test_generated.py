"""Hypothesis-generated YAML and JSON: every document, however strange, gives data or located messages, within
a time bound and under a memory cap (a blow-up fails the test, it does not take the machine)."""

from __future__ import annotations

import contextlib
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from surveykit.errors import ErrorCode
from surveykit.fileio import parse_json, parse_yaml
from surveykit.filekinds import KINDS, validate_file

pytestmark = pytest.mark.timeout(900)

SECONDS = 20  # one document, on a shared machine; ordinary ones take milliseconds
MEMORY_MB = 1024
#: examples per test; SURVEYKIT_FUZZ_EXAMPLES=2000 for a longer search on a developer's machine
EXAMPLES = settings(
    max_examples=int(os.environ.get("SURVEYKIT_FUZZ_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
NEVER = {ErrorCode.OUT_OF_MEMORY, ErrorCode.READ_TIMEOUT}


@contextlib.contextmanager
def memory_cap(extra_mb: int = MEMORY_MB):
    """Cap this process's address space at its current size plus ``extra_mb`` while the block runs."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    with open("/proc/self/status", encoding="ascii") as fh:
        size = next(int(line.split()[1]) * 1024 for line in fh if line.startswith("VmSize:"))
    cap = size + extra_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cap if hard == resource.RLIM_INFINITY else min(cap, hard), hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@pytest.fixture(scope="module", autouse=True)
def _imported():
    """Every kind's loader imported once before anything is timed (imports are not what is measured)."""
    from surveykit.config import PROJECT_ROOT
    from surveykit.filekinds import validate_paths

    validate_paths([PROJECT_ROOT / "questionnaires"])


@pytest.fixture(scope="module")
def folder():
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


# --- the documents ----------------------------------------------------------------------------------------
any_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=20)
numbers = st.one_of(
    st.integers(),
    st.integers(min_value=10**4290, max_value=10**4310),
    st.floats(allow_nan=True, allow_infinity=True),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    numbers,
    any_text,
    st.sampled_from(["yes", "no", "2024-02-30", ".nan", "${a}", "regex(., '(?R)')"]),
)
FIELDS = [
    "code",
    "type",
    "label",
    "min",
    "max",
    "relevant",
    "constraint",
    "choices",
    "items",
    "id",
    "module",
    "kind",
    "answers",
]
keys = st.one_of(st.sampled_from(FIELDS), any_text)
documents = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=6) | st.dictionaries(keys, children, max_size=6),
    max_leaves=60,
)
TYPES = ["integer", "decimal", "text", "select_one", "group", "matrix", "note", "calculate", "likert", "date"]
questions = st.fixed_dictionaries(
    {"code": st.one_of(st.sampled_from(["q1", "q2", "g"]), any_text), "type": st.sampled_from(TYPES)},
    optional={k: documents for k in ("label", "min", "max", "relevant", "constraint", "choices", "items")},
)
shaped = st.one_of(
    documents,
    st.builds(
        lambda kind, rest: {"schema_version": 1, "kind": kind, **rest},
        st.sampled_from(sorted(KINDS)),
        st.dictionaries(keys, documents, max_size=6),
    ),
    st.builds(
        lambda items, extra: {
            "schema_version": 1,
            "id": "g",
            "version": "1",
            "languages": ["en"],
            "default_language": "en",
            "items": items,
            **extra,
        },
        st.lists(questions, max_size=6),
        st.dictionaries(keys, documents, max_size=3),
    ),
)


@contextlib.contextmanager
def long_numbers():
    """Python refuses to write whole numbers over 4,300 digits; the generated files must hold some."""
    before = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    try:
        yield
    finally:
        sys.set_int_max_str_digits(before)


def check(path: Path) -> None:
    started = time.perf_counter()
    with memory_cap():
        checked = validate_file(path)
    assert time.perf_counter() - started < SECONDS
    for problem in checked.report:
        assert problem.code not in NEVER, str(problem)
        assert problem.location.file and Path(problem.location.file).name == path.name, str(problem)
        assert str(problem)  # the message renders


@EXAMPLES
@given(document=shaped, flow=st.booleans())
def test_generated_yaml_gives_data_or_located_messages(folder, document, flow):
    try:
        with long_numbers():
            text = yaml.safe_dump(document, allow_unicode=True, default_flow_style=flow)
    except (yaml.YAMLError, UnicodeError, RecursionError):
        assume(False)
    path = folder / "generated.yaml"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    check(path)


@EXAMPLES
@given(document=shaped, ascii_only=st.booleans())
def test_generated_json_gives_data_or_located_messages(folder, document, ascii_only):
    with long_numbers():
        text = json.dumps(document, allow_nan=True, ensure_ascii=ascii_only)
    path = folder / "generated.json"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    check(path)


YAML_PIECES = st.sampled_from(
    ["[", "]", "{", "}", ":", ",", "- ", "? ", "&a ", "*a", "&b ", "*b", "!!str ", "!x ", "|", ">", "'", '"', "#",
     "%YAML 1.2\n", "---\n", "...\n", "\n", "  ", "\t", "<<: ", "\\0", "\\ud800", "\x00", "\x1b", "key", "1e400",
     ".nan", "9" * 5000, "2024-13-01"]
)  # fmt: skip


@EXAMPLES
@given(pieces=st.lists(YAML_PIECES, max_size=60))
def test_yaml_like_text_never_crashes_the_parser(folder, pieces):
    text = "".join(pieces)
    started = time.perf_counter()
    with memory_cap():
        data, _, report = parse_yaml(text, "t.yaml")
    assert time.perf_counter() - started < SECONDS
    for problem in report:
        assert problem.location.file == "t.yaml" and problem.code not in NEVER


@EXAMPLES
@given(
    pieces=st.lists(
        st.sampled_from(
            [
                "{",
                "}",
                "[",
                "]",
                ":",
                ",",
                '"a"',
                '"\\u0000"',
                '"\\ud800"',
                "1",
                "NaN",
                "-Infinity",
                "1e999",
                "true",
                "nul",
                " ",
                "\n",
                '"a":',
                "9" * 5000,
            ]
        ),
        max_size=80,
    )
)
def test_json_like_text_never_crashes_the_parser(pieces):
    text = "".join(pieces)
    with memory_cap():
        data, _, report = parse_json(text, "t.json")
    assert data is not None or report.errors
    for problem in report:
        assert problem.location.file == "t.json" and problem.location.line is not None


@EXAMPLES
@given(fanout=st.lists(st.integers(min_value=1, max_value=12), min_size=1, max_size=12))
def test_generated_alias_structures_are_bounded_before_they_are_expanded(fanout):
    """Layer i repeats layer i-1 fanout[i] times: expanded sizes from a few values to 12**12."""
    lines = ["l0: &l0 [x]"]
    size = 2
    for i, n in enumerate(fanout, start=1):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * n) + "]")
        size = 1 + n * size
    started = time.perf_counter()
    with memory_cap():
        data, _, report = parse_yaml("\n".join(lines) + "\n", "a.yaml")
    assert time.perf_counter() - started < SECONDS
    total = 1 + sum(1 + s for s in _sizes(fanout))  # the document, each key and each expanded layer
    if total > 1_000_000:
        assert data is None and [p.code for p in report] == [ErrorCode.TOO_MANY_VALUES]
    else:
        assert report.ok and len(data) == len(fanout) + 1


def _sizes(fanout: list[int]) -> list[int]:
    sizes = [2]
    for n in fanout:
        sizes.append(1 + n * sizes[-1])
    return sizes
