"""Line-break opportunities in Khmer text, for renderers that cannot find them.

Khmer is written without spaces between words. Browsers break it with a dictionary (ICU), but the PDF
renderer (WeasyPrint on Pango) finds no break opportunity in a Khmer run at all, so a long narrative ran
off the page as one line. :func:`break_opportunities` puts a ZERO WIDTH SPACE between orthographic
syllables (a base letter with its subscripts, vowels and signs), which every line breaker honours and
which is invisible. A syllable boundary is a permitted, if not always the nicest, place to break Khmer;
a word segmenter could choose better places later through the same function.

A syllable (Unicode's Khmer block, U+1780-U+17FF):

* starts at a base: a consonant (U+1780-U+17A2) or an independent vowel (U+17A3-U+17B3);
* goes on through COENG (U+17D2) and the subscript letter after it, the dependent vowels
  (U+17B4-U+17C5), the signs (U+17C6-U+17D1, U+17D3, U+17DD) and joiners (U+200C, U+200D).

A break is put only between two syllables (or after Khmer punctuation before a syllable), never inside
one, never next to an existing space or break, never in digits or in other scripts. The function is
idempotent and removing every U+200B gives back the input.
"""

from __future__ import annotations

import re

ZWSP = "\u200b"

_BASE = "\u1780-\u17b3"
_MARK = "\u17b4-\u17d1\u17d3\u17dd\u200c\u200d"  # dependent vowels, signs, joiners
_COENG = "\u17d2"
_PUNCTUATION = "\u17d4-\u17da"  # khan, bariyoosan, camnuc pii kuuh, lek too, ...

# A boundary before a base letter that does not follow COENG, where the character before it ends a
# syllable (a base or a mark) or is Khmer punctuation.
_BOUNDARY = re.compile(f"(?<=[{_BASE}{_MARK}{_PUNCTUATION}])(?<!{_COENG})(?=[{_BASE}])")


def break_opportunities(text: str) -> str:
    """``text`` with a zero-width space between its Khmer syllables."""
    return _BOUNDARY.sub(ZWSP, text)
