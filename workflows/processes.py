"""The phase chain (``processes.json``): which processes exist, the case phase and status each one means,
and the workflow variables carried from one instance to the next."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workflows import BPMN_DIR, ROOT

CLOSED = "closed"
END = "end"  # a side process just ends
PROCESSES_FILE = ROOT / "processes.json"


class ChainDefinitionError(ValueError):
    """``processes.json`` is malformed or names a process without a diagram."""


@dataclass(frozen=True)
class ProcessDef:
    """One process of the chain."""

    id: str
    phase: str | None
    status: str | None
    inputs: tuple[str, ...]
    defaults: dict[str, Any] = field(default_factory=dict)
    side: bool = False

    @property
    def bpmn_file(self) -> Path:
        return BPMN_DIR / f"{self.id}.bpmn"

    def start_data(self, carried: dict[str, Any]) -> dict[str, Any]:
        """Initial workflow data: the defaults, overridden by the carried values this process takes."""
        data = dict(self.defaults)
        data.update({k: carried[k] for k in self.inputs if carried.get(k) is not None})
        return data


@dataclass(frozen=True)
class Chain:
    start: str
    processes: dict[str, ProcessDef]

    def get(self, process_id: str) -> ProcessDef:
        try:
            return self.processes[process_id]
        except KeyError:
            raise ChainDefinitionError(f"{PROCESSES_FILE.name}: unknown process {process_id!r}") from None


def load_chain(path: Path = PROCESSES_FILE) -> Chain:
    """Read and check the chain definition."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        processes = {
            pid: ProcessDef(
                pid,
                spec["phase"],
                spec["status"],
                tuple(spec.get("inputs", ())),
                dict(spec.get("defaults", {})),
                bool(spec.get("side", False)),
            )
            for pid, spec in raw["processes"].items()
        }
        chain = Chain(raw["start"], processes)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ChainDefinitionError(f"{path.name}: cannot be read ({exc.__class__.__name__}: {exc})") from None
    if chain.start not in processes:
        raise ChainDefinitionError(f"{path.name}: the start process {chain.start!r} is not defined")
    for pid, proc in processes.items():
        if proc.side and (proc.phase is not None or proc.status is not None):
            raise ChainDefinitionError(f"{path.name}: side process {pid!r} must not set a phase or status")
        if not proc.side and proc.status not in ("open", "lost_contact"):
            raise ChainDefinitionError(f"{path.name}: process {pid!r} has an unknown status {proc.status!r}")
    if processes[chain.start].side:
        raise ChainDefinitionError(f"{path.name}: the start process cannot be a side process")
    return chain
