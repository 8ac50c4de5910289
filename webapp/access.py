"""Access rules as decorators. Every view carries one (tests walk the URL map to check)."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask_login import current_user
from flask_login import login_required as _flask_login_required

from .db import get_session
from .extensions import login_manager
from .models import MemberRole
from .services import organizations as org_service
from .services import proxy
from .services.errors import Forbidden


def current_viewer():
    """The logged-in user, or None for a visitor: what public pages pass to the services."""
    return current_user if current_user.is_authenticated else None


def _mark(view: Callable, rule: str) -> Callable:
    view.access_rule = rule
    return view


def public(view: Callable) -> Callable:
    """Anyone, logged in or not, may use this view (情報公開)."""
    return _mark(view, "public")


def anonymous_only(view: Callable) -> Callable:
    """Meant for visitors who are not logged in (register, log in); others may still see it."""
    return _mark(view, "anonymous")


def login_required(view: Callable) -> Callable:
    return _mark(_flask_login_required(view), "login")


def staff_required(view: Callable) -> Callable:
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.is_staff:
            raise Forbidden("この操作は市職員だけが行えます。")
        return view(*args, **kwargs)

    return _mark(wrapper, "staff")


def org_role_required(role: str, *, act: bool = False) -> Callable[[Callable], Callable]:
    """The user is a member of the organization in the URL (``org_id``) with at least ``role``;
    staff may edit any organization's profile (proxy entry). ``act``: the view acts *for* the
    organization (accept, sign, leave): staff may do that only when it has no owner account of its
    own (the service checks the full proxy rules again)."""
    needed = MemberRole(role)

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.is_staff:
                have = org_service.member_role(
                    get_session(), org_id=kwargs["org_id"], user_id=current_user.id
                )
                if have is None or (needed == MemberRole.OWNER and have != MemberRole.OWNER):
                    raise Forbidden("この団体の" + needed.label + "だけが行えます。")
            elif act:
                proxy.acting_for(get_session(), user=current_user, org_id=kwargs["org_id"])
            return view(*args, **kwargs)

        return _mark(wrapper, f"org:{needed.value}" + (":act" if act else ""))

    return decorator
