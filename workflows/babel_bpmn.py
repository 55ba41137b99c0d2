"""A Babel extractor for the diagrams: every BPMN element's ``name`` (tasks, events, gateways, flows, lanes,
processes) becomes a message, so the case page's diagram and history can show it in Khmer.

Configured in ``babel.cfg`` (``[extractors] bpmn = workflows.babel_bpmn:extract``). Extension properties
(``spiffworkflow:property``) are code, not labels, and are left out.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import IO, Any

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


def names(source: bytes) -> Iterator[str]:
    """The element names of a BPMN document, in document order, each once."""
    seen: set[str] = set()
    for element in ET.fromstring(source).iter():  # noqa: S314 - see above
        name = (element.get("name") or "").strip()
        if name and element.tag.startswith(BPMN) and name not in seen:
            seen.add(name)
            yield name


def extract(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, None, str, list[str]]]:
    """Babel's extractor protocol: (line number, function name, message, translator comments)."""
    for name in names(fileobj.read()):
        yield 0, None, name, ["A name in a BPMN diagram (step, event, decision or path)."]
