"""The import contracts in ``pyproject.toml`` hold, and they catch what they are there to catch (issue 15).

The tree is copied (Python files and the configuration only) so that a bad import can be planted in the
copy; ``lint-imports`` runs on the copy as it does in ``make lint``. A contract that let the planted
import through would be decoration, so each planted import must break the contract named for it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("engine", "web", "notifications", "workflows")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _contracts() -> list[dict[str, object]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts: list[dict[str, object]] = config["tool"]["importlinter"]["contracts"]
    return contracts


def _copy_tree(target: Path) -> Path:
    for package in PACKAGES:
        skip = shutil.ignore_patterns("*.pyc", "__pycache__", "static", "translations", "templates")
        shutil.copytree(ROOT / package, target / package, ignore=skip)
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")
    return target


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    # No timeout: subprocess would poll with short sleeps, which libfaketime (`make test-later`) refuses with EINVAL.
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=tree, env=env, capture_output=True, text=True,  # noqa: S603 - our own tool
                          check=False)  # fmt: skip


def _plant(tree: Path, module: str, line: str) -> None:
    path = tree / (module.replace(".", "/") + ".py")
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}  # planted by the test\n", encoding="utf-8")


def _broken(output: str) -> list[str]:
    """The names of the broken contracts in lint-imports' summary (it wraps long names over lines)."""
    summary = output.split("dependencies.", 1)[1].split("\nContracts:", 1)[0]
    broken, name = [], ""
    for line in summary.splitlines():
        if set(line.strip()) <= {"-"}:
            continue
        name = f"{name} {line.strip()}".strip()
        if name.endswith((" KEPT", " BROKEN")):
            if name.endswith(" BROKEN"):
                broken.append(name.removesuffix(" BROKEN"))
            name = ""
    return broken


def test_the_engine_layers_list_every_package_of_the_engine() -> None:
    (layers,) = [c for c in _contracts() if c.get("containers") == ["engine"]]
    assert layers["type"] == "layers"
    assert layers["exhaustive"] is True
    rows = [str(row) for row in layers["layers"]]  # type: ignore[attr-defined]
    listed = {name.strip() for row in rows for name in row.replace("|", ":").split(":")}
    children = {p.stem for p in (ROOT / "engine").glob("*.py") if p.stem != "__init__"}
    children |= {p.parent.name for p in (ROOT / "engine").glob("*/__init__.py")}
    assert listed == children


def test_the_tree_keeps_every_contract(tmp_path: Path) -> None:
    answer = _lint(_copy_tree(tmp_path))
    assert answer.returncode == 0, answer.stdout[-3000:]
    assert f"Contracts: {len(_contracts())} kept, 0 broken." in answer.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        # A model reaching up into a use case: the cycle the models package was made to end.
        ("engine.models.cases", "import engine.cases.service", "Inside the engine, imports point one way"),
        # The outbox calling into the workflow: every use case writes to the outbox, so this is a cycle.
        ("engine.notices.outbox", "import engine.workflow.service", "Inside the engine, imports point one way"),
        # A leaf importing the database.
        ("engine.crypto", "import engine.db", "Inside the engine, imports point one way"),
        # Two sibling modules of the web layer importing each other.
        ("web.labels", "import web.cases.history", "No import cycles between sibling packages"),
        # SpiffWorkflow outside engine.workflow.
        ("engine.cases.service", "import SpiffWorkflow", "SpiffWorkflow is used only inside engine.workflow"),
        # The engine importing the web layer.
        ("engine.reports.service", "import web.labels", "Layers: web and notifications on engine"),
    ],
)
def test_a_planted_bad_import_breaks_its_contract(tmp_path: Path, module: str, line: str, contract: str) -> None:
    tree = _copy_tree(tmp_path)
    _plant(tree, module, line)
    answer = _lint(tree)
    assert answer.returncode != 0
    assert [name for name in _broken(answer.stdout) if name.startswith(contract)], answer.stdout[-3000:]
