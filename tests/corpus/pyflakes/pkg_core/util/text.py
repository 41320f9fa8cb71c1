# Exercises: small text helpers: regexes, unicode normalisation, __all__
# naming a helper that was renamed (undefined export), unused locals.
import re
import unicodedata

__all__ = ["slugify", "truncate", "wordwrap"]

_SLUG_STRIP = re.compile(r"[^\w\s-]")
_SLUG_HYPHENATE = re.compile(r"[-\s]+")


def slugify(value: str) -> str:
    value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    value = _SLUG_STRIP.sub("", value).strip().lower()
    return _SLUG_HYPHENATE.sub("-", value)


def truncate(text: str, length: int = 80, suffix: str = "...") -> str:
    if len(text) <= length:
        return text
    cut = length - len(suffix)
    remainder = text[cut:]
    return text[:cut] + suffix


def word_wrap(text: str, width: int = 72) -> list[str]:
    lines, current = [], ""
    for word in text.split():
        if len(current) + len(word) + 1 > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    if current:
        lines.append(current)
    return lines
