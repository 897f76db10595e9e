"""What a person types into search, turned into FTS5 terms; snippets and their highlights."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incidentdesk.core.library.search import (
    MARK_CLOSE,
    MARK_OPEN,
    Term,
    emphasise,
    match_expression,
    parse_query,
    unmark,
)

# One FTS5 string (doubled quotes inside), perhaps followed by the prefix star.
FTS5_STRING = re.compile(r'"(?:[^"]|"")*"\*?')


def test_words_are_separate_terms_that_must_all_match() -> None:
    assert parse_query("disk  full\tdb-01") == [Term("disk"), Term("full"), Term("db-01")]
    assert match_expression("disk full") == '"disk" "full"'


def test_quoted_phrases_stay_together() -> None:
    assert parse_query('"connection pool" saturated') == [
        Term("connection pool"),
        Term("saturated"),
    ]


def test_a_trailing_star_makes_a_prefix() -> None:
    assert parse_query('deploy* "roll back"*') == [
        Term("deploy", prefix=True),
        Term("roll back", prefix=True),
    ]
    assert match_expression("deploy*") == '"deploy"*'


def test_an_unclosed_quote_runs_to_the_end() -> None:
    assert parse_query('timeout "connection pool') == [Term("timeout"), Term("connection pool")]


@pytest.mark.parametrize(
    "query",
    ["", "   ", '""', '" "', "*", "**", "- + ^ : ( ) { }", "🔥🚒", "\x00\x01", '"🔥"*', "\ud800"],
)
def test_a_query_with_nothing_searchable_is_none(query: str) -> None:
    assert parse_query(query) == []
    assert match_expression(query) is None


@pytest.mark.parametrize("word", ["AND", "OR", "NOT", "NEAR", "NEAR(a", "text:foo", "^start"])
def test_query_syntax_is_searched_as_text(word: str) -> None:
    expression = match_expression(word)
    assert expression == '"' + word + '"'


def test_repeated_terms_are_sent_once() -> None:
    assert parse_query("disk DISK disk") == [Term("disk"), Term("DISK")]
    assert parse_query("a a a a") == [Term("a")]


def test_quotes_inside_a_term_are_doubled() -> None:
    assert Term('say "hi"').fts5() == '"say ""hi"""'


def test_unspaced_scripts_are_searched_as_prefixes() -> None:
    # unicode61 keeps a run of Han or kana as one token: 数据库 must match 数据库连接失败.
    assert parse_query("数据库") == [Term("数据库", prefix=True)]
    assert parse_query("データ") == [Term("データ", prefix=True)]
    assert parse_query("שלום") == [Term("שלום")]  # Hebrew separates words with spaces


def test_text_is_normalised_to_nfc() -> None:
    decomposed = "cafe\u0301"
    assert parse_query(decomposed) == [Term("café")]


@given(st.text(max_size=300))
def test_any_text_makes_only_quoted_strings(query: str) -> None:
    expression = match_expression(query)
    if expression is None:
        return
    parts = FTS5_STRING.findall(expression)
    assert " ".join(parts) == expression
    assert "\x00" not in expression
    expression.encode("utf-8")  # no lone surrogate reaches SQLite


@given(st.text(alphabet='"* ()-^:+abAND NOTOR', max_size=60))
def test_syntax_heavy_text_makes_only_quoted_strings(query: str) -> None:
    expression = match_expression(query)
    if expression is not None:
        assert " ".join(FTS5_STRING.findall(expression)) == expression


def test_unmark_gives_plain_text_and_spans() -> None:
    marked = f"…on {MARK_OPEN}db-01{MARK_CLOSE} after {MARK_OPEN}disk full{MARK_CLOSE}"
    text, spans = unmark(marked)
    assert text == "…on db-01 after disk full"
    assert [text[a:b] for a, b in spans] == ["db-01", "disk full"]


def test_unmark_counts_characters_not_bytes() -> None:
    text, spans = unmark(f"数据 {MARK_OPEN}café{MARK_CLOSE} 🔥 {MARK_OPEN}x{MARK_CLOSE}")
    assert [text[a:b] for a, b in spans] == ["café", "x"]


def test_unmark_without_marks_is_the_text() -> None:
    assert unmark("plain") == ("plain", ())


def test_emphasise_wraps_each_span() -> None:
    assert emphasise("disk full on db", ((0, 4), (13, 15)), "**", "**") == "**disk** full on **db**"
    assert emphasise("abc", (), "[", "]") == "abc"
