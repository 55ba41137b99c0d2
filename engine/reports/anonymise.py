"""k-anonymity for the de-identified case-level export (IOM CTDC publishes with k = 11).

Every combination of the quasi-identifiers (sex, age band, province, quarter, form of exploitation) must
occur at least ``k`` times. Full-domain generalisation, after Sweeney's Datafly: while more than a small
share of the records sit in combinations rarer than ``k``, the quasi-identifier with the most distinct
values moves one step up its hierarchy (age band -> minor/adult -> any; quarter -> year -> any;
province, sex, exploitation -> any); then the records still in rare combinations are withheld. The
release says how far each field was generalised and how many records were withheld.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from engine.reports.facts import MINOR_BANDS

ANY = "*"
Record = dict[str, str]


def _age(value: str) -> str:
    if value == "unknown":
        return value
    return "minor" if value in MINOR_BANDS else "adult"


def _year(value: str) -> str:
    return value.split("-")[0]


# Per quasi-identifier, the steps up its hierarchy (the last always gives ANY).
HIERARCHIES: dict[str, tuple[Callable[[str], str], ...]] = {
    "prs_Gender": (lambda v: ANY,),
    "ageBroad": (_age, lambda v: ANY),
    "org_ShippingState": (lambda v: ANY,),
    "cas_IncomingReferralDate": (_year, lambda v: ANY),
    "typeOfExploitation": (lambda v: ANY,),
}
QUASI_IDENTIFIERS = tuple(HIERARCHIES)


@dataclass(frozen=True)
class Release:
    records: list[Record]
    levels: dict[str, int]  # quasi-identifier -> steps generalised (0: as recorded)
    withheld: int
    k: int


def generalise(record: Record, levels: dict[str, int]) -> Record:
    """``record`` with each quasi-identifier moved ``levels[name]`` steps up its hierarchy."""
    out = dict(record)
    for name, steps in levels.items():
        for step in HIERARCHIES[name][:steps]:
            out[name] = step(out[name])
    return out


def _key(record: Record) -> tuple[str, ...]:
    return tuple(record[name] for name in QUASI_IDENTIFIERS)


def k_anonymise(records: list[Record], *, k: int, max_withheld_share: float = 0.1) -> Release:
    """Generalise and withhold until every quasi-identifier combination occurs at least ``k`` times."""
    if k < 1:
        raise ValueError("k must be at least 1")
    levels = dict.fromkeys(QUASI_IDENTIFIERS, 0)
    while True:
        current = [generalise(r, levels) for r in records]
        sizes = Counter(_key(r) for r in current)
        rare = sum(n for n in sizes.values() if n < k)
        if rare <= max_withheld_share * len(records):
            break
        open_fields = [name for name in QUASI_IDENTIFIERS if levels[name] < len(HIERARCHIES[name])]
        if not open_fields:
            break
        distinct = {name: len({r[name] for r in current}) for name in open_fields}
        widest = max(open_fields, key=lambda name: (distinct[name], -QUASI_IDENTIFIERS.index(name)))
        levels[widest] += 1
    kept = [r for r in current if sizes[_key(r)] >= k]
    return Release(kept, levels, len(records) - len(kept), k)
