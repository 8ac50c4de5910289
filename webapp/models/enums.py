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
    WITHDRAWN = "withdrawn"  # by its poster, with a reason; the page stays, marked


# Statuses staff set from the issue page (取り下げ is the poster's own act).
STAFF_ISSUE_STATUSES = (IssueStatus.OPEN, IssueStatus.IN_PROGRESS, IssueStatus.RESOLVED,
                        IssueStatus.CLOSED_UNRESOLVED)


# Issues still being worked on: the ones listed, suggested for and counted as open.
ACTIVE_ISSUE_STATUSES = (IssueStatus.OPEN, IssueStatus.IN_PROGRESS)


class CollaborationDomain(_Labelled):
    """協働の領域 of the guideline."""

    CITIZEN_LED = "citizen_led"
    COOPERATIVE = "cooperative"
    GOVERNMENT_LED = "government_led"


class ConsortiumStatus(_Labelled):
    PROPOSED = "proposed"
    FORMING = "forming"
    ACTIVE = "active"
    EVALUATING = "evaluating"
    CLOSED = "closed"


class InvitationStatus(_Labelled):
    INVITED = "invited"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    LEFT = "left"
    WITHDRAWN = "withdrawn"


class NotificationKind(_Labelled):
    CONSORTIUM_INVITATION = "consortium_invitation"
    CONSORTIUM_ANSWER = "consortium_answer"
    CONSORTIUM_STATUS = "consortium_status"
    ORG_INVITATION = "org_invitation"
    ORG_INVITATION_ANSWER = "org_invitation_answer"
    MATCHING_ISSUE = "matching_issue"
    ISSUE_STATUS = "issue_status"
    AGREEMENT = "agreement"
    LIFECYCLE = "lifecycle"
    EVALUATION = "evaluation"
    # Accounts (issue 10a): an association lost its last owner when that person left.
    ORG_UNOWNED = "org_unowned"
    CLAIM = "claim"
    CLAIM_DECISION = "claim_decision"
    ORG_IDENTITY = "org_identity"
    # Moderation (issue 11): the author hears that staff (or N reports) hid their post, or restored it.
    MODERATION = "moderation"
    # Issue 11: what the poster and the followers of an issue hear (services/issue_followers.py).
    ISSUE_COMMENT = "issue_comment"
    ISSUE_CONSORTIUM = "issue_consortium"
    # Staff notices (issue 11 item 7): a 協議体 moved to 振り返り; its evaluations are overdue.
    CONSORTIUM_EVALUATING = "consortium_evaluating"
    EVALUATION_OVERDUE = "evaluation_overdue"


class ReportReason(_Labelled):
    """Why someone reports (通報) an issue, a comment or an organization profile."""

    PERSONAL_INFO = "personal_info"
    ABUSE = "abuse"
    SPAM = "spam"
    OFF_TOPIC = "off_topic"
    OTHER = "other"  # needs a text


class ClaimStatus(_Labelled):
    """A request to become an association's 代表: open while PENDING or OWNERS_ASKED."""

    PENDING = "pending"              # waiting for staff
    OWNERS_ASKED = "owners_asked"    # the association has owners: they answer first
    APPROVED = "approved"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


OPEN_CLAIM_STATUSES = (ClaimStatus.PENDING, ClaimStatus.OWNERS_ASKED)


class CollaborationForm(_Labelled):
    """協働の形態 of the guideline."""

    CONSIGNMENT = "consignment"
    SUBSIDY = "subsidy"
    CO_HOSTING = "co_hosting"
    PERSONNEL_EXCHANGE = "personnel_exchange"
    FACILITY_PROVISION = "facility_provision"
    FACILITY_MANAGEMENT = "facility_management"
    POLICY_PROPOSAL = "policy_proposal"


class AgreementStatus(_Labelled):
    DRAFT = "draft"            # no signature yet: may still be edited
    SIGNING = "signing"        # signed by some members: frozen
    SIGNED = "signed"          # signed by every member: in force
    SUPERSEDED = "superseded"  # replaced by a later version


class Principle(_Labelled):
    """The seven principles (7つの視点) of the guideline, in its order."""

    PURPOSE_SHARING = "purpose_sharing"
    EQUALITY = "equality"
    MUTUAL_UNDERSTANDING = "mutual_understanding"
    AUTONOMY = "autonomy"
    DISCLOSURE = "disclosure"
    INDEPENDENCE = "independence"
    TIME_LIMIT = "time_limit"


class EvaluationSide(_Labelled):
    CITIZEN = "citizen"
    CITY = "city"


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
    IssueStatus.WITHDRAWN: "取り下げ",
    CollaborationDomain.CITIZEN_LED: "市民が主体",
    CollaborationDomain.COOPERATIVE: "市民と行政が協力",
    CollaborationDomain.GOVERNMENT_LED: "行政が主体",
    ConsortiumStatus.PROPOSED: "提案中",
    ConsortiumStatus.FORMING: "結成準備中",
    ConsortiumStatus.ACTIVE: "活動中",
    ConsortiumStatus.EVALUATING: "振り返り中",
    ConsortiumStatus.CLOSED: "終了",
    InvitationStatus.INVITED: "招待中",
    InvitationStatus.ACCEPTED: "参加",
    InvitationStatus.DECLINED: "辞退",
    InvitationStatus.LEFT: "脱退",
    InvitationStatus.WITHDRAWN: "招待取り消し",
    NotificationKind.CONSORTIUM_INVITATION: "協議体への招待",
    NotificationKind.CONSORTIUM_ANSWER: "招待への回答",
    NotificationKind.CONSORTIUM_STATUS: "協議体の状態",
    NotificationKind.ORG_INVITATION: "団体の編集者への招待",
    NotificationKind.ORG_INVITATION_ANSWER: "編集者招待への回答",
    NotificationKind.MATCHING_ISSUE: "団体に合う地域課題",
    NotificationKind.ISSUE_STATUS: "地域課題の状態",
    NotificationKind.AGREEMENT: "協定書",
    NotificationKind.LIFECYCLE: "協議体の期間",
    NotificationKind.EVALUATION: "振り返り",
    NotificationKind.ORG_UNOWNED: "代表者のいない団体",
    NotificationKind.CLAIM: "代表の申請",
    NotificationKind.CLAIM_DECISION: "代表の申請への回答",
    NotificationKind.ORG_IDENTITY: "団体の確認・代表の指名",
    NotificationKind.MODERATION: "投稿の非公開・公開",
    ReportReason.PERSONAL_INFO: "個人情報",
    ReportReason.ABUSE: "誹謗中傷",
    ReportReason.SPAM: "宣伝・スパム",
    ReportReason.OFF_TOPIC: "関係のない内容",
    ReportReason.OTHER: "その他",
    NotificationKind.ISSUE_COMMENT: "地域課題へのコメント",
    NotificationKind.ISSUE_CONSORTIUM: "地域課題に取り組む協議体",
    NotificationKind.CONSORTIUM_EVALUATING: "協議体の振り返り開始",
    NotificationKind.EVALUATION_OVERDUE: "振り返りの遅れ",
    ClaimStatus.PENDING: "市の確認待ち",
    ClaimStatus.OWNERS_ASKED: "現在の代表に確認中",
    ClaimStatus.APPROVED: "承認",
    ClaimStatus.DECLINED: "見送り",
    ClaimStatus.WITHDRAWN: "取り下げ",
    CollaborationForm.CONSIGNMENT: "委託・請負",
    CollaborationForm.SUBSIDY: "助成・補助",
    CollaborationForm.CO_HOSTING: "共催・後援",
    CollaborationForm.PERSONNEL_EXCHANGE: "人的交流",
    CollaborationForm.FACILITY_PROVISION: "公共施設等の提供",
    CollaborationForm.FACILITY_MANAGEMENT: "公の施設の管理運営",
    CollaborationForm.POLICY_PROPOSAL: "政策提言",
    AgreementStatus.DRAFT: "下書き",
    AgreementStatus.SIGNING: "署名受付中",
    AgreementStatus.SIGNED: "締結済み",
    AgreementStatus.SUPERSEDED: "改定により失効",
    Principle.PURPOSE_SHARING: "目的共有",
    Principle.EQUALITY: "対等",
    Principle.MUTUAL_UNDERSTANDING: "相互認識・理解",
    Principle.AUTONOMY: "自主性尊重",
    Principle.DISCLOSURE: "情報公開",
    Principle.INDEPENDENCE: "自立",
    Principle.TIME_LIMIT: "時限性",
    EvaluationSide.CITIZEN: "市民側",
    EvaluationSide.CITY: "市側",
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
