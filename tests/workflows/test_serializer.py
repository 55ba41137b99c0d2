"""The saved workflow state is exactly SpiffWorkflow's own serialization minus the embedded spec (which our
converter no longer builds only to drop it), and it loads back to the same state."""

from __future__ import annotations

import json

from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from sqlalchemy import select

from engine.models.workflow import WorkflowInstance
from engine.workflow import runner, serializer


class _OldConverter(BpmnWorkflowConverter):  # type: ignore[misc]
    """The converter as it was: SpiffWorkflow's whole serialization, spec included, then the spec dropped."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, object]:
        dct: dict[str, object] = super().to_dict(workflow)
        del dct["spec"], dct["subprocess_specs"]
        return dct


_REFERENCE = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure({**SPIFF_CONFIG, BpmnWorkflow: _OldConverter}))


def _reference(workflow: BpmnWorkflow) -> dict[str, object]:
    dct: dict[str, object] = json.loads(_REFERENCE.serialize_json(workflow))
    return dct


def test_every_saved_state_of_a_walk_is_spiffworkflows_own_minus_the_spec_and_round_trips(walk) -> None:
    walk.pre_reintegration()
    walk.reintegration()  # into Type 1 follow-up: finished and running instances of three processes
    instances = walk.session.scalars(select(WorkflowInstance).where(WorkflowInstance.case_id == walk.case.id)).all()
    assert len({i.process_id for i in instances}) >= 3
    for instance in instances:
        deployed = walk.runtime.registry.by_key(walk.session, instance.spec_key)
        workflow = runner.load(deployed, instance.state, walk.now)
        state = serializer.dumps(workflow)
        assert "spec" not in json.loads(state)
        assert "subprocess_specs" not in json.loads(state)
        assert json.loads(state) == _reference(workflow), instance.process_id
        assert json.loads(state) == json.loads(instance.state)  # what was saved loads back to the same state
        again = runner.load(deployed, state, walk.now)
        assert runner.snapshot(again) == runner.snapshot(workflow)
