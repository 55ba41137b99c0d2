"""Workflow tables: deployed spec versions, instances (state without the spec), work items, timers.

Queues, dashboards and overdue checks read ``work_items`` and ``workflow_timers`` only; nothing lists
work by deserializing workflows.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.db import Base, EncryptedText, UTCDateTime, enum_column
from engine.models.accounts import Role, Team, User
from engine.models.cases import Case


class InstanceStatus(enum.StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class WorkItemStatus(enum.StrEnum):
    OPEN = "open"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class WorkflowSpec(Base):
    """One deployed version of a process: its key is ``process_id@sha256`` of the files it was parsed from."""

    __tablename__ = "workflow_specs"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    process_id: Mapped[str] = mapped_column(String(60), index=True)
    files: Mapped[str] = mapped_column(Text)  # JSON: file name -> XML text
    deployed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class WorkflowInstance(Base):
    """One run of one process for one case (a phase, or one follow-up visit)."""

    __tablename__ = "workflow_instances"
    __table_args__ = (
        CheckConstraint("rev >= 1", name="rev_positive"),
        Index("ix_workflow_instances_case_running", "case_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    process_id: Mapped[str] = mapped_column(String(60))
    spec_key: Mapped[str] = mapped_column(ForeignKey("workflow_specs.key"))
    status: Mapped[InstanceStatus] = mapped_column(enum_column(InstanceStatus, "instance_status"))
    outcome: Mapped[str | None] = mapped_column(String(60))
    next_process: Mapped[str | None] = mapped_column(String(60))
    state: Mapped[str] = mapped_column(Text)
    rev: Mapped[int] = mapped_column(Integer, default=1)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("workflow_instances.id"))

    __mapper_args__ = {"version_id_col": rev}  # noqa: RUF012 - SQLAlchemy reads it once, at mapping

    case: Mapped[Case] = relationship()


class WorkItem(Base):
    """A READY user task, materialised after every engine step."""

    __tablename__ = "work_items"
    __table_args__ = (
        CheckConstraint("priority BETWEEN 1 AND 3", name="priority_range"),
        # The queues' order (due date with none last, then priority) for a team's open items, and the
        # columns their filters and counts read: a page is read in order and stops after its rows, and the
        # counts read no table rows (bench/bench_inproc.py: 805 open items of a team cost 4 ms to sort).
        Index(
            "ix_work_items_queue",
            "status",
            "team_id",
            text("(due_at IS NULL)"),
            "due_at",
            "priority",
            "id",
            "role",
            "assignee_id",
            "form_key",
            "task_name",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("workflow_instances.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[str] = mapped_column(String(36))  # SpiffWorkflow task UUID
    task_name: Mapped[str] = mapped_column(String(80))  # BPMN element id
    title: Mapped[str] = mapped_column(String(200))
    form_key: Mapped[str] = mapped_column(String(60))
    process_id: Mapped[str] = mapped_column(String(60))
    role: Mapped[Role] = mapped_column(enum_column(Role, "work_item_role"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[WorkItemStatus] = mapped_column(enum_column(WorkItemStatus, "work_item_status"))
    priority: Mapped[int] = mapped_column(Integer, default=2)
    due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    follow_up_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    draft: Mapped[str | None] = mapped_column(EncryptedText)  # JSON of a saved draft of the form
    # A step reopened by "return for changes": the approval's record (the supervisor's comment, encrypted
    # there) and the step's earlier record (its answers, which prefill the form again).
    return_record_id: Mapped[int | None] = mapped_column(ForeignKey("case_records.id", ondelete="SET NULL"))
    earlier_record_id: Mapped[int | None] = mapped_column(ForeignKey("case_records.id", ondelete="SET NULL"))

    case: Mapped[Case] = relationship()
    team: Mapped[Team | None] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])


class WorkflowTimer(Base):
    """A WAITING timer event of an instance; the scheduler selects due rows by ``due_at``."""

    __tablename__ = "workflow_timers"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("workflow_instances.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[str] = mapped_column(String(36))
    name: Mapped[str] = mapped_column(String(120))
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
