"""`reintegra check` finds broken diagrams and names the file and the element; the app refuses to start."""

from __future__ import annotations

import shutil

import pytest

from engine.config import ConfigError
from engine.workflow.check import check_workflows
from workflows import BPMN_DIR, DMN_DIR


@pytest.fixture
def dirs(tmp_path):
    bpmn, dmn = tmp_path / "bpmn", tmp_path / "dmn"
    shutil.copytree(BPMN_DIR, bpmn)
    shutil.copytree(DMN_DIR, dmn)
    return bpmn, dmn


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_shipped_workflows_are_valid():
    assert check_workflows() == []


def test_a_user_task_with_an_unknown_form_is_named(dirs):
    bpmn, dmn = dirs
    _edit(bpmn / "closure.bpmn", 'value="final_assessment"', 'value="no_such_form"')
    assert "closure.bpmn: user task final_assessment: form 'no_such_form' does not exist in workflows/forms" in (
        check_workflows(bpmn, dmn)
    )


def test_a_lane_without_a_role_is_named(dirs):
    bpmn, dmn = dirs
    _edit(bpmn / "closure.bpmn", 'name="Supervisor"', 'name="Janitor"')
    problems = check_workflows(bpmn, dmn)
    assert any(p.startswith("closure.bpmn: lane Lane_closure_1: 'Janitor' maps to no role") for p in problems)


def test_a_gateway_without_default_flow_is_named(dirs):
    bpmn, dmn = dirs
    _edit(bpmn / "closure.bpmn", ' default="Flow_closure_6"', "")
    assert "closure.bpmn: gateway g_closure: needs a default flow" in check_workflows(bpmn, dmn)


@pytest.mark.parametrize("script", ["import os", "open('/etc/passwd')", "().__class__.__bases__"])
def test_a_script_escaping_the_sandbox_is_named(dirs, script):
    bpmn, dmn = dirs
    _edit(bpmn / "reintegration.bpmn", "last_visit_on = reintegrated_on", script)
    problems = check_workflows(bpmn, dmn)
    assert any(p.startswith("reintegration.bpmn: script task s_reintegrated:") for p in problems), problems


def test_a_condition_that_does_not_compile_is_named(dirs):
    bpmn, dmn = dirs
    _edit(bpmn / "closure.bpmn", 'closure_decision == "approve"', "closure_decision ==")
    problems = check_workflows(bpmn, dmn)
    assert any(p.startswith("closure.bpmn: sequence flow Flow_closure_5:") for p in problems), problems


def test_an_end_event_without_next_is_named(dirs):
    bpmn, dmn = dirs
    _edit(bpmn / "closure.bpmn", '<spiffworkflow:property name="next" value="closed" />', "")
    assert "closure.bpmn: end event end_closed: needs a 'next' property (a process or 'closed')" in check_workflows(
        bpmn, dmn
    )


def test_a_broken_chain_is_named(dirs):
    bpmn, dmn = dirs
    _edit(bpmn / "reintegration.bpmn", 'name="next" value="follow_up_1"', 'name="next" value="nowhere"')
    problems = check_workflows(bpmn, dmn)
    assert "reintegration.bpmn: an end event names next process 'nowhere', which processes.json lacks" in problems


def test_malformed_xml_names_the_file(dirs):
    bpmn, dmn = dirs
    (bpmn / "closure.bpmn").write_text("<bpmn:definitions", encoding="utf-8")
    problems = check_workflows(bpmn, dmn)
    assert any(p.startswith("closure.bpmn:") for p in problems), problems


def test_a_bad_dmn_entry_is_named(dirs):
    bpmn, dmn = dirs
    _edit(dmn / "follow_up_schedule.dmn", "<text>14</text>", "<text>__import__('os')</text>")
    problems = check_workflows(bpmn, dmn)
    assert any(p.startswith("follow_up_schedule.dmn: outputEntry out_interval_1:") for p in problems), problems


def test_a_bad_due_duration_is_named(dirs):
    bpmn, dmn = dirs
    _edit(bpmn / "closure.bpmn", 'name="due" value="P14D"', 'name="due" value="two weeks"')
    assert "closure.bpmn: user task final_assessment: due 'two weeks' is not an ISO 8601 duration such as P14D" in (
        check_workflows(bpmn, dmn)
    )


def test_the_app_refuses_to_start_with_a_broken_diagram(settings, monkeypatch):
    import web

    monkeypatch.setattr(web, "check_workflows", lambda: ["closure.bpmn: gateway g_closure: needs a default flow"])
    with pytest.raises(ConfigError, match=r"closure\.bpmn: gateway g_closure"):
        web.create_app(settings)
