"""Process definitions as data: BPMN diagrams (``bpmn/``), DMN decision tables (``dmn/``) and
declarative form definitions (``forms/``), plus the code that finds and loads them.

Innermost layer: must not import ``engine``, ``web`` or ``notifications``. BPMN and DMN files contain
Python expressions, so they are code: reviewed like code, and run only in the engine's sandbox.
"""

from pathlib import Path

ROOT = Path(__file__).parent
BPMN_DIR = ROOT / "bpmn"
DMN_DIR = ROOT / "dmn"
FORMS_DIR = ROOT / "forms"
