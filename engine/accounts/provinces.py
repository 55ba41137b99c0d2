"""Cambodia's 25 provinces (24 and the capital), keyed by their official two-digit code.

Places are keyed by code, never by spelling (spellings vary between sources). ``PROVINCES`` is what the
first migration inserted and stays as it is; the Khmer names were added by a later migration.
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

# The official Khmer names (machine-drafted from the provinces' own Khmer spellings: review with a native
# speaker, see GLOSSARY-km.md; a corrected name needs a data migration like 3c9e4b7a1f20). Phnom Penh is the
# capital (រាជធានី), the others are provinces (ខេត្ត).
KHMER_NAMES: dict[str, str] = {
    "01": "បន្ទាយមានជ័យ",
    "02": "បាត់ដំបង",
    "03": "កំពង់ចាម",
    "04": "កំពង់ឆ្នាំង",
    "05": "កំពង់ស្ពឺ",
    "06": "កំពង់ធំ",
    "07": "កំពត",
    "08": "កណ្ដាល",
    "09": "កោះកុង",
    "10": "ក្រចេះ",
    "11": "មណ្ឌលគិរី",
    "12": "ភ្នំពេញ",
    "13": "ព្រះវិហារ",
    "14": "ព្រៃវែង",
    "15": "ពោធិ៍សាត់",
    "16": "រតនគិរី",
    "17": "សៀមរាប",
    "18": "ព្រះសីហនុ",
    "19": "ស្ទឹងត្រែង",
    "20": "ស្វាយរៀង",
    "21": "តាកែវ",
    "22": "ឧត្ដរមានជ័យ",
    "23": "កែប",
    "24": "ប៉ៃលិន",
    "25": "ត្បូងឃ្មុំ",
}
