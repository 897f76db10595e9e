"""Text that goes out in a page: cut to a receiver's limit, never carrying the secret."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote, urlsplit

ELLIPSIS = "…"


def shorten(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, ending with an ellipsis when cut.

    Characters are counted both as code points and as UTF-16 code units (what JavaScript and
    Java services count), so the result fits either way. The cut never splits a character
    from the accents, joiners or variation selectors that follow it, nor a flag's pair of
    regional indicators.
    """
    text = unicodedata.normalize("NFC", text)
    if _units(text) <= limit:
        return text
    kept: list[str] = []
    used = _units(ELLIPSIS)
    for char in text:
        used += _units(char)
        if used > limit:
            break
        kept.append(char)
    following = text[len(kept)] if len(kept) < len(text) else ""
    # Back off while the cut falls inside a cluster: before a mark or joiner that belongs to
    # the kept text's last character, or right after a joiner.
    while kept and (_continues(following) or kept[-1] == "\u200d"):
        following = kept.pop()
    if _is_regional(following):
        run = 0
        for char in reversed(kept):
            if not _is_regional(char):
                break
            run += 1
        if run % 2:  # the last kept indicator is the first half of the cut flag
            kept.pop()
    return "".join(kept).rstrip() + ELLIPSIS


def _units(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _continues(char: str) -> bool:
    """Whether ``char`` belongs with the character before it."""
    if not char:
        return False
    code = ord(char)
    return (
        unicodedata.category(char) in ("Mn", "Me", "Mc")
        or char == "\u200d"
        or 0xFE00 <= code <= 0xFE0F
        or 0x1F3FB <= code <= 0x1F3FF  # skin-tone modifiers
        or 0xE0020 <= code <= 0xE007F  # tag characters (subdivision flags)
        or 0xDC00 <= code <= 0xDFFF  # a low surrogate left unpaired in the string
    )


def _is_regional(char: str) -> bool:
    return bool(char) and 0x1F1E6 <= ord(char) <= 0x1F1FF


def redact(text: str, secret: str) -> str:
    """``text`` with the secret, and any secret part of a webhook URL, replaced by ``[secret]``."""
    pieces = {secret, quote(secret, safe=""), quote(secret)}
    if "://" in secret:
        parts = urlsplit(secret)
        pieces.update(p for p in (parts.path, parts.query) if len(p) > 1)
        pieces.update(p for p in parts.path.split("/") if len(p) >= 8)
        pieces.update(p.partition("=")[2] for p in parts.query.split("&") if "=" in p)
    if secret.startswith("whsec_"):
        pieces.add(secret.removeprefix("whsec_"))
    pieces.discard("whsec_")  # the prefix alone is public: it is in every reason about one
    for piece in sorted((p for p in pieces if len(p) >= 4), key=len, reverse=True):
        text = text.replace(piece, "[secret]")
    return text


def first(text: str) -> str:
    """``text`` with a capital first letter, to start a sentence."""
    return text[:1].upper() + text[1:]
