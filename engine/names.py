"""Normalised search tokens of survivors' names, in Khmer and Latin script (pure functions, no keys).

A name and a query are cut into the same tokens, so "Sample 03" finds "Demo Survivor 03 Sample" and a
Khmer name typed in another (visually identical) order of characters finds the stored one. Only the
keyed hashes of these tokens are stored (``engine.cases.search``); the tokens themselves never are.

What is normalised:

- Everything: Unicode NFC; invisible characters removed (zero-width space U+200B, which Khmer uses
  between words, zero-width non-joiner and joiner U+200C/U+200D, word joiner U+2060, BOM U+FEFF, soft
  hyphen U+00AD); Khmer digits ០-៩ read as 0-9; anything that is not a letter, a mark or a digit
  (spaces, hyphens, apostrophes, dots, Khmer punctuation) separates tokens, and so does a change between
  Khmer and another script ("សាកល្បង07" is two tokens).
- Latin (and any other non-Khmer script): compatibility decomposition (NFKD), diacritics dropped, a few
  letters without a decomposition folded (đ→d, ø→o, ł→l, æ→ae, œ→oe, dotless i→i), then casefolded (ß→ss).
- Khmer, per orthographic syllable (a base consonant or independent vowel and the signs after it):
  the signs are put in the canonical encoding order of the Khmer character specification (SIL/Unicode):
  ROBAT, then subscripts (COENG + consonant, with a subscript RO after any other subscript), then the
  register shifters (MUUSIKATOAN, TRIISAP), then the vowels (pre-, below-, above-, post-base), then the
  other signs (NIKAHIT, BANTOC, ...), then REAHMUK/YUUKALEAPINTU; an identical sign typed twice counts
  once. Then: split vowels are joined (េ+ី → ើ, េ+ា → ោ) and the confusable ើ+ា is read as ោ+ី;
  a subscript DA is read as a subscript TA (they look the same); the deprecated independent vowels
  ឣ and ឤ are read as អ and អា; the invisible inherent vowels U+17B4/U+17B5 are dropped.
  Not handled: a vowel U (ុ) typed instead of a register shifter above a consonant (telling the two
  apart needs the consonant's series), and spelling variants that are different words.

Besides the tokens of each name field, a field with several tokens also gives their concatenation
(Khmer is often written without spaces: "ចាន់ថា" and "ចាន់ ថា"), and the Khmer family and given names
give their concatenation in both orders ("សុខចាន់ថា").
"""

from __future__ import annotations

import re
import unicodedata

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_KHMER_DIGITS = {0x17E0 + d: str(d) for d in range(10)}
_DEPRECATED: dict[int, str | None] = {0x17A3: "\u17a2", 0x17A4: "\u17a2\u17b6", 0x17B4: None, 0x17B5: None}
_LATIN_FOLD = {"đ": "d", "Đ": "d", "ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "æ": "ae", "Æ": "ae",
               "œ": "oe", "Œ": "oe", "\u0131": "i"}  # fmt: skip

COENG, RO, DA, TA = "\u17d2", "\u179a", "\u178a", "\u178f"
MAX_QUERY_CHARS = 200
MAX_QUERY_TOKENS = 8


def _is_khmer(ch: str) -> bool:
    return "\u1780" <= ch <= "\u17ff" or "\u19e0" <= ch <= "\u19ff"


def _is_base(ch: str) -> bool:
    return "\u1780" <= ch <= "\u17a2" or "\u17a5" <= ch <= "\u17b3"


def _sign_rank(ch: str) -> int | None:
    """Where a Khmer sign goes in its syllable (``None``: not a sign, the syllable ends before it)."""
    o = ord(ch)
    if o == 0x17CC:
        return 1  # ROBAT
    if o in (0x17C9, 0x17CA):
        return 4  # register shifters
    if 0x17BE <= o <= 0x17C5:
        return 5  # pre-base and split vowels
    if 0x17BB <= o <= 0x17BD:
        return 6  # below-base vowels
    if 0x17B7 <= o <= 0x17BA:
        return 7  # above-base vowels
    if o == 0x17B6:
        return 8  # AA
    if o in (0x17C6, 0x17CB, 0x17D3, 0x17DD) or 0x17CD <= o <= 0x17D1:
        return 9  # other signs above
    if o in (0x17C7, 0x17C8):
        return 10  # final signs
    return None


def _syllable(text: str, start: int) -> tuple[str, int]:
    """The syllable beginning with the base at ``start``, its signs in canonical order, and its end."""
    units: list[tuple[int, int, str]] = []
    i = start + 1
    while i < len(text):
        ch = text[i]
        if ch == COENG:
            sub = text[i + 1] if i + 1 < len(text) and _is_base(text[i + 1]) else ""
            units.append((3 if sub == RO else 2, i, COENG + sub))
            i += 1 + len(sub)
            continue
        rank = _sign_rank(ch)
        if rank is None:
            break
        units.append((rank, i, ch))
        i += 1
    ordered: list[str] = []
    for _rank, _pos, unit in sorted(units):
        if not ordered or ordered[-1] != unit:
            ordered.append(unit)
    signs = "".join(ordered)
    signs = re.sub("\u17c1([\u17bb-\u17bd]?)\u17b8", "\u17be\\1", signs)
    signs = re.sub("\u17c1([\u17bb-\u17bd]?)\u17b6", "\u17c4\\1", signs)
    signs = signs.replace("\u17be\u17b6", "\u17c4\u17b8").replace(COENG + DA, COENG + TA)
    return text[start] + signs, i


def normalise_khmer(text: str) -> str:
    """Khmer text with each syllable's signs in canonical order (see the module docstring)."""
    text = text.translate(_DEPRECATED)
    out: list[str] = []
    i = 0
    while i < len(text):
        if _is_base(text[i]):
            syllable, i = _syllable(text, i)
            out.append(syllable)
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def _normalise_other(text: str) -> str:
    text = "".join(_LATIN_FOLD.get(ch, ch) for ch in text)
    stripped = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped).casefold()


def _is_word_char(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LMN"


def tokens(text: str | None) -> list[str]:
    """The normalised tokens of ``text``, in order (repeats kept)."""
    if not text:
        return []
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE).translate(_KHMER_DIGITS)
    runs: list[tuple[bool, str]] = []
    current, khmer = "", False
    for ch in text:
        if not _is_word_char(ch):
            if current:
                runs.append((khmer, current))
            current = ""
            continue
        ch_khmer = _is_khmer(ch)
        if current and ch_khmer != khmer:
            runs.append((khmer, current))
            current = ""
        current, khmer = current + ch, ch_khmer
    if current:
        runs.append((khmer, current))
    result = []
    for is_khmer, run in runs:
        token = normalise_khmer(run) if is_khmer else _normalise_other(run)
        if token:
            result.append(token)
    return result


def name_tokens(*, given_km: str | None, family_km: str | None, given_latin: str | None,
                family_latin: str | None, alias: str | None) -> set[str]:  # fmt: skip
    """Every token a search may match for these names (see the module docstring)."""
    found: set[str] = set()
    for value in (given_km, family_km, given_latin, family_latin, alias):
        parts = tokens(value)
        found.update(parts)
        if len(parts) > 1:
            found.add("".join(parts))
    given, family = "".join(tokens(given_km)), "".join(tokens(family_km))
    if given and family:
        found.update({family + given, given + family})
    return found


def query_tokens(query: str) -> list[str]:
    """The distinct tokens of a search query, in order."""
    return list(dict.fromkeys(tokens(query)))
