"""Every table of the product, imported in one place so the metadata (and Alembic) sees them all."""

from engine.accounts.models import Organisation, OrganisationKind, Province, Role, Team, TrainingRecord, User
from engine.cases.models import (
    Case,
    CaseEvent,
    CasePlan,
    CasePlanGoal,
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
from engine.db import Base

__all__ = [
    "Base", "Case", "CaseEvent", "CasePlan", "CasePlanGoal", "CaseStatus", "FamilyAssessment",
    "FamilyMember", "History", "Identity", "MedicalRecord", "Organisation", "OrganisationKind",
    "Phase", "Province", "PsychologicalRecord", "RiskLevel", "Role", "SafetyRating", "Sex", "Team",
    "TrainingRecord", "User",
]  # fmt: skip
