"""Fuzzing the answers-file reader: whatever the bytes, the only error is a one-line AnswersError.

Any other exception is a bug (it would show a traceback). Crashes found by fuzzing are kept as
``@example`` regression cases below, each with a note on what it broke.
"""

from __future__ import annotations

import json

import pytest
import yaml
from answer_sets import answer_for, answer_sets
from fixtures_paths import MINI_RULES
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from triage.assessment.answers import parse_answers, parse_document
from triage.errors import AnswersError
from triage.ruleset.files import default_rules_dir
from triage.ruleset.load import RULE_FILES
from triage.ruleset.yamlio import SafeLoader, load_yaml

FUZZ = settings(
    max_examples=200, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)

ALIAS_BOMB = b"a: &a [x, x, x, x, x, x, x, x, x]\n" + b"".join(
    f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n".encode() for p, n in zip("abcdefgh", "bcdefghi")
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["yes", "no", "not_sure", "side", "desk", "emergency", "general", "patient", "1980-01-02"]),
)
documents = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=30,
)
YAML_PIECES = [
    "answers", ":", " ", "\n", "  ", "- ", "{", "}", "[", "]", ",", "&a ", "*a", "!!str ", "!!int ", "!!binary ",
    "!!set ", "!!python/object:os.system ", "? ", "|", ">", "'", '"', "#", "%YAML 1.1\n", "---\n", "...\n", "~",
    "yes", "no", "1e400", "0x1F", "0o17", ".inf", ".nan", "2024-02-30", "<<: *a", "\t", "\ufeff", "\x85", "\\",
]


def _only_answers_errors(call) -> None:
    try:
        call()
    except AnswersError as error:
        assert "\n" not in str(error), "an error must be one line"


@FUZZ
@given(data=st.binary(max_size=400), is_json=st.booleans())
@example(data=ALIAS_BOMB, is_json=False)  # hung: nested aliases expand to 9**9 values
@example(data=b"? [a, b]\n: 1\n", is_json=False)  # TypeError: unhashable key in the duplicate-key check
@example(data=b"{? {a: 1}: 2}", is_json=False)
@example(data=b"answers: {age: " + b"9" * 5000 + b"}", is_json=False)  # was reported as "invalid JSON"
@example(data=b"[" * 100_000, is_json=True)  # RecursionError in json
@example(data=b"[" * 100_000, is_json=False)
@example(data="answers: {}".encode("utf-16"), is_json=False)
@example(data=b"\xef\xbb\xbf{}", is_json=True)
@example(data=b'{"a": 1e400}', is_json=True)
def test_any_bytes_parse_or_give_one_line(data, is_json):
    _only_answers_errors(lambda: parse_document("fuzz", data, is_json))


@FUZZ
@given(pieces=st.lists(st.sampled_from(YAML_PIECES), max_size=40))
@example(pieces=["!!int "])  # IndexError inside PyYAML's int constructor
@example(pieces=["answers", ":", " ", "!!set ", "{", "a", "}"])
@example(pieces=["&a ", "[", "*a", "]"])
def test_yaml_shaped_text_parses_or_gives_one_line(pieces):
    _only_answers_errors(lambda: parse_document("fuzz", "".join(pieces).encode("utf-8", "surrogatepass"), False))


@FUZZ
@given(document=documents, as_json=st.booleans())
def test_any_document_round_trips_through_the_reader(document, as_json):
    text = json.dumps(document) if as_json else yaml.safe_dump(document, allow_unicode=True)
    _only_answers_errors(lambda: parse_document("fuzz", text.encode("utf-8", "surrogatepass"), as_json))


TOP_KEYS = ["schema_version", "answers", "patient", "respondent", "nurse", "notes", "override", "ruleset_version"]


@st.composite
def answers_documents(draw, ruleset):
    """Documents shaped like answers files: the right keys with anything (or the right thing) in them."""
    ids = [q.id for q in ruleset.questions]
    answers = draw(st.dictionaries(st.sampled_from(ids) | st.text(max_size=8), documents, max_size=8))
    document = {key: draw(documents) for key in draw(st.lists(st.sampled_from(TOP_KEYS), unique=True, max_size=4))}
    document["answers"] = answers
    return document


@FUZZ
@given(data=st.data())
def test_any_document_is_validated_or_refused_in_one_line(rules_and_engine, data):
    ruleset, assessor = rules_and_engine
    document = data.draw(answers_documents(ruleset))
    try:
        parsed = parse_answers(ruleset, document, source="fuzz")
    except AnswersError as error:
        assert str(error).startswith("fuzz: ") and "\n" not in str(error)
        return
    _only_answers_errors(lambda: assessor.assess(parsed))


@pytest.mark.parametrize(
    "document",
    [
        {"patient": {"\n": None}, "answers": {}},  # the error named the key with its newline: two lines
        {"answers": {"\x1b[2J": "yes"}},  # a terminal escape in an unknown question id
        {"answers": {}, "notes": {"\n": "x"}},
    ],
)
def test_regressions_found_by_fuzzing(mini_ruleset, document):
    with pytest.raises(AnswersError) as raised:
        parse_answers(mini_ruleset, document, source="fuzz")
    assert str(raised.value).isprintable()


@FUZZ
@given(data=st.data())
def test_one_wrong_answer_in_a_valid_set_is_refused_or_accepted_never_a_crash(rules_and_engine, data):
    """Start from a complete valid answer set and replace one answer with anything at all."""
    ruleset, assessor = rules_and_engine
    answers = data.draw(answer_sets(ruleset))
    question = data.draw(st.sampled_from(ruleset.questions))
    answers[question.id] = data.draw(documents | answer_for(question))
    try:
        parsed = parse_answers(ruleset, {"answers": answers}, source="fuzz")
    except AnswersError:
        return
    assert assessor.assess(parsed).disposition is not None



@pytest.mark.parametrize("folder", ["shipped", "mini"])
def test_rule_files_read_the_same_with_libyaml_and_without(folder):
    """Rule files are read with libyaml when it is installed: they must read the same without it."""
    directory = default_rules_dir() if folder == "shipped" else MINI_RULES
    for name in RULE_FILES:
        text = (directory / name).read_text(encoding="utf-8")
        assert load_yaml(text, rule_file=True) == yaml.load(text, Loader=SafeLoader), name  # noqa: S506


@FUZZ
@given(pieces=st.lists(st.sampled_from(YAML_PIECES), max_size=40))
@example(pieces=["["] * 5000)  # deeper than libyaml's composer may go: the Python loader takes over
@example(pieces=["- "] * 3000 + ["x"])
@example(pieces=["a: ", "[", "{"] * 300)
def test_reading_a_rule_file_never_crashes_the_process(pieces):
    """libyaml's composer crashes the interpreter on very deep nesting; the guard must send such
    text to the pure-Python loader, which fails with an ordinary exception instead."""
    try:
        load_yaml("".join(pieces), rule_file=True)
    except (yaml.YAMLError, RecursionError, ValueError, TypeError, IndexError, OverflowError):
        pass
