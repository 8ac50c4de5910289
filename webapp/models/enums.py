"""Closed vocabularies of the data model, each value with its Japanese label."""
from __future__ import annotations

from enum import StrEnum


class _Labelled(StrEnum):
    @property
    def label(self) -> str:
        return _LABELS[self]

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(m.value, m.label) for m in cls]


class Role(_Labelled):
    RESIDENT = "resident"
    STAFF = "staff"
    ADMIN = "admin"


class OrgKind(_Labelled):
    TERRITORIAL = "territorial"
    THEMATIC = "thematic"


class OrgCategory(_Labelled):
    JICHIKAI = "jichikai"
    CHONAIKAI = "chonaikai"
    KANRI_KUMIAI = "kanri_kumiai"
    ROJIN_CLUB = "rojin_club"
    KODOMOKAI = "kodomokai"
    NPO = "npo"
    VOLUNTARY = "voluntary"
    SOCIAL_WELFARE = "social_welfare"
    COMPANY = "company"
    SCHOOL = "school"
    OTHER = "other"


class OrgStatus(_Labelled):
    ACTIVE = "active"
    INACTIVE = "inactive"
    DISSOLVED = "dissolved"


class RecordSource(_Labelled):
    """Where a row came from, so demo rows and staff proxy entries stay recognisable."""

    WEB = "web"
    DEMO = "demo"
    IMPORT = "import"
    PROXY = "proxy"


class MemberRole(_Labelled):
    OWNER = "owner"
    EDITOR = "editor"


class IssueStatus(_Labelled):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED_UNRESOLVED = "closed_unresolved"


_LABELS: dict[StrEnum, str] = {
    Role.RESIDENT: "住民",
    Role.STAFF: "市職員",
    Role.ADMIN: "管理者",
    OrgKind.TERRITORIAL: "地縁型",
    OrgKind.THEMATIC: "目的型",
    OrgCategory.JICHIKAI: "自治会",
    OrgCategory.CHONAIKAI: "町内会",
    OrgCategory.KANRI_KUMIAI: "管理組合",
    OrgCategory.ROJIN_CLUB: "老人クラブ",
    OrgCategory.KODOMOKAI: "子ども会",
    OrgCategory.NPO: "NPO法人",
    OrgCategory.VOLUNTARY: "任意団体",
    OrgCategory.SOCIAL_WELFARE: "社会福祉法人",
    OrgCategory.COMPANY: "企業",
    OrgCategory.SCHOOL: "学校",
    OrgCategory.OTHER: "その他",
    OrgStatus.ACTIVE: "活動中",
    OrgStatus.INACTIVE: "休止中",
    OrgStatus.DISSOLVED: "解散",
    RecordSource.WEB: "本人登録",
    RecordSource.DEMO: "デモ（架空）",
    RecordSource.IMPORT: "名簿から取り込み",
    RecordSource.PROXY: "職員による代理登録",
    MemberRole.OWNER: "代表（オーナー）",
    MemberRole.EDITOR: "編集者",
    IssueStatus.OPEN: "受付中",
    IssueStatus.IN_PROGRESS: "対応中",
    IssueStatus.RESOLVED: "解決",
    IssueStatus.CLOSED_UNRESOLVED: "解決せず終了",
}

TERRITORIAL_CATEGORIES = frozenset(
    {
        OrgCategory.JICHIKAI,
        OrgCategory.CHONAIKAI,
        OrgCategory.KANRI_KUMIAI,
        OrgCategory.ROJIN_CLUB,
        OrgCategory.KODOMOKAI,
    }
)
