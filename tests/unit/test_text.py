"""Names and posts: one normal form, nothing invisible or direction-flipping."""

from __future__ import annotations

import unicodedata

import pytest

from edxelera_gql import text
from edxelera_gql.auth.rules import full_name_problem, normalize_name
from edxelera_gql.discussion.rules import clean_body
from edxelera_gql.errors import Refusal


def test_names_are_stored_in_nfc() -> None:
    decomposed = "Ade\u0301ola"  # e + combining acute
    assert normalize_name(f"  {decomposed} ") == unicodedata.normalize("NFC", decomposed)
    assert normalize_name(decomposed) == "Adéola"


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("Ada\x00 Lovelace", "control characters"),
        ("Ada\nLovelace", "control characters"),
        ("\u202eecalevoL adA", "text-direction override"),
        ("Ada \u2066Lovelace\u2069", "text-direction override"),
        ("\u200b\u200b", "visible character"),
    ],
)
def test_names_with_invisible_tricks_are_refused(name: str, why: str) -> None:
    refused = full_name_problem(name)
    assert refused is not None
    assert refused.field == "fullName"
    assert why in refused.message


def test_ordinary_names_in_any_script_pass() -> None:
    for name in ("Ada Lovelace", "Ngozi Okafor-Ìbàdàn", "김민준", "محمد علي", "अनुष्का"):
        assert full_name_problem(normalize_name(name)) is None, name


@pytest.mark.parametrize("body", ["\u200b\u200b\u200b", "\u2060", "\u00ad\u200d"])
def test_posts_with_nothing_visible_are_refused(body: str) -> None:
    assert clean_body(body) == Refusal("INVALID_INPUT", "Write something first.", "body")


def test_posts_keep_line_breaks_and_refuse_other_controls() -> None:
    assert clean_body("line one\n\tline two") == "line one\n\tline two"
    refused = clean_body("bell\x07")
    assert isinstance(refused, Refusal)
    assert refused.message == "The text contains control characters."
    assert text.has_visible_character("\u200bx")
