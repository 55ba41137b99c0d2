"""The first version of every phase diagram (Directive 009 as DOMAIN.md §3 reads it), as data.

Run ``python -m tools.diagrams`` to (re)write ``workflows/bpmn/*.bpmn``. User tasks carry
``spiffworkflow:properties``: ``form`` (a file in workflows/forms/), ``due`` (ISO 8601 duration) counted
from the task (``due_from=ready``, the default) or from the start of the phase (``due_from=start``), or
``due_var`` (a workflow variable holding the due instant), and ``priority`` (1 highest .. 3). End events
carry ``next`` (the process the case goes on with, or ``closed``) and ``outcome``; an end event of a side
branch that must not end the phase carries ``branch=true`` instead.
"""

from __future__ import annotations

from pathlib import Path

from tools.bpmn_gen import Flow, Node, Process, render

CW, SUP, DOSVY = "Caseworker", "Supervisor", "DoSVY officer"
OUT = Path(__file__).resolve().parents[1] / "workflows" / "bpmn"


def user(
    id: str,
    name: str,
    lane: str,
    form: str,
    due: str = "",
    *,
    due_from: str = "",
    due_var: str = "",
    priority: str = "2",
) -> Node:
    props = {"form": form, "priority": priority}
    if due:
        props["due"] = due
    if due_from:
        props["due_from"] = due_from
    if due_var:
        props["due_var"] = due_var
    return Node(id, "user", name, lane, props)


def end(id: str, name: str, lane: str, next_: str, outcome: str) -> Node:
    return Node(id, "end", name, lane, {"next": next_, "outcome": outcome}, terminate=True)


def script(id: str, name: str, lane: str, code: str) -> Node:
    return Node(id, "script", name, lane, script=code)


def xor(id: str, name: str, lane: str, default: str) -> Node:
    return Node(id, "xor", name, lane, default=default)


PRE = Process(
    "pre_reintegration",
    "Pre-Reintegration",
    [CW, SUP],
    [
        Node("start", "start", "Admitted", CW),
        xor("g_readmission", "Re-admission?", CW, default="registration"),
        user("registration", "Complete registration", CW, "registration", "P1D", due_from="start"),
        user("consent", "Explain rights and record informed consent", CW, "consent", "P1D", due_from="start"),
        user("risk_screen", "Initial safety and risk screen", CW, "risk_screen", "P3D", due_from="start", priority="1"),
        user("needs_assessment", "Needs assessment", CW, "needs_assessment", "P14D", due_from="start"),
        user("case_plan", "Individual case plan", CW, "case_plan", "P30D", due_from="start"),
        user("approve_case_plan", "Approve case plan", SUP, "plan_approval", "P3D", priority="1"),
        xor("g_plan", "Plan approved?", SUP, default="case_plan"),
        user("family_tracing", "Family tracing", CW, "family_tracing", "P30D", due_from="start"),
        xor("g_family_found", "Family found?", CW, default="case_conference"),
        user("family_assessment", "Family assessment with home visit", CW, "family_assessment", "P14D"),
        user("return_risk", "Risk assessment of return", CW, "return_risk", "P7D"),
        user("case_conference", "Case conference", CW, "case_conference", "P14D"),
        xor("g_placement", "Placement possible?", CW, default="reintegration_plan"),
        user("reintegration_plan", "Reintegration plan and agreement", CW, "reintegration_plan", "P14D"),
        user("approve_agreement", "Approve reintegration agreement", SUP, "agreement_approval", "P3D", priority="1"),
        xor("g_agreement", "Agreement approved?", SUP, default="reintegration_plan"),
        end("end_ready", "Ready for reintegration", SUP, "reintegration", "ready_for_reintegration"),
    ],
    [
        Flow("start", "g_readmission"),
        Flow("g_readmission", "risk_screen", "is_readmission", "Re-admitted: re-assess"),
        Flow("g_readmission", "registration", name="New admission"),
        Flow("registration", "consent"),
        Flow("consent", "risk_screen"),
        Flow("risk_screen", "needs_assessment"),
        Flow("needs_assessment", "case_plan"),
        Flow("case_plan", "approve_case_plan"),
        Flow("approve_case_plan", "g_plan"),
        Flow("g_plan", "family_tracing", 'plan_decision == "approve"', "Approved"),
        Flow("g_plan", "case_plan", name="Returned for changes"),
        Flow("family_tracing", "g_family_found"),
        Flow("g_family_found", "family_assessment", "family_found", "Found"),
        Flow("g_family_found", "case_conference", name="Not found"),
        Flow("family_assessment", "return_risk"),
        Flow("return_risk", "case_conference"),
        Flow("case_conference", "g_placement"),
        Flow(
            "g_placement",
            "case_conference",
            'placement == "family_of_origin" and family_safety not in ("safe", "safe_with_support")',
            "Family unsafe or not assessed: choose another placement",
        ),
        Flow("g_placement", "case_plan", 'placement == "stay_in_shelter"', "Stay longer: re-plan"),
        Flow("g_placement", "reintegration_plan", name="Placement decided"),
        Flow("reintegration_plan", "approve_agreement"),
        Flow("approve_agreement", "g_agreement"),
        Flow("g_agreement", "end_ready", 'agreement_decision == "approve"', "Approved"),
        Flow("g_agreement", "reintegration_plan", name="Returned for changes"),
    ],
    "Directive 009 phase 1: from admission to an approved reintegration plan and agreement.",
)

REINTEGRATION = Process(
    "reintegration",
    "Reintegration",
    [CW],
    [
        Node("start", "start", "Agreement approved", CW),
        user("prepare_family", "Prepare family and community", CW, "reintegration_preparation", "P14D"),
        xor("g_notice", "Consent to notify DoSVY?", CW, default="handover"),
        user("notify_dosvy", "Notify DoSVY", CW, "dosvy_notice", "P3D"),
        user("handover", "Discharge, escort and hand-over", CW, "handover", "P7D", priority="1"),
        script(
            "s_reintegrated",
            "Start follow-up schedule",
            CW,
            "last_visit_on = reintegrated_on\nvisit_number = 1\nmissed_in_a_row = 0",
        ),
        user("first_contact", "First contact after reintegration", CW, "first_contact", "P14D", priority="1"),
        end("end_reintegrated", "Reintegrated", CW, "follow_up_1", "reintegrated"),
    ],
    [
        Flow("start", "prepare_family"),
        Flow("prepare_family", "g_notice"),
        Flow("g_notice", "notify_dosvy", "dosvy_notice_consent", "Consent given"),
        Flow("g_notice", "handover", name="No consent"),
        Flow("notify_dosvy", "handover"),
        Flow("handover", "s_reintegrated"),
        Flow("s_reintegrated", "first_contact"),
        Flow("first_contact", "end_reintegrated"),
    ],
    "Directive 009 phase 2: the return itself, hand-over and the first contact within 14 days.",
)


def visit_cycle(pid: str, name: str, phase_code: str, last_end: Node, transfer: bool) -> Process:
    """One follow-up visit per instance (flat cost however long the follow-up lasts).

    With ``transfer`` (Type 2) every visit comes after the office accepted the transfer, so the visit is the
    DoSVY officer's: the office that now follows the survivor records it (the shelter's supervisor still
    hears when it is overdue)."""
    visitor = DOSVY if transfer else CW
    nodes = [
        Node("start", "start", "Visit cycle starts", CW),
        script(
            "s_months",
            "Months since reintegration",
            CW,
            f'follow_up_phase = "{phase_code}"\nmonths_since = days_between(reintegrated_on, now()) / 30.44',
        ),
        Node("schedule", "rule", "Schedule visit (follow-up schedule table)", CW, decision="follow_up_schedule"),
        script(
            "s_due",
            "Compute due date",
            CW,
            "visit_due = add_days(last_visit_on, interval_days)\n"
            "phase_over = days_between(reintegrated_on, visit_due) >= phase_months * 30.44\n"
            "closure_allowed = months_since >= min_months_before_close",
        ),
        user("conduct_visit", "Follow-up visit", visitor, "follow_up_visit", due_var="visit_due"),
        Node(
            "b_overdue",
            "boundary",
            "Visit overdue",
            visitor,
            timer=("timeDate", "visit_due"),
            attached_to="conduct_visit",
        ),
        script("s_remind", "Remind the visitor" if transfer else "Remind caseworker", visitor, "overdue = True"),
        Node("t_grace", "timer", "Grace period over", SUP, timer=("timeDuration", '"P3D"')),
        user("overdue_escalation", "Overdue visit: supervisor follow-up", SUP, "overdue_review", "P2D", priority="1"),
        Node("end_escalated", "end", "Escalation handled", SUP, {"branch": "true"}),
        script(
            "s_record",
            "Record visit",
            CW,
            "missed_in_a_row = 0 if contact_made else missed_in_a_row + 1\n"
            "last_visit_on = visit_date\nvisit_number = visit_number + 1\n"
            f'resume_process = "{pid}"\nis_readmission = False',
        ),
        xor("g_outcome", "Visit outcome", CW, default="end_next"),
        user("escalation_decision", "Decide on risk escalation", SUP, "risk_escalation", "P2D", priority="1"),
        xor("g_escalation", "Escalation decision", SUP, default="end_next"),
        script("s_readmit", "Re-admission", SUP, "is_readmission = True"),
        end("end_readmit", "Re-admitted to the shelter", SUP, "pre_reintegration", "readmitted"),
        end("end_new_placement", "New placement", SUP, "reintegration", "new_placement"),
        end("end_lost", "Lost contact", CW, "lost_contact", "lost_contact"),
        end("end_close", "Ready to close", CW, "closure", "ready_to_close"),
        last_end,
        end("end_next", "Next visit", CW, pid, "visit_done"),
    ]
    alive = "missed_in_a_row < 2"
    flows = [
        Flow("start", "s_months"),
        Flow("s_months", "schedule"),
        Flow("schedule", "s_due"),
        Flow("s_due", "conduct_visit"),
        Flow("b_overdue", "s_remind"),
        Flow("s_remind", "t_grace"),
        Flow("t_grace", "overdue_escalation"),
        Flow("overdue_escalation", "end_escalated"),
        Flow("conduct_visit", "s_record"),
        Flow("s_record", "g_outcome"),
        Flow("g_outcome", "end_lost", "missed_in_a_row >= 2", "Two missed visits in a row"),
        Flow("g_outcome", "escalation_decision", f'{alive} and visit_outcome == "risk_escalated"', "Risk escalated"),
        Flow("g_outcome", "end_close", f'{alive} and visit_outcome == "ready_to_close"', "Ready to close"),
        Flow("g_outcome", last_end.id, f'{alive} and visit_outcome == "continue" and phase_over', "Phase complete"),
        Flow("g_outcome", "end_next", name="Continue"),
        Flow("escalation_decision", "g_escalation"),
        Flow("g_escalation", "s_readmit", 'escalation_decision == "readmit"', "Re-admit"),
        Flow("s_readmit", "end_readmit"),
        Flow("g_escalation", "end_new_placement", 'escalation_decision == "new_placement"', "New placement"),
        Flow("g_escalation", "end_next", name="Continue follow-up"),
    ]
    if transfer:
        nodes[1:1] = [
            xor("g_first", "Case transferred yet?", CW, default="case_transfer"),
            user("case_transfer", "Record case transfer", CW, "case_transfer", "P14D"),
            user("accept_transfer", "Accept case transfer", DOSVY, "transfer_acceptance", "P7D", priority="1"),
            xor("g_accepted", "Transfer accepted?", DOSVY, default="case_transfer"),
            script("s_transferred", "Transfer recorded", DOSVY, "transfer_done = True"),
        ]
        flows[0] = Flow("start", "g_first")
        flows[1:1] = [
            Flow("g_first", "s_months", "transfer_done", "Already transferred"),
            Flow("g_first", "case_transfer", name="First Type 2 visit"),
            Flow("case_transfer", "accept_transfer"),
            Flow("accept_transfer", "g_accepted"),
            Flow("g_accepted", "s_transferred", "transfer_accepted", "Accepted"),
            Flow("g_accepted", "case_transfer", name="Not accepted: record another transfer"),
            Flow("s_transferred", "s_months"),
        ]
    return Process(
        pid,
        name,
        [CW, SUP, DOSVY] if transfer else [CW, SUP],
        nodes,
        flows,
        f"Directive 009 {name}: one instance per visit; the next visit starts a new instance.",
    )


FOLLOW_UP_1 = visit_cycle(
    "follow_up_1",
    "Type 1 Follow-up",
    "type1",
    Node(
        "end_type2", "end", "Type 1 complete", CW, {"next": "follow_up_2", "outcome": "type1_complete"}, terminate=True
    ),
    transfer=False,
)
FOLLOW_UP_2 = visit_cycle(
    "follow_up_2",
    "Type 2 Follow-up",
    "type2",
    Node(
        "end_done",
        "end",
        "Follow-up complete",
        CW,
        {"next": "closure", "outcome": "follow_up_complete"},
        terminate=True,
    ),
    transfer=True,
)
# Moving to Type 2 starts its visit count afresh.
FOLLOW_UP_1.nodes.insert(
    len(FOLLOW_UP_1.nodes) - 2,
    script("s_type2", "Start Type 2 follow-up", CW, "visit_number = 1\ntransfer_done = False"),
)
for f in FOLLOW_UP_1.flows:
    if f.target == "end_type2":
        f.target = "s_type2"
FOLLOW_UP_1.flows.append(Flow("s_type2", "end_type2"))

LOST_CONTACT = Process(
    "lost_contact",
    "Lost contact and tracing",
    [CW, SUP],
    [
        Node("start", "start", "Contact lost", CW),
        user("tracing", "Tracing attempt", CW, "tracing_attempt", "P7D", priority="1"),
        xor("g_trace", "Tracing outcome", CW, default="tracing"),
        user("renewed_contact", "Record renewed contact", CW, "renewed_contact", "P3D"),
        script("s_found", "Contact restored", CW, "missed_in_a_row = 0"),
        xor("g_resume", "Resume which follow-up?", CW, default="end_resume_1"),
        end("end_resume_1", "Resume Type 1 follow-up", CW, "follow_up_1", "found"),
        end("end_resume_2", "Resume Type 2 follow-up", CW, "follow_up_2", "found"),
        user("approve_cannot_be_found", "Approve closing as cannot be found", SUP, "closure_approval", "P7D"),
        xor("g_give_up", "Closing approved?", SUP, default="tracing"),
        end("end_cannot_be_found", "Cannot be found", SUP, "closure", "cannot_be_found"),
    ],
    [
        Flow("start", "tracing"),
        Flow("tracing", "g_trace"),
        Flow("g_trace", "renewed_contact", 'tracing_outcome == "found"', "Found"),
        Flow("g_trace", "approve_cannot_be_found", 'tracing_outcome == "give_up"', "Give up"),
        Flow("g_trace", "tracing", name="Not found: keep trying"),
        Flow("renewed_contact", "s_found"),
        Flow("s_found", "g_resume"),
        Flow("g_resume", "end_resume_2", 'resume_process == "follow_up_2"', "Was in Type 2"),
        Flow("g_resume", "end_resume_1", name="Was in Type 1"),
        Flow("approve_cannot_be_found", "g_give_up"),
        Flow("g_give_up", "end_cannot_be_found", 'closure_decision == "approve"', "Approved"),
        Flow("g_give_up", "tracing", name="Keep tracing"),
    ],
    "Two missed visits in a row (or no contact for too long) open a tracing log; the case resumes or closes.",
)

CLOSURE = Process(
    "closure",
    "Closure",
    [CW, SUP],
    [
        Node("start", "start", "Closing the case", CW),
        user("final_assessment", "Final assessment", CW, "final_assessment", "P14D"),
        user("closure_record", "Closure record", CW, "closure", "P7D"),
        user("approve_closure", "Approve closure", SUP, "closure_approval", "P3D", priority="1"),
        xor("g_closure", "Closure approved?", SUP, default="final_assessment"),
        end("end_closed", "Case closed", SUP, "closed", "closed"),
    ],
    [
        Flow("start", "final_assessment"),
        Flow("final_assessment", "closure_record"),
        Flow("closure_record", "approve_closure"),
        Flow("approve_closure", "g_closure"),
        Flow("g_closure", "end_closed", 'closure_decision == "approve"', "Approved"),
        Flow("g_closure", "final_assessment", name="Returned for changes"),
    ],
    "Closure: final assessment, reason, whether and how the survivor was told, supervisor approval.",
)

RECORD_REVIEW = Process(
    "record_review",
    "Survivor's review of their own record",
    [CW, SUP],
    [
        Node("start", "start", "Survivor asks to see the record", CW),
        user("prepare_review", "Prepare the record for review", CW, "record_review_preparation", "P7D"),
        user(
            "approve_withholding",
            "Approve withheld third-party information",
            SUP,
            "withholding_approval",
            "P2D",
            priority="1",
        ),
        xor("g_withholding", "Withholding approved?", SUP, default="prepare_review"),
        user("review_session", "Record review session", CW, "record_review_session", "P14D"),
        xor("g_distress", "Distress recorded?", CW, default="end_reviewed"),
        Node(
            "urgent_support",
            "user",
            "Urgent psychological support",
            CW,
            {"form": "urgent_support", "priority": "1", "due": "PT24H", "notify": "supervisor"},
        ),
        end("end_supported", "Support given", CW, "end", "supported"),
        end("end_reviewed", "Record reviewed", CW, "end", "reviewed"),
    ],
    [
        Flow("start", "prepare_review"),
        Flow("prepare_review", "approve_withholding"),
        Flow("approve_withholding", "g_withholding"),
        Flow("g_withholding", "review_session", 'withholding_decision == "approve"', "Approved"),
        Flow("g_withholding", "prepare_review", name="Returned for changes"),
        Flow("review_session", "g_distress"),
        Flow("g_distress", "urgent_support", "distress", "Survivor distressed"),
        Flow("g_distress", "end_reviewed", name="No distress"),
        Flow("urgent_support", "end_supported"),
    ],
    "Seed item 9: survivors may check their own records; if the review distresses them, urgent psychological "
    "support follows within 24 hours and the supervisor is told at once.",
)

ALL = [PRE, REINTEGRATION, FOLLOW_UP_1, FOLLOW_UP_2, LOST_CONTACT, CLOSURE, RECORD_REVIEW]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for process in ALL:
        (OUT / f"{process.id}.bpmn").write_text(render(process), encoding="utf-8")
        print(f"wrote workflows/bpmn/{process.id}.bpmn")


if __name__ == "__main__":
    main()
