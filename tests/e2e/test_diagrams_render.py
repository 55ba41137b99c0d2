"""Every diagram imports into the bpmn-js viewer (the one the case page uses) without warnings."""

from __future__ import annotations

from pathlib import Path

import pytest

from workflows import BPMN_DIR

VENDOR = Path(__file__).resolve().parents[2] / "web" / "static" / "vendor" / "bpmn-js"
DIAGRAMS = sorted(BPMN_DIR.glob("*.bpmn"))

IMPORT = """async (xml) => {
  const viewer = new BpmnJS({ container: '#canvas' });
  const result = await viewer.importXML(xml);
  viewer.get('canvas').zoom('fit-viewport');
  const registry = viewer.get('elementRegistry');
  return { warnings: result.warnings.map(w => w.message), shapes: registry.getAll().length };
}"""


@pytest.mark.parametrize("diagram", DIAGRAMS, ids=[d.stem for d in DIAGRAMS])
def test_diagram_renders_in_bpmn_js(page, diagram, screenshot):
    page.set_viewport_size({"width": 1600, "height": 900})
    page.set_content('<!doctype html><html><body><div id="canvas" class="canvas"></div></body></html>')
    page.add_style_tag(content="#canvas { width: 1580px; height: 880px; }")
    for css in ("diagram-js.css", "bpmn-js.css"):
        page.add_style_tag(path=str(VENDOR / css))
    page.add_script_tag(path=str(VENDOR / "bpmn-navigated-viewer.production.min.js"))
    result = page.evaluate(IMPORT, diagram.read_text(encoding="utf-8"))
    assert result["warnings"] == []
    assert result["shapes"] > 10
    screenshot(f"diagram-{diagram.stem}")
