"""Line-break opportunities between Khmer syllables (engine.khmer)."""

from __future__ import annotations

import itertools

import pytest

from engine.khmer import ZWSP, break_opportunities

COENG = "\u17d2"


@pytest.mark.parametrize(
    ("text", "syllables"),
    [
        ("កក", ["ក", "ក"]),  # two bare consonants
        ("ការងារ", ["កា", "រ", "ងា", "រ"]),  # dependent vowels stay on their consonant
        ("ស្ត្រី", ["ស្ត្រី"]),  # a double subscript (COENG + letter, twice) is one syllable
        ("ខ្មែរ", ["ខ្មែ", "រ"]),
        ("ពណ៌នា", ["ព", "ណ៌", "នា"]),  # a sign (U+17CC robat) stays on its letter
        ("សំណាក់", ["សំ", "ណា", "ក់"]),  # nikahit and bantoc
        ("ឥឡូវ", ["ឥ", "ឡូ", "វ"]),  # an independent vowel is a base
        ("ក។ខ", ["ក។", "ខ"]),  # no break before the khan, one after it
    ],
)
def test_breaks_fall_between_syllables_only(text, syllables):
    assert break_opportunities(text).split(ZWSP) == syllables


def test_no_break_after_coeng_or_before_a_mark_anywhere_in_a_long_paragraph():
    paragraph = "ក្មេងស្រីសាកល្បងបានរស់នៅក្នុងផ្ទះសំណាក់ហើយនាងចង់ត្រឡប់ទៅភូមិវិញ" * 5
    broken = break_opportunities(paragraph)
    assert broken.replace(ZWSP, "") == paragraph  # nothing lost, nothing reordered
    for before, after in itertools.pairwise(broken):
        if after == ZWSP:
            assert before != COENG
    for part in broken.split(ZWSP):
        assert "\u1780" <= part[0] <= "\u17b3"  # every piece starts at a base letter
    assert broken.count(ZWSP) > 40


@pytest.mark.parametrize(
    "text",
    ["Synthetic Name", "2026-11-29", "១២៣៤៥", "ក ខ", "", "abcកខ", "កa"],
)
def test_other_text_digits_and_existing_spaces_are_left_as_they_are(text):
    expected = {"abcកខ": "abcក\u200bខ"}.get(text, text)
    assert break_opportunities(text) == expected


def test_it_is_idempotent():
    once = break_opportunities("សាច់រឿងរបស់អតិថិជន")
    assert break_opportunities(once) == once
