"""All tables; importing this module registers them on ``SQLModel.metadata`` (Alembic reads it)."""
from .accounts import User
from .base import UTCDateTime, utcnow
from .enums import (
    TERRITORIAL_CATEGORIES,
    IssueStatus,
    MemberRole,
    OrgCategory,
    OrgKind,
    OrgStatus,
    RecordSource,
    Role,
)
from .issues import Comment, Issue, IssueCreate, IssueStatusChange, IssueSupport, IssueTheme
from .organizations import (
    Membership,
    Organization,
    OrganizationArea,
    OrganizationCreate,
    OrganizationTheme,
)
from .places import Area, Chome, Theme

__all__ = [
    "Area", "Chome", "Comment", "Issue", "IssueCreate", "IssueStatus", "IssueStatusChange", "IssueSupport",
    "IssueTheme", "MemberRole", "Membership", "OrgCategory", "OrgKind", "OrgStatus",
    "Organization", "OrganizationArea", "OrganizationCreate", "OrganizationTheme", "RecordSource", "Role",
    "TERRITORIAL_CATEGORIES", "Theme", "UTCDateTime", "User", "utcnow",
]
