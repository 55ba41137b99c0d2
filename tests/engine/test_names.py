"""Normalised name tokens: equivalent spellings give the same tokens, different names do not.

Khmer strings are spelled out code point by code point where the order matters, so the test shows
exactly which two encodings of one visible word are compared.
"""

from __future__ import annotations

import pytest

from engine.names import name_tokens, normalise_khmer, query_tokens, tokens

# Code points used below.
KA, SA, TA, DA, RO, THA, CHO, GO, BA = (
    "\u1780",
    "\u179f",
    "\u178f",
    "\u178a",
    "\u179a",
    "\u1790",
    "\u1785",
    "\u1782",
    "\u1794",
)
COENG, ROBAT, TRIISAP, MUUSIKATOAN = "\u17d2", "\u17cc", "\u17ca", "\u17c9"
AA, II, E, OE, OO, U, NIKAHIT = "\u17b6", "\u17b8", "\u17c1", "\u17be", "\u17c4", "\u17bb", "\u17c6"
ZWSP, ZWNJ, ZWJ = "\u200b", "\u200c", "\u200d"


@pytest.mark.parametrize(
    ("typed", "canonical", "what"),
    [
        (SA + II + COENG + RO, SA + COENG + RO + II, "subscript typed after the vowel"),
        (SA + COENG + RO + COENG + TA + II, SA + COENG + TA + COENG + RO + II, "subscript RO typed before another"),
        (SA + II + MUUSIKATOAN, SA + MUUSIKATOAN + II, "register shifter typed after the vowel"),
        (BA + AA + TRIISAP, BA + TRIISAP + AA, "TRIISAP typed after the vowel"),
        (GO + AA + ROBAT, GO + ROBAT + AA, "ROBAT typed after the vowel"),
        (GO + COENG + RO + ROBAT, GO + ROBAT + COENG + RO, "ROBAT typed after a subscript"),
        (KA + NIKAHIT + U, KA + U + NIKAHIT, "NIKAHIT typed before the vowel below"),
        (KA + E + II + TA, KA + OE + TA, "the vowel OE typed as its two parts"),
        (KA + E + AA, KA + OO, "the vowel OO typed as its two parts"),
        (SA + COENG + DA + II, SA + COENG + TA + II, "subscript DA and TA look the same"),
        (KA + AA + AA, KA + AA, "a sign typed twice"),
        ("\u17a3", "\u17a2", "deprecated independent vowel QAQ"),
        ("\u17a4", "\u17a2" + AA, "deprecated independent vowel QAA"),
        (KA + "\u17b4" + AA, KA + AA, "invisible inherent vowel"),
    ],
)
def test_khmer_spellings_that_look_the_same_normalise_alike(typed: str, canonical: str, what: str) -> None:
    assert normalise_khmer(typed) == normalise_khmer(canonical), what
    assert tokens(typed) == tokens(canonical) == [normalise_khmer(canonical)], what


def test_canonical_khmer_is_left_as_it_is() -> None:
    word = SA + COENG + TA + COENG + RO + II  # ស្ត្រី
    assert normalise_khmer(word) == word


@pytest.mark.parametrize("invisible", [ZWSP, ZWNJ, ZWJ, "\u2060", "\ufeff", "\u00ad"])
def test_invisible_characters_are_removed(invisible: str) -> None:
    assert tokens("ចាន់" + invisible + "ថា") == tokens("ចាន់ថា")
    assert tokens("Sam" + invisible + "ple") == ["sample"]


def test_khmer_digits_read_as_ascii_digits() -> None:
    assert tokens("សាកល្បង ០៣") == tokens("សាកល្បង 03") == ["សាកល្បង", "03"]


def test_a_change_of_script_separates_tokens() -> None:
    assert tokens("សាកល្បង07") == ["សាកល្បង", "07"]
    assert tokens("Demo03") == ["demo03"]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("SAMPLE", ["sample"]),
        ("Démo", ["demo"]),
        ("De\u0301mo", ["demo"]),  # the accent as a combining mark
        ("Nguyễn Thị", ["nguyen", "thi"]),
        ("Đào", ["dao"]),
        ("Straße", ["strasse"]),
        ("Søk-Chea", ["sok", "chea"]),
        ("O'Sample", ["o", "sample"]),
        ("  Demo \t Survivor\n", ["demo", "survivor"]),
        ("Ｄｅｍｏ", ["demo"]),  # full-width letters
    ],
)
def test_latin_is_casefolded_and_stripped_of_diacritics(typed: str, expected: list[str]) -> None:
    assert tokens(typed) == expected


def test_punctuation_alone_gives_no_token() -> None:
    assert tokens(" -- ., ។ ") == []
    assert tokens(None) == []


def test_different_names_stay_different() -> None:
    assert tokens("Sample") != tokens("Samples")
    assert normalise_khmer(SA + COENG + TA + II) != normalise_khmer(SA + COENG + THA + II)
    assert tokens(CHO + AA) != tokens(CHO + II)


def test_name_tokens_cover_every_field_and_joined_forms() -> None:
    found = name_tokens(given_km="ចាន់ ថា", family_km="សុខ", given_latin="Demo Survivor 03",
                        family_latin="Sample", alias="Zed")  # fmt: skip
    assert {"demo", "survivor", "03", "sample", "zed", "demosurvivor03"} <= found
    assert {"ចាន់", "ថា", "ចាន់ថា", "សុខ", "សុខចាន់ថា", "ចាន់ថាសុខ"} <= found


def test_query_tokens_are_distinct_and_in_order() -> None:
    assert query_tokens("Sample 03 sample") == ["sample", "03"]
