"""Run every BPMN and DMN expression in a RestrictedPython sandbox.

SpiffWorkflow evaluates scripts, pre/post scripts, gateway conditions, DMN entries and timer expressions
as plain Python, and administrators edit the diagrams, so by default a diagram could ``import os``.
Every expression is therefore compiled with RestrictedPython and run against a small namespace:

* Allowed: literals, arithmetic, comparisons, ``in``, f-strings, ``if``/``for``/comprehensions/lambdas,
  assignments (in scripts they land in the task data), item writes and ``+=`` on plain values,
  non-underscore attributes (``d.get``, ``s.upper``), RestrictedPython's ``safe_builtins`` (minus
  ``setattr``/``delattr``/class building), a few more builtins (``min``, ``sum``, ``sorted`` ...) and
  ``HELPERS``: pure date arithmetic on ISO 8601 strings, so no ``datetime`` reaches the task data
  (it would break JSON serialization).
* Refused when compiling, before anything runs: imports, class definitions, names and attributes that
  start with ``_`` (``__import__``, ``__class__``, ``__subclasses__`` ...), frame/generator introspection
  (``gi_frame``), ``eval``/``exec`` calls and the reserved names in ``RESERVED_NAMES``.
* Refused while running: ``str.format`` (it reads attributes through the format string), writes to
  anything but dicts and lists.

Both raise ``SandboxViolation``. The sandbox is not a resource limit: ``10 ** 10 ** 9`` still burns CPU.
"""

from __future__ import annotations

import ast
import calendar
import functools
import operator
import textwrap
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from types import CodeType
from typing import Any, Literal

from RestrictedPython.compile import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.Guards import (
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safe_builtins,
    safer_getattr_raise,
)
from RestrictedPython.transformer import RestrictingNodeTransformer
from SpiffWorkflow.bpmn.script_engine.python_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import TaskDataEnvironment

Mode = Literal["eval", "exec"]

# Builtins an attacker reaches for; rejected by name so the error appears when compiling (and in
# `reintegra check`) rather than as a NameError. `eval(...)`/`exec(...)` are refused by RestrictedPython.
RESERVED_NAMES = frozenset(
    {"open", "compile", "getattr", "setattr", "delattr", "hasattr", "type", "vars", "globals", "locals", "dir"}
    | {"breakpoint", "input", "print", "memoryview", "object", "super", "exit", "quit", "help"}
)


class SandboxViolation(Exception):
    """An expression does not compile in the sandbox or attempted a forbidden operation."""

    def __init__(self, source: str, reason: str) -> None:
        self.source = source
        self.reason = reason
        super().__init__(f"{reason} (in expression {textwrap.shorten(source, 200, placeholder=' ...')!r})")


class _Refused(Exception):
    """Raised by a runtime guard; turned into a SandboxViolation naming the expression."""


class _SandboxPolicy(RestrictingNodeTransformer):
    """RestrictedPython's policy, also refusing imports, classes and reserved names."""

    def visit_Import(self, node: ast.Import) -> ast.AST:  # noqa: N802 -- ast.NodeVisitor naming
        self.error(node, "Imports are not allowed.")
        return node

    def visit_ImportFrom(self, node: ast.ImportFrom) -> ast.AST:  # noqa: N802 -- ast.NodeVisitor naming
        self.error(node, "Imports are not allowed.")
        return node

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:  # noqa: N802 -- ast.NodeVisitor naming
        self.error(node, "Class definitions are not allowed.")
        return node

    def visit_Name(self, node: ast.Name) -> ast.AST | Iterable[ast.AST] | None:  # noqa: N802 -- ast.NodeVisitor naming
        if node.id in RESERVED_NAMES:
            self.error(node, f'"{node.id}" is not available in the sandbox.')
        return super().visit_Name(node)


@functools.lru_cache(maxsize=2048)
def _compile(source: str, mode: Mode) -> tuple[CodeType | None, tuple[str, ...]]:
    """Compile once per distinct source; return the code object or the policy's error messages."""
    if mode == "eval":
        # `eval(str)` tolerates surrounding whitespace (BPMN text often has it); `compile` does not.
        result = compile_restricted_eval(source.strip(), policy=_SandboxPolicy)
    else:
        result = compile_restricted_exec(source, policy=_SandboxPolicy)
    return result.code, tuple(result.errors)


def _compiled(source: str, mode: Mode) -> CodeType:
    code, errors = _compile(source, mode)
    if code is None:
        raise SandboxViolation(source, "; ".join(errors) or "does not compile")
    return code


def check_expression(source: str, mode: Mode) -> str | None:
    """Compile `source` in the sandbox without running it; return the error message, or None if it is valid."""
    code, errors = _compile(source, mode)
    return None if code is not None else "; ".join(errors) or "does not compile"


def _getattr(obj: object, name: str) -> Any:
    try:
        return safer_getattr_raise(obj, name)  # type: ignore[no-untyped-call]  # unannotated upstream
    except NotImplementedError as err:  # str.format and string.Formatter
        raise _Refused(str(err)) from err


def _write(obj: object) -> object:
    if isinstance(obj, dict | list):
        return obj
    raise _Refused(f"writing to {type(obj).__name__} objects is not allowed")


_INPLACE_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "+=": operator.iadd,
    "-=": operator.isub,
    "*=": operator.imul,
    "/=": operator.itruediv,
    "//=": operator.ifloordiv,
    "%=": operator.imod,
}


def _inplacevar(op: str, target: object, value: object) -> Any:
    function = _INPLACE_OPERATORS.get(op)
    if function is None or not isinstance(target, int | float | str | list):
        raise _Refused(f"'{op}' on {type(target).__name__} objects is not allowed")
    return function(target, value)


def _apply(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Support `f(*args, **kwargs)`, which RestrictedPython routes through `_apply_`."""
    return function(*args, **kwargs)


_BUILTINS: dict[str, object] = {
    **{name: value for name, value in safe_builtins.items() if name not in {"__build_class__", "setattr", "delattr"}},
    **{f.__name__: f for f in (len, min, max, abs, round, sum, sorted, any, all, isinstance)},
    **{t.__name__: t for t in (int, float, str, bool, list, dict, tuple, set, range, enumerate, zip)},
    "_getattr_": _getattr,
    "_getitem_": operator.getitem,
    "_getiter_": iter,
    "_write_": _write,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_inplacevar_": _inplacevar,
    "_apply_": _apply,
}


def _run(source: str, code: CodeType, namespace: dict[str, Any]) -> Any:
    namespace["__builtins__"] = _BUILTINS
    try:
        return eval(code, namespace)  # noqa: S307 -- compiled by RestrictedPython under _SandboxPolicy
    except _Refused as err:
        raise SandboxViolation(source, str(err)) from err


class SandboxEnvironment(TaskDataEnvironment):  # type: ignore[misc]  # SpiffWorkflow is untyped
    """TaskDataEnvironment semantics (the task data is the namespace) with sandboxed compilation."""

    def evaluate(self, expression: str, context: dict[str, Any], external_context: dict[str, Any] | None = None) -> Any:
        """Return the value of `expression` over the task data `context`."""
        code = _compiled(expression, "eval")
        self._prepare_context(context)
        return _run(expression, code, {**self.globals, **(external_context or {}), **context})

    def execute(self, script: str, context: dict[str, Any], external_context: dict[str, Any] | None = None) -> bool:
        """Run `script` with the task data as its namespace, so its assignments land in the task data."""
        self.check_for_overwrite(context, external_context or {})
        code = _compiled(script, "exec")
        self._prepare_context(context)
        context.update({**self.globals, **(external_context or {})})
        try:
            _run(script, code, context)
        finally:
            self._remove_globals_and_functions_from_context(context, external_context)
        return True


def _instant(iso_instant: str) -> datetime:
    """Parse an ISO 8601 instant ("Z", an offset, or naive meaning UTC) into an aware UTC datetime."""
    parsed = datetime.fromisoformat(iso_instant)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def add_days(iso_instant: str, days: int | float) -> str:
    """Return the instant `days` days later, as an ISO 8601 UTC string."""
    return (_instant(iso_instant) + timedelta(days=days)).isoformat()


def add_months(iso_instant: str, months: int) -> str:
    """Return the instant `months` calendar months later (UTC), clamped to the end of a shorter month."""
    if isinstance(months, bool) or not isinstance(months, int):
        raise TypeError("add_months takes a whole number of months")
    start = _instant(iso_instant)
    year, month_index = divmod(start.year * 12 + start.month - 1 + months, 12)
    day = min(start.day, calendar.monthrange(year, month_index + 1)[1])
    return start.replace(year=year, month=month_index + 1, day=day).isoformat()


def days_between(a_iso: str, b_iso: str) -> float:
    """Return the days from `a_iso` to `b_iso` (negative if `b_iso` is earlier)."""
    return (_instant(b_iso) - _instant(a_iso)).total_seconds() / 86400


def iso_date(iso_instant: str) -> str:
    """Return the UTC calendar date of the instant as "YYYY-MM-DD"."""
    return _instant(iso_instant).date().isoformat()


HELPERS: dict[str, Callable[..., Any]] = {
    "add_days": add_days,
    "add_months": add_months,
    "days_between": days_between,
    "iso_date": iso_date,
}


class SandboxScriptEngine(PythonScriptEngine):  # type: ignore[misc]  # SpiffWorkflow is untyped
    """The script engine for every workflow: sandboxed, with the helpers, and a clock the runner sets."""

    def __init__(self, now: datetime) -> None:
        super().__init__(environment=SandboxEnvironment(dict(HELPERS)))
        self.now = now

    @property
    def now(self) -> datetime:
        """The instant of the current step (aware, UTC); set by the runner before each step."""
        return self._now

    @now.setter
    def now(self, value: datetime) -> None:
        if value.tzinfo is None:
            raise ValueError("SandboxScriptEngine.now must be timezone-aware")
        self._now = value.astimezone(UTC)

    def now_iso(self) -> str:
        """Return `now` as an ISO 8601 UTC string."""
        return self._now.isoformat()
