"""requirements.lock pins every package the app and its tools need, and the installed ones are those versions:
an install from a clean clone (``make install``, pip's ``-c requirements.lock``) gets what the suite passed with."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _name(requirement: str) -> str:
    """The normalised project name of a requirement ("psycopg[binary]>=3.1" -> "psycopg")."""
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
    assert match, requirement
    return re.sub(r"[-_.]+", "-", match.group(0)).lower()


def _pins() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, sep, version = line.partition("==")
        assert sep, f"requirements.lock: {line!r} is not pinned with =="
        pins[_name(name)] = version.strip()
    return pins


def _declared() -> dict[str, list[str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {"": project["dependencies"], **project["optional-dependencies"]}


def test_every_declared_dependency_is_pinned() -> None:
    pins = _pins()
    missing = sorted({_name(r) for group in _declared().values() for r in group} - pins.keys())
    assert not missing, f"not in requirements.lock: {missing}; install them and run `make lock`"


def test_the_lock_does_not_pin_the_app_itself() -> None:
    assert "reintegra" not in _pins()


def test_the_installed_app_and_dev_tools_are_at_the_locked_versions() -> None:
    pins = _pins()
    needed = {_name(r) for group in ("", "dev") for r in _declared()[group]}
    drifted = {
        name: (metadata.version(name), pins[name]) for name in sorted(needed) if metadata.version(name) != pins[name]
    }
    assert not drifted, f"installed != locked (run `make install`, or `make lock` after testing): {drifted}"
