"""Staff two-factor login: TOTP (RFC 6238, pyotp) plus ten single-use recovery codes (SHA-256)."""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time

import pyotp
import sqlalchemy as sa
from sqlmodel import Session, delete

from ..models import RecoveryCode, User
from . import accounts
from .errors import Conflict

RECOVERY_CODES = 10
ISSUER = "協働マッチング"
BAD_CODE = "確認コードが正しくありません。認証アプリの6桁の数字か、回復コードを入力してください。"


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, *, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _normalize(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _totp_step(secret: str, code: str) -> int | None:
    """The 30-second time step whose code this is, or None. One step either side forgives a phone
    clock that is up to 30 s off."""
    if not (code.isascii() and code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    now = int(time.time()) // totp.interval
    for step in (now - 1, now, now + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _use_step(session: Session, user: User, step: int) -> bool:
    """Accept a code's time step at most once per account (RFC 6238, 5.2): a code seen over a
    shoulder or replayed from a proxy log is refused. A conditional UPDATE, so of two requests with
    the same code at once exactly one wins."""
    result = session.execute(
        sa.update(User)
        .where(User.id == user.id, sa.or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 1:
        user.totp_last_step = step
        return True
    return False


def enable(session: Session, *, user: User, secret: str, code: str) -> list[str]:
    """Turn two-factor on once the first code from the app checks out; returns the recovery codes
    (shown once, stored only as hashes)."""
    step = _totp_step(secret, _normalize(code))
    if step is None:
        raise Conflict(BAD_CODE, field="code")
    user.totp_secret = secret
    user.totp_last_step = step  # the enrolment code completes this login, so it is used up too
    session.add(user)
    session.exec(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [f"{secrets.token_hex(2)}-{secrets.token_hex(2)}-{secrets.token_hex(2)}" for _ in range(RECOVERY_CODES)]
    session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash(_normalize(c))) for c in codes)
    session.flush()
    return codes


def verify(session: Session, *, user: User, code: str) -> bool:
    """A current TOTP code not used before, or an unused recovery code (which is used up: deleting
    its row is what makes it single-use, even for two requests at once)."""
    code = _normalize(code)
    step = _totp_step(user.totp_secret, code) if user.totp_secret else None
    if step is not None:
        return _use_step(session, user, step)
    if len(code) != 12:
        return False
    result = session.execute(sa.delete(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash(code)))
    return result.rowcount == 1


def remaining_recovery_codes(session: Session, *, user: User) -> int:
    return session.execute(sa.select(sa.func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user.id)).scalar_one()


def reset(session: Session, *, email: str) -> User:
    """Forget a staff member's second factor (lost phone): they enrol again at the next login."""
    user = accounts.find_by_email(session, email)
    if user is None:
        raise Conflict(f"{email} のアカウントはありません。")
    user.totp_secret = None
    user.totp_last_step = None
    session.exec(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    accounts.end_all_sessions(session, user=user)
    return user
