"""Every refusal the engine can give a user is a marked message id with a Khmer translation (issue 13 item 9).

The engine has no reader's language: it raises ``DomainError`` with an English message id marked by
``N_`` (values go into ``params``), ``make extract-messages`` reads the engine too, and the web layer
shows ``error_text(error)`` in the reader's language. These checks read the engine's source, so a new
unmarked message, an f-string message or a marked one missing from the Khmer catalogue fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask import Flask
from flask_babel import force_locale

from engine.accounts.passwords import MIN_LENGTH, TOO_SHORT, policy_problem
from engine.errors import N_, DomainError, InvalidInput
from web.i18n import error_text

ROOT = Path(__file__).resolve().parents[2]
ENGINE = ROOT / "engine"
CATALOGUE = ROOT / "web/translations/km/LC_MESSAGES/messages.po"
# Raised to the operator or by the workflow runner with the diagram's own names, not shown as a refusal.
NOT_FOR_USERS = {"WorkflowFailed"}


def _error_classes() -> set[str]:
    """``DomainError`` and every subclass defined in the engine (found in the source, by name)."""
    names = {"DomainError"}
    trees = [ast.parse(p.read_text(encoding="utf-8")) for p in ENGINE.rglob("*.py")]
    grew = True
    while grew:
        grew = False
        for tree in trees:
            for node in ast.walk(tree):
                inherits = isinstance(node, ast.ClassDef) and any(getattr(b, "id", None) in names for b in node.bases)
                if inherits and node.name not in names:  # type: ignore[union-attr]
                    names.add(node.name)  # type: ignore[union-attr]
                    grew = True
    return names - NOT_FOR_USERS


def _is_marked(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "N_"
        and len(node.args) == 1
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    )


def _modules() -> list[tuple[Path, ast.Module]]:
    return [(p, ast.parse(p.read_text(encoding="utf-8"))) for p in sorted(ENGINE.rglob("*.py"))]


def test_no_refusal_is_raised_with_an_unmarked_or_formatted_message() -> None:
    errors, found = _error_classes(), []
    for path, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) in errors:
                texts = [*node.args[:1]]
                if len(node.args) > 1 and isinstance(node.args[1], ast.Dict):
                    texts += [v for v in node.args[1].values if v is not None]
                for text in texts:
                    if isinstance(text, ast.JoinedStr | ast.BinOp) or (
                        isinstance(text, ast.Constant) and isinstance(text.value, str)
                    ):
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []


def test_the_message_constants_of_the_engine_are_marked() -> None:
    """Module constants raised by name (listed in a module's ``MESSAGES``) are marked where they are defined."""
    found = []
    for path, tree in _modules():
        listed: set[str] = set()
        for node in tree.body:
            named = isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "MESSAGES" for t in node.targets)
            if named and isinstance(node.value, ast.Tuple):  # type: ignore[union-attr]
                listed |= {e.id for e in node.value.elts if isinstance(e, ast.Name)}  # type: ignore[union-attr]
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
                if isinstance(target, ast.Name) and target.id in listed and not _is_marked(node.value):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} {target.id}")
    assert found == []


def test_every_marked_message_of_the_engine_is_translated_into_khmer() -> None:
    with CATALOGUE.open("rb") as handle:
        catalogue = {m.id: m.string for m in read_po(handle) if m.id}
    marked = {
        node.args[0].value  # type: ignore[attr-defined]
        for _path, tree in _modules()
        for node in ast.walk(tree)
        if isinstance(node, ast.expr) and _is_marked(node)
    }
    assert len(marked) > 150  # the engine's refusals: accounts, cases, consent, photos, work, reports
    assert sorted(m for m in marked if not catalogue.get(m)) == []


def test_a_refusal_with_a_value_is_translated_then_filled_in(app: Flask) -> None:
    refusal = InvalidInput(N_("A transfer may carry only: %(allowed)s."), {}, allowed="identity, history")
    assert str(refusal) == "A transfer may carry only: identity, history."
    with app.test_request_context("/"):
        with force_locale("km"):
            assert error_text(refusal) == "ការផ្ទេរអាចបញ្ជូនបានតែ៖ identity, history។"
        with force_locale("en"):
            assert error_text(refusal) == "A transfer may carry only: identity, history."


@pytest.mark.parametrize("locale", ["en", "km"])
def test_an_unknown_message_is_shown_as_written(app: Flask, locale: str) -> None:
    with app.test_request_context("/"), force_locale(locale):
        assert error_text(DomainError("Not in the catalogue.")) == "Not in the catalogue."


def test_the_password_length_message_says_the_length_checked() -> None:
    assert f"at least {MIN_LENGTH} characters" in TOO_SHORT
    assert policy_problem("a" * (MIN_LENGTH - 1), username="someone") == TOO_SHORT
