"""The spec registry: every diagram parsed and validated once per process, keyed by content.

A spec key is ``process_id@<sha256 of the BPMN file and every DMN file>`` (12 hex digits shown). The
files of each key are stored in ``workflow_specs`` so that an instance started on one version keeps
running on it after a newer version is deployed; new instances get the newest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models.workflow import WorkflowSpec
from engine.workflow.timers import use_runner_clock
from workflows import BPMN_DIR, DMN_DIR


class SpecError(ValueError):
    """A diagram or decision table cannot be parsed; the message names the file (and element)."""


@dataclass(frozen=True)
class Deployed:
    """One parsed version of one process."""

    key: str
    process_id: str
    spec: Any
    subprocess_specs: dict[str, Any]
    files: dict[str, str]


def _key(process_id: str, files: dict[str, str]) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name].encode() + b"\0")
    return f"{process_id}@{digest.hexdigest()[:16]}"


def parse_files(process_id: str, files: dict[str, str]) -> Deployed:
    """Parse and validate the BPMN and DMN ``files`` (name -> XML) and build ``process_id``."""
    parser = SpiffBpmnParser(validator=VALIDATOR)
    for name in sorted(files):
        try:
            if name.endswith(".dmn"):
                parser.add_dmn_str(files[name].encode("utf-8"), filename=name)
            else:
                parser.add_bpmn_str(files[name].encode("utf-8"), filename=name)
        except Exception as exc:  # the parser raises many types; each becomes a SpecError naming the file
            raise SpecError(f"{name}: {exc}") from exc
    try:
        spec = parser.get_spec(process_id)
        subprocess_specs = parser.get_subprocess_specs(process_id)
    except Exception as exc:  # idem
        raise SpecError(f"{process_id}.bpmn: {exc}") from exc
    use_runner_clock([spec, *subprocess_specs.values()])
    return Deployed(_key(process_id, files), process_id, spec, subprocess_specs, dict(files))


def read_files(process_id: str, bpmn_dir: Path = BPMN_DIR, dmn_dir: Path = DMN_DIR) -> dict[str, str]:
    """The files a process is built from: its own diagram and every decision table."""
    path = bpmn_dir / f"{process_id}.bpmn"
    if not path.is_file():
        raise SpecError(f"{path.name}: no such diagram")
    files = {path.name: path.read_text(encoding="utf-8")}
    for dmn in sorted(dmn_dir.glob("*.dmn")):
        files[dmn.name] = dmn.read_text(encoding="utf-8")
    return files


class Registry:
    """The newest version of each process, plus older versions loaded on demand from the database."""

    def __init__(self, current: dict[str, Deployed]) -> None:
        self._current = current
        self._by_key = {d.key: d for d in current.values()}
        self._lock = threading.Lock()

    @property
    def process_ids(self) -> list[str]:
        return sorted(self._current)

    def current(self, process_id: str) -> Deployed:
        """The newest version of ``process_id``."""
        try:
            return self._current[process_id]
        except KeyError:
            raise SpecError(f"no diagram for process {process_id!r}") from None

    def by_key(self, session: Session, key: str) -> Deployed:
        """The version ``key`` (parsed from its stored files if it is not the newest)."""
        with self._lock:
            found = self._by_key.get(key)
        if found is not None:
            return found
        row = session.get(WorkflowSpec, key)
        if row is None:
            raise SpecError(f"workflow spec {key} is not deployed")
        deployed = parse_files(row.process_id, json.loads(row.files))
        with self._lock:
            self._by_key[key] = deployed
        return deployed

    def deploy(self, session: Session, now: dt.datetime) -> list[str]:
        """Store every current version that the database does not have yet; return the new keys."""
        keys = [d.key for d in self._current.values()]
        known = set(session.scalars(select(WorkflowSpec.key).where(WorkflowSpec.key.in_(keys))))
        new = [d for d in self._current.values() if d.key not in known]
        for d in new:
            session.add(WorkflowSpec(key=d.key, process_id=d.process_id, files=json.dumps(d.files), deployed_at=now))
        session.flush()  # instances reference these rows; no ORM relationship orders the inserts for us
        return [d.key for d in new]


def load_registry(process_ids: list[str], bpmn_dir: Path = BPMN_DIR, dmn_dir: Path = DMN_DIR) -> Registry:
    """Parse every process of the chain from the workflow folders."""
    return Registry({pid: parse_files(pid, read_files(pid, bpmn_dir, dmn_dir)) for pid in process_ids})
