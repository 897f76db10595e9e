"""Free text typed by people: what is kept, what is normalised, what is refused."""

from __future__ import annotations

import time
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incidentdesk.core.errors import DomainError
from incidentdesk.core.text import (
    NAME_MAX,
    NOTE_MAX,
    TITLE_MAX,
    clean_name,
    clean_note,
    clean_text,
    clean_title,
    is_hidden_char,
    reveal,
)


@pytest.mark.parametrize("value", ["", " ", "   \t  ", "\n\n", "\r\n", "\u3000", "\u00a0"])
@pytest.mark.parametrize("clean", [clean_title, clean_note, clean_name])
def test_empty_or_blank_text_is_refused(clean: object, value: str) -> None:
    with pytest.raises(DomainError, match="is empty"):
        clean(value)  # type: ignore[operator]


def test_the_message_names_what_was_empty() -> None:
    with pytest.raises(DomainError, match=r"^The title is empty\.$"):
        clean_title("  ")
    with pytest.raises(DomainError, match=r"^The service name is empty\.$"):
        clean_name("", "service name")


@pytest.mark.parametrize("value", [None, 42, b"bytes", ["a"]])
def test_non_text_is_refused(value: object) -> None:
    with pytest.raises(DomainError, match="The note must be text"):
        clean_note(value)  # type: ignore[arg-type]


def test_surrounding_blanks_are_stripped_inner_ones_kept() -> None:
    assert clean_title("  Checkout  down \t") == "Checkout  down"


def test_ten_megabytes_is_refused_quickly_with_the_limit() -> None:
    huge = "x" * 10_000_000
    started = time.perf_counter()
    with pytest.raises(DomainError) as err:
        clean_note(huge)
    elapsed = time.perf_counter() - started
    assert "too long" in str(err.value)
    assert "10,000,000 characters" in str(err.value)
    assert f"the limit is {NOTE_MAX:,}" in str(err.value)
    assert elapsed < 2.0


@pytest.mark.parametrize(
    ("clean", "limit", "what"),
    [
        (clean_title, TITLE_MAX, "title"),
        (clean_note, NOTE_MAX, "note"),
        (clean_name, NAME_MAX, "name"),
    ],
)
def test_text_at_the_limit_is_kept_one_more_is_refused(
    clean: object, limit: int, what: str
) -> None:
    assert clean("a" * limit) == "a" * limit  # type: ignore[operator]
    with pytest.raises(DomainError, match=rf"The {what} is too long .*limit is {limit:,}"):
        clean("a" * (limit + 1))  # type: ignore[operator]


def test_length_counts_characters_not_bytes() -> None:
    # 200 Arabic letters are 400 bytes of UTF-8 but fit a 200-character title.
    assert len(clean_title("ب" * TITLE_MAX)) == TITLE_MAX


@pytest.mark.parametrize(
    ("value", "code", "position"),
    [
        ("Disk\x07full", "U+0007", 5),
        ("\x1b[31mred alert", "U+001B", 1),
        ("null\x00byte", "U+0000", 5),
        ("delete\x7f", "U+007F", 7),
        ("nel\x85here", "U+0085", 4),
        ("lone \ud83d surrogate", "U+D83D", 6),
    ],
)
@pytest.mark.parametrize("clean", [clean_title, clean_note])
def test_control_characters_are_refused_naming_code_point_and_position(
    clean: object, value: str, code: str, position: int
) -> None:
    with pytest.raises(DomainError) as err:
        clean(value)  # type: ignore[operator]
    message = str(err.value)
    assert f"a control character ({code})" in message
    assert f"at position {position}" in message


@pytest.mark.parametrize("value", ["line one\nline two", "line one\r\nline two", "a\rb"])
def test_a_line_break_is_refused_in_a_title(value: str) -> None:
    with pytest.raises(DomainError, match="The title contains a line break at position"):
        clean_title(value)


def test_tab_is_refused_in_a_title_but_kept_in_a_note() -> None:
    with pytest.raises(DomainError, match=r"U\+0009"):
        clean_title("a\tb")
    assert clean_note("col1\tcol2") == "col1\tcol2"


def test_notes_keep_line_breaks_and_normalise_crlf_and_cr() -> None:
    assert clean_note("Step 1\nStep 2") == "Step 1\nStep 2"
    assert clean_note("Step 1\r\nStep 2\r\nStep 3") == "Step 1\nStep 2\nStep 3"
    assert clean_note("old mac\rline") == "old mac\nline"
    assert clean_note("\r\n\r\nbody\r\n\r\n") == "body"


@pytest.mark.parametrize(
    "value",
    [
        "انقطاع الخدمة في قاعدة البيانات",
        "השרת לא מגיב",
        "DB down — قاعدة البيانات متوقفة (eu-west-1)",
        "🔥 Checkout down 👩‍💻 🇩🇪 👍🏽 ❤️",
        "決済サービスが応答しない",
        "Zürich Ωmega ǅ",
        "zero\u200bwidth and \u200fRLM",
    ],
)
def test_other_scripts_right_to_left_and_emoji_are_kept_exactly(value: str) -> None:
    assert clean_title(value) == value
    assert clean_note(value) == value
    assert clean_title(value).encode() == value.encode()


def test_text_is_nfc_normalised() -> None:
    decomposed = "Cafe\u0301 cache\u0301"
    cleaned = clean_title(decomposed)
    assert cleaned == "Café caché"
    assert "\u0301" not in cleaned
    assert clean_name("\u1100\u1161") == "가"  # Hangul jamo compose


def test_the_same_name_typed_two_ways_is_the_same_name() -> None:
    assert clean_name("Rene\u0301") == clean_name("Ren\u00e9")


@given(st.text(max_size=60))
def test_any_text_is_cleaned_or_refused_and_cleaning_is_stable(value: str) -> None:
    try:
        cleaned = clean_text(value, what="note", max_chars=40, multiline=True)
    except DomainError:
        return
    assert cleaned and len(cleaned) <= 40
    assert cleaned == cleaned.strip()
    assert unicodedata.is_normalized("NFC", cleaned)
    assert "\r" not in cleaned
    assert all(c in "\n\t" or unicodedata.category(c) not in ("Cc", "Cs") for c in cleaned)
    assert clean_text(cleaned, what="note", max_chars=40, multiline=True) == cleaned


# ------------------------------------------------------------------ reveal


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("RTL \u202egnp.exe\u202c", "RTL ⟨U+202E⟩gnp.exe⟨U+202C⟩"),
        ("pay\u200bments", "pay⟨U+200B⟩ments"),
        (
            "\u2066isolated\u2069 \u200e\u200f\u061c",
            "⟨U+2066⟩isolated⟨U+2069⟩ ⟨U+200E⟩⟨U+200F⟩⟨U+061C⟩",
        ),
        ("soft\u00adhyphen\u2060joined\ufeff", "soft⟨U+00AD⟩hyphen⟨U+2060⟩joined⟨U+FEFF⟩"),
        ("tag\U000e0041\U000e007f", "tag⟨U+E0041⟩⟨U+E007F⟩"),
        ("bell\x07 c1\x85 esc\x1b", "bell⟨U+0007⟩ c1⟨U+0085⟩ esc⟨U+001B⟩"),
        ("a\u2028b", "a⟨U+2028⟩b"),
        ("filler\u3164", "filler⟨U+3164⟩"),
        ("lone \ud800 surrogate", "lone ⟨U+D800⟩ surrogate"),
    ],
)
def test_hidden_characters_are_shown_as_markers(stored: str, shown: str) -> None:
    assert reveal(stored) == shown


@pytest.mark.parametrize(
    "text",
    [
        "plain ASCII, nothing hidden",
        "line one\nline two\twith a tab",
        "خطأ في الدفع — תקלה 🔥",
        "支付服务超时 café naïve",
        "👩\u200d💻 on call, 👨\u200d👩\u200d👧 family, 👍🏽\u200d",
    ],
)
def test_visible_text_and_emoji_sequences_are_unchanged(text: str) -> None:
    expected = text.replace("🏽\u200d", "🏽⟨U+200D⟩")  # a joiner that joins nothing shows
    assert reveal(text) == expected


def test_a_zero_width_joiner_between_letters_is_shown() -> None:
    assert reveal("ad\u200dmin") == "ad⟨U+200D⟩min"


@given(st.text())
def test_reveal_leaves_nothing_that_can_reorder_or_hide(text: str) -> None:
    shown = reveal(text)
    for index, char in enumerate(shown):
        if is_hidden_char(char):
            assert char == "\u200d", f"{char!r} left in {shown!r}"
            before, after = shown[index - 1], shown[index + 1]
            assert unicodedata.category(after) == "So" and before not in "\n\t"
    assert reveal(shown) == shown  # markers are visible text: revealing twice changes nothing
