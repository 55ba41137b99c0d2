"""Every table of the product, one module per area, imported here so the metadata (and Alembic) sees them all.

The models sit below every use-case package (accounts, cases, security, notices, workflow, reports), so
any of them may read any table without an import cycle; they hold columns, constraints and small
derived properties, never a business rule.
"""

from engine.db import Base
from engine.models.accounts import Organisation, OrganisationKind, Province, Role, Team, TrainingRecord, User
from engine.models.cases import (
    Case,
    CaseEvent,
    CasePlan,
    CasePlanGoal,
    CaseRecord,
    CaseStatus,
    FamilyAssessment,
    FamilyMember,
    History,
    Identity,
    MedicalRecord,
    Phase,
    PsychologicalRecord,
    RiskLevel,
    SafetyRating,
    Sex,
)
from engine.models.notices import Delivery, Notice, Preference, SchedulerJob, SchedulerNode
from engine.models.security import AuditEvent, AuditHead, CaseTransfer, ConsentRecord, LoginAttempt
from engine.models.workflow import (
    InstanceStatus,
    WorkflowInstance,
    WorkflowSpec,
    WorkflowTimer,
    WorkItem,
    WorkItemStatus,
)

__all__ = [
    "AuditEvent",
    "AuditHead",
    "Base",
    "Case",
    "CaseEvent",
    "CasePlan",
    "CasePlanGoal",
    "CaseRecord",
    "CaseStatus",
    "CaseTransfer",
    "ConsentRecord",
    "Delivery",
    "FamilyAssessment",
    "FamilyMember",
    "History",
    "Identity",
    "InstanceStatus",
    "LoginAttempt",
    "MedicalRecord",
    "Notice",
    "Organisation",
    "OrganisationKind",
    "Phase",
    "Preference",
    "Province",
    "PsychologicalRecord",
    "RiskLevel",
    "Role",
    "SafetyRating",
    "SchedulerJob",
    "SchedulerNode",
    "Sex",
    "Team",
    "TrainingRecord",
    "User",
    "WorkItem",
    "WorkItemStatus",
    "WorkflowInstance",
    "WorkflowSpec",
    "WorkflowTimer",
]  # fmt: skip
