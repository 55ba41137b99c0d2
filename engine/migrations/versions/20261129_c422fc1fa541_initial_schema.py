"""initial schema

Revision ID: c422fc1fa541
Revises:
Create Date: 2026-11-29 13:22:12.061250
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import engine.db
from engine.accounts.provinces import PROVINCES

revision: str = "c422fc1fa541"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "provinces",
        sa.Column("code", sa.String(length=2), nullable=False),
        sa.Column("name_en", sa.String(length=80), nullable=False),
        sa.Column("name_km", sa.String(length=80), nullable=True),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_provinces")),
        sa.UniqueConstraint("name_en", name=op.f("uq_provinces_name_en")),
    )
    op.create_table(
        "organisations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "government_shelter",
                "ngo_shelter",
                "dosvy_office",
                name="organisation_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("province_code", sa.String(length=2), nullable=False),
        sa.Column("mosvy_agreement_date", sa.Date(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "kind != 'ngo_shelter' OR mosvy_agreement_date IS NOT NULL",
            name=op.f("ck_organisations_ngo_has_agreement"),
        ),
        sa.ForeignKeyConstraint(
            ["province_code"],
            ["provinces.code"],
            name=op.f("fk_organisations_province_code_provinces"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisations")),
        sa.UniqueConstraint("name", name=op.f("uq_organisations_name")),
    )
    op.create_table(
        "teams",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.CheckConstraint("length(name) > 0", name=op.f("ck_teams_name_not_empty")),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_teams_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teams")),
    )
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_teams_organisation_id"), ["organisation_id"], unique=False)

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("display_name", sa.String(length=120), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "caseworker",
                "supervisor",
                "administrator",
                "dosvy_officer",
                "reporting",
                name="role",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_login_at", engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("created_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("language IN ('en', 'km')", name=op.f("ck_users_language_known")),
        sa.CheckConstraint("failed_logins >= 0", name=op.f("ck_users_failed_logins_not_negative")),
        sa.CheckConstraint("length(username) >= 3", name=op.f("ck_users_username_length")),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_users_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_users_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_users_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_users_team_id"), ["team_id"], unique=False)

    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column(
            "phase",
            sa.Enum(
                "pre_reintegration",
                "reintegration",
                "follow_up_1",
                "follow_up_2",
                "closure",
                name="phase",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "lost_contact",
                "closed",
                name="case_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "risk_level",
            sa.Enum(
                "high",
                "medium",
                "low",
                name="risk_level",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("caseworker_id", sa.Integer(), nullable=True),
        sa.Column("opened_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("rev", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(status = 'closed') = (closed_at IS NOT NULL)",
            name=op.f("ck_cases_closed_has_closed_at"),
        ),
        sa.CheckConstraint("length(code) >= 4", name=op.f("ck_cases_code_not_empty")),
        sa.ForeignKeyConstraint(["caseworker_id"], ["users.id"], name=op.f("fk_cases_caseworker_id_users")),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_cases_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("code", name=op.f("uq_cases_code")),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cases_caseworker_id"), ["caseworker_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_phase"), ["phase"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_team_id"), ["team_id"], unique=False)

    op.create_table(
        "training_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course", sa.String(length=80), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_training_records_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_records")),
    )
    with op.batch_alter_table("training_records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_training_records_user_id"), ["user_id"], unique=False)

    op.create_table(
        "case_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("summary", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_case_events_actor_id_users")),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_case_events_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_events")),
    )
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_events_case_id"), ["case_id"], unique=False)

    op.create_table(
        "case_histories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("origin_province_code", sa.String(length=2), nullable=True),
        sa.Column("address_before", engine.db.EncryptedText(), nullable=True),
        sa.Column("left_home_on", engine.db.EncryptedDate(), nullable=True),
        sa.Column("form_of_exploitation", sa.String(length=40), nullable=True),
        sa.Column("destination_country", sa.String(length=2), nullable=True),
        sa.Column("destination_detail", engine.db.EncryptedText(), nullable=True),
        sa.Column("referral_source", sa.String(length=40), nullable=True),
        sa.Column("identified_on", engine.db.EncryptedDate(), nullable=True),
        sa.Column("identifying_authority", engine.db.EncryptedText(), nullable=True),
        sa.Column("returned_on", engine.db.EncryptedDate(), nullable=True),
        sa.Column("address_after", engine.db.EncryptedText(), nullable=True),
        sa.Column("narrative", engine.db.EncryptedText(), nullable=True),
        sa.Column("updated_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_case_histories_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["origin_province_code"],
            ["provinces.code"],
            name=op.f("fk_case_histories_origin_province_code_provinces"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_case_histories_updated_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_histories")),
        sa.UniqueConstraint("case_id", name=op.f("uq_case_histories_case_id")),
    )
    with op.batch_alter_table("case_histories", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_histories_case_id"), ["case_id"], unique=False)

    op.create_table(
        "case_identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("given_name_km", engine.db.EncryptedText(), nullable=True),
        sa.Column("family_name_km", engine.db.EncryptedText(), nullable=True),
        sa.Column("given_name_latin", engine.db.EncryptedText(), nullable=True),
        sa.Column("family_name_latin", engine.db.EncryptedText(), nullable=True),
        sa.Column("alias", engine.db.EncryptedText(), nullable=True),
        sa.Column("name_index", sa.String(length=64), nullable=True),
        sa.Column("photo_ref", engine.db.EncryptedText(), nullable=True),
        sa.Column(
            "sex",
            sa.Enum(
                "female",
                "male",
                "other",
                "unknown",
                name="sex",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("date_of_birth", engine.db.EncryptedDate(), nullable=True),
        sa.Column("place_of_birth", engine.db.EncryptedText(), nullable=True),
        sa.Column("updated_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "given_name_latin IS NOT NULL OR given_name_km IS NOT NULL",
            name=op.f("ck_case_identities_has_a_name"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_case_identities_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_case_identities_updated_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_identities")),
        sa.UniqueConstraint("case_id", name=op.f("uq_case_identities_case_id")),
    )
    with op.batch_alter_table("case_identities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_identities_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_identities_name_index"), ["name_index"], unique=False)

    op.create_table(
        "case_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("family_communication_plan", engine.db.EncryptedText(), nullable=True),
        sa.Column("approved_at", engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("version >= 1", name=op.f("ck_case_plans_version_positive")),
        sa.ForeignKeyConstraint(
            ["approved_by_id"],
            ["users.id"],
            name=op.f("fk_case_plans_approved_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_case_plans_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_case_plans_updated_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_plans")),
        sa.UniqueConstraint("case_id", name=op.f("uq_case_plans_case_id")),
    )
    with op.batch_alter_table("case_plans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_plans_case_id"), ["case_id"], unique=False)

    op.create_table(
        "family_assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("household", engine.db.EncryptedText(), nullable=True),
        sa.Column("abuse_or_neglect", engine.db.EncryptedText(), nullable=True),
        sa.Column("attitude_and_capacity", engine.db.EncryptedText(), nullable=True),
        sa.Column("livelihood_and_support", engine.db.EncryptedText(), nullable=True),
        sa.Column("trafficker_link_or_debts", engine.db.EncryptedText(), nullable=True),
        sa.Column(
            "safety_rating",
            sa.Enum(
                "safe",
                "safe_with_support",
                "unsafe",
                name="safety_rating",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("updated_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_family_assessments_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_family_assessments_updated_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_family_assessments")),
    )
    with op.batch_alter_table("family_assessments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_family_assessments_case_id"), ["case_id"], unique=False)

    op.create_table(
        "family_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("relationship", sa.String(length=40), nullable=False),
        sa.Column("name", engine.db.EncryptedText(), nullable=False),
        sa.Column("date_of_birth", engine.db.EncryptedDate(), nullable=True),
        sa.Column("address", engine.db.EncryptedText(), nullable=True),
        sa.Column("occupation", engine.db.EncryptedText(), nullable=True),
        sa.Column("updated_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "length(relationship) > 0",
            name=op.f("ck_family_members_relationship_not_empty"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_family_members_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_family_members_updated_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_family_members")),
    )
    with op.batch_alter_table("family_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_family_members_case_id"), ["case_id"], unique=False)

    op.create_table(
        "medical_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vaccinations", engine.db.EncryptedText(), nullable=True),
        sa.Column("prescriptions", engine.db.EncryptedText(), nullable=True),
        sa.Column("doctor_advice", engine.db.EncryptedText(), nullable=True),
        sa.Column("forensic_assessment", engine.db.EncryptedText(), nullable=True),
        sa.Column("updated_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_medical_records_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_medical_records_updated_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_medical_records")),
        sa.UniqueConstraint("case_id", name=op.f("uq_medical_records_case_id")),
    )
    with op.batch_alter_table("medical_records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_medical_records_case_id"), ["case_id"], unique=False)

    op.create_table(
        "psychological_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment", engine.db.EncryptedText(), nullable=True),
        sa.Column("notes", engine.db.EncryptedText(), nullable=True),
        sa.Column("updated_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_psychological_records_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_psychological_records_updated_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_psychological_records")),
        sa.UniqueConstraint("case_id", name=op.f("uq_psychological_records_case_id")),
    )
    with op.batch_alter_table("psychological_records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_psychological_records_case_id"), ["case_id"], unique=False)

    op.create_table(
        "case_plan_goals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("domain", sa.String(length=40), nullable=False),
        sa.Column("goal", engine.db.EncryptedText(), nullable=False),
        sa.Column("action", engine.db.EncryptedText(), nullable=True),
        sa.Column("responsible", engine.db.EncryptedText(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.CheckConstraint("length(domain) > 0", name=op.f("ck_case_plan_goals_domain_not_empty")),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["case_plans.id"],
            name=op.f("fk_case_plan_goals_plan_id_case_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_plan_goals")),
    )
    with op.batch_alter_table("case_plan_goals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_plan_goals_plan_id"), ["plan_id"], unique=False)
    provinces = sa.table("provinces", sa.column("code", sa.String), sa.column("name_en", sa.String))
    op.bulk_insert(provinces, [{"code": code, "name_en": name} for code, name in PROVINCES])


def downgrade() -> None:
    with op.batch_alter_table("case_plan_goals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_plan_goals_plan_id"))

    op.drop_table("case_plan_goals")
    with op.batch_alter_table("psychological_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_psychological_records_case_id"))

    op.drop_table("psychological_records")
    with op.batch_alter_table("medical_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_medical_records_case_id"))

    op.drop_table("medical_records")
    with op.batch_alter_table("family_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_family_members_case_id"))

    op.drop_table("family_members")
    with op.batch_alter_table("family_assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_family_assessments_case_id"))

    op.drop_table("family_assessments")
    with op.batch_alter_table("case_plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_plans_case_id"))

    op.drop_table("case_plans")
    with op.batch_alter_table("case_identities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_identities_name_index"))
        batch_op.drop_index(batch_op.f("ix_case_identities_case_id"))

    op.drop_table("case_identities")
    with op.batch_alter_table("case_histories", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_histories_case_id"))

    op.drop_table("case_histories")
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_events_case_id"))

    op.drop_table("case_events")
    with op.batch_alter_table("training_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_training_records_user_id"))

    op.drop_table("training_records")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_team_id"))
        batch_op.drop_index(batch_op.f("ix_cases_status"))
        batch_op.drop_index(batch_op.f("ix_cases_phase"))
        batch_op.drop_index(batch_op.f("ix_cases_caseworker_id"))

    op.drop_table("cases")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_team_id"))
        batch_op.drop_index(batch_op.f("ix_users_organisation_id"))

    op.drop_table("users")
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_teams_organisation_id"))

    op.drop_table("teams")
    op.drop_table("organisations")
    op.drop_table("provinces")
