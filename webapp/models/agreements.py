"""協定書: versioned written agreements of a 協議体, each version signed by every member.

A version may be edited only while nobody has signed it; from the first signature on it is
frozen (a change makes a new version, which everyone signs again). Besides the services' checks,
every session refuses at flush time to change a frozen version's content or roles."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, Session, SQLModel

from .base import enum_column, not_blank, timestamp_column, utcnow
from .enums import AgreementStatus, CollaborationForm

CONTENT_FIELDS = ("purpose", "period_start", "period_end", "cost_sharing", "disclosure")


class Agreement(SQLModel, table=True):
    __table_args__ = (
        sa.UniqueConstraint("consortium_id", "version", name="uq_agreement_consortium_id_version"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
        sa.CheckConstraint("period_end >= period_start", name="ends_after_start"),
        not_blank("purpose"),
    )

    id: int | None = Field(default=None, primary_key=True)
    consortium_id: int = Field(foreign_key="consortium.id", ondelete="CASCADE", index=True)
    version: int
    purpose: str = Field(sa_type=sa.Text)
    period_start: date
    period_end: date
    cost_sharing: str = Field(default="", sa_type=sa.Text)
    disclosure: str = Field(default="", sa_type=sa.Text)
    status: AgreementStatus = Field(
        default=AgreementStatus.DRAFT, sa_column=enum_column(AgreementStatus, "agreement_status")
    )
    created_by_id: int = Field(foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())


class AgreementRole(SQLModel, table=True):
    """One member's role and responsibilities in a version, with its 協働の形態."""

    agreement_id: int = Field(foreign_key="agreement.id", primary_key=True, ondelete="CASCADE")
    organization_id: int = Field(foreign_key="organization.id", primary_key=True)
    role: str = Field(default="", sa_type=sa.Text)
    responsibilities: str = Field(default="", sa_type=sa.Text)
    form: CollaborationForm = Field(sa_column=enum_column(CollaborationForm, "collaboration_form"))


class AgreementSignature(SQLModel, table=True):
    """An organization's signature on a version, given by its owner (or staff for a proxy)."""

    agreement_id: int = Field(foreign_key="agreement.id", primary_key=True, ondelete="CASCADE")
    organization_id: int = Field(foreign_key="organization.id", primary_key=True)
    signed_by_id: int = Field(foreign_key="user_account.id")
    signed_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    # Signed by staff for an association without an account of its own (shown publicly as 代理).
    proxy: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})


class FrozenAgreementError(RuntimeError):
    """Raised when code tries to change a version that has signatures."""


@sa.event.listens_for(Session, "before_flush")
def _refuse_changes_to_frozen_versions(flushing, _context, _instances):
    """Any session, any code path: the content of a signed version or its roles cannot change."""
    for obj in flushing.dirty:
        if isinstance(obj, Agreement):
            state = sa.inspect(obj)
            was = state.attrs.status.history.deleted
            before = was[0] if was else obj.status
            if before != AgreementStatus.DRAFT and any(
                state.attrs[name].history.has_changes() for name in CONTENT_FIELDS
            ):
                raise FrozenAgreementError(f"agreement {obj.id} v{obj.version} is signed")
    for obj in [*flushing.new, *flushing.dirty, *flushing.deleted]:
        if isinstance(obj, AgreementRole):
            parent = flushing.get(Agreement, obj.agreement_id)
            if parent is not None and parent.status != AgreementStatus.DRAFT:
                raise FrozenAgreementError(f"agreement {obj.agreement_id} is signed")
