"""All tables; importing this module registers them on ``SQLModel.metadata`` (Alembic reads it)."""
from .accounts import ConsentRecord, RecoveryCode, User
from .agreements import Agreement, AgreementRole, AgreementSignature, FrozenAgreementError
from .audit import AuditEntry, LifecycleEvent
from .base import UTCDateTime, utcnow
from .claims import OrgClaim
from .consortia import (
    Consortium,
    ConsortiumArea,
    ConsortiumCreate,
    ConsortiumIssue,
    ConsortiumMember,
    ConsortiumTheme,
)
from .enums import (
    ACTIVE_ISSUE_STATUSES,
    OPEN_CLAIM_STATUSES,
    STAFF_ISSUE_STATUSES,
    ClaimStatus,
    TERRITORIAL_CATEGORIES,
    AgreementStatus,
    CollaborationForm,
    EvaluationSide,
    Principle,
    CollaborationDomain,
    ConsortiumStatus,
    InvitationStatus,
    IssueStatus,
    MemberRole,
    NotificationKind,
    OrgCategory,
    OrgKind,
    OrgStatus,
    RecordSource,
    ReportReason,
    Role,
)
from .evaluations import Evaluation, EvaluationCreate, PrincipleRating
from .issues import (
    Comment,
    Issue,
    IssueCreate,
    IssueEdit,
    IssueFollow,
    IssueStatusChange,
    IssueSupport,
    IssueTheme,
    IssueUpdate,
)
from .guards import RateLimitCounter, RegisterUpload
from .moderation import ContentReport, ModerationCase, NgWord
from .notifications import ChangeLogVersion, IndexChange, Notification, OrgInvitation
from .organizations import (
    Membership,
    Organization,
    OrganizationArea,
    OrganizationCreate,
    OrganizationTheme,
)
from .places import Area, Chome, Theme

__all__ = [
    "ChangeLogVersion", "RateLimitCounter", "RegisterUpload",
    "ConsentRecord", "RecoveryCode",
    "ACTIVE_ISSUE_STATUSES", "OPEN_CLAIM_STATUSES", "STAFF_ISSUE_STATUSES", "IssueEdit", "IssueUpdate", "ClaimStatus", "OrgClaim",
    "Agreement", "AgreementRole", "AgreementSignature", "AgreementStatus", "AuditEntry",
    "CollaborationForm", "Evaluation", "EvaluationCreate", "EvaluationSide", "FrozenAgreementError",
    "LifecycleEvent", "Principle", "PrincipleRating",
    "Area", "Chome", "CollaborationDomain", "Comment", "Consortium", "ConsortiumArea",
    "ConsortiumCreate", "ConsortiumIssue", "ConsortiumMember", "ConsortiumStatus",
    "ConsortiumTheme", "IndexChange", "IssueFollow", "InvitationStatus", "Issue", "IssueCreate", "IssueStatus",
    "IssueStatusChange", "IssueSupport", "IssueTheme", "MemberRole", "Membership", "Notification",
    "NotificationKind", "OrgCategory", "OrgInvitation", "OrgKind", "OrgStatus", "Organization",
    "OrganizationArea", "OrganizationCreate", "OrganizationTheme", "RecordSource", "Role",
    "TERRITORIAL_CATEGORIES", "Theme", "UTCDateTime", "User", "utcnow",
    "ContentReport", "ModerationCase", "NgWord", "ReportReason",
]
