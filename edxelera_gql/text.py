"""Pure rules for text people type: one normal form, no invisible tricks.

Names print on certificates and show beside posts, so they may hold no control characters and
no bidirectional overrides (U+202E can make "Ada" read as anything); a post must hold at least
one visible character (a post of zero-width spaces looks empty and is). NFC first, so the same
name typed on two keyboards compares and stores the same.
"""

from __future__ import annotations

import unicodedata

# Embeddings, overrides and isolates: they reorder the text around them.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Categories that draw nothing: controls, format characters (zero-width space, joiners,
# marks), separators.
_INVISIBLE = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp", "Cn", "Co", "Cs"})
_ALLOWED_CONTROLS_IN_PROSE = frozenset("\t\n\r")


def normalize(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def has_visible_character(text: str) -> bool:
    return any(unicodedata.category(ch) not in _INVISIBLE for ch in text)


def name_problem(name: str) -> str | None:
    """Why ``name`` (already normalized and trimmed) cannot be a person's name, or None."""
    if any(unicodedata.category(ch) == "Cc" for ch in name):
        return "may not contain control characters"
    if BIDI_CONTROLS.intersection(name):
        return "may not contain text-direction override characters"
    if not has_visible_character(name):
        return "must contain a visible character"
    return None


def prose_problem(text: str) -> str | None:
    """Why ``text`` (normalized) cannot be a post, or None: it needs something visible, and
    control characters other than tabs and line breaks are refused."""
    if any(
        unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROLS_IN_PROSE for ch in text
    ):
        return "The text contains control characters."
    if not has_visible_character(text):
        return "Write something first."
    return None


QUOTE_MAX_CHARS = 64


def quote(value: str, limit: int = QUOTE_MAX_CHARS) -> str:
    """``value`` quoted for an error message, cut to ``limit`` characters: messages name what
    was sent, but must not echo a 20,000-character input back."""
    if len(value) > limit:
        value = value[:limit] + "…"
    return repr(value)
