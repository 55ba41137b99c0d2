"""Workflow state as JSON without the embedded spec.

By default SpiffWorkflow embeds the whole spec in every saved workflow (6-18 KB each, ENGINE-NOTES).
We store the spec once per version (``workflow_specs``) and give each instance only its key; on load the
parsed spec objects are handed back in. This also keeps our clocked timer classes (specs are never
serialized) and lets a running case keep the version it started on.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

_SPECS = "_reintegra_specs"


class SpeclessWorkflowConverter(BpmnWorkflowConverter):  # type: ignore[misc]  # SpiffWorkflow is untyped
    """Like the default converter, minus the spec; ``from_dict`` takes the parsed specs from the dict."""

    def to_dict(self, workflow: Any) -> dict[str, Any]:
        # BpmnWorkflowConverter.to_dict minus its first two conversions: converting the spec (only to drop
        # it) was half the cost of every save, measured (issue 12).
        dct: dict[str, Any] = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any]) -> Any:
        spec, subprocess_specs = dct.pop(_SPECS)
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


_config = dict(SPIFF_CONFIG)
_config[BpmnWorkflow] = SpeclessWorkflowConverter
_serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(_config))


def dumps(workflow: BpmnWorkflow) -> str:
    """Serialize ``workflow`` (task data must be JSON-safe: strings, numbers, booleans, lists, dicts)."""
    state: str = _serializer.serialize_json(workflow)
    return state


def loads(state: str, spec: Any, subprocess_specs: dict[str, Any]) -> BpmnWorkflow:
    """Rebuild a workflow from ``state`` and the parsed specs of the version it runs on."""
    dct = json.loads(state, cls=_serializer.json_decoder_cls)
    _serializer.migrate(dct)
    dct[_SPECS] = (spec, subprocess_specs)
    return _serializer.from_dict(dct)
