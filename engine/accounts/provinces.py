"""Cambodia's 25 provinces (24 and the capital), keyed by their official two-digit code.

Places are keyed by code, never by spelling (spellings vary between sources). Khmer names are added
once a native speaker has reviewed them (see GLOSSARY-km.md), so the column may be empty.
"""

from __future__ import annotations

PROVINCES: tuple[tuple[str, str], ...] = (
    ("01", "Banteay Meanchey"),
    ("02", "Battambang"),
    ("03", "Kampong Cham"),
    ("04", "Kampong Chhnang"),
    ("05", "Kampong Speu"),
    ("06", "Kampong Thom"),
    ("07", "Kampot"),
    ("08", "Kandal"),
    ("09", "Koh Kong"),
    ("10", "Kratie"),
    ("11", "Mondul Kiri"),
    ("12", "Phnom Penh"),
    ("13", "Preah Vihear"),
    ("14", "Prey Veng"),
    ("15", "Pursat"),
    ("16", "Ratanak Kiri"),
    ("17", "Siem Reap"),
    ("18", "Preah Sihanouk"),
    ("19", "Stung Treng"),
    ("20", "Svay Rieng"),
    ("21", "Takeo"),
    ("22", "Oddar Meanchey"),
    ("23", "Kep"),
    ("24", "Pailin"),
    ("25", "Tboung Khmum"),
)
