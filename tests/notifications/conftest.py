"""Fixtures for the notification rules: the parsed workflows, once per session."""

from __future__ import annotations

import pytest

from engine.workflow.service import Runtime, load_runtime


@pytest.fixture(scope="session")
def runtime() -> Runtime:
    return load_runtime()
