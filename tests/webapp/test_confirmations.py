"""Signing, submitting an evaluation, closing and leaving each show a confirmation page first
(no JavaScript needed); only its 「確定する」 button (confirmed=1) acts, with the same fields."""
import re

from sqlmodel import select

from tests.webapp.conftest import agreement_draft
from tests.webclient import AuthActions, csrf_token
from webapp.models import AgreementSignature, ConsortiumMember, ConsortiumStatus, Evaluation, InvitationStatus
from webapp.services import agreements, consortia


def _hidden(html: str) -> dict[str, list[str]]:
    form = html[html.index('class="confirm-form"'):]
    out: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form[: form.index("</form>")]):
        out.setdefault(name, []).append(value)
    return out


def _action(html: str) -> str:
    return re.search(r'<form method="post" action="([^"]+)" class="confirm-form">', html).group(1).replace("&amp;", "&")


def _confirm(client, url, html):
    assert _action(html) == url  # the confirmation posts back to the same URL
    return client.post(_action(html), data={**_hidden(html), "confirmed": "1"})


def test_signing_asks_first_and_carries_every_field(client, db, active_consortium):
    world = active_consortium
    draft = agreements.save_draft(db, consortium_id=world["consortium"].id, by_user=world["kaicho"],
                                  data=agreement_draft(world))
    db.commit()
    AuthActions(client).login(email="kaicho@example.jp")
    url = f"/consortia/{world['consortium'].id}/agreement/{draft.id}/sign/{world['jichikai'].id}"
    token = csrf_token(client, f"/consortia/{world['consortium'].id}/agreement")
    seen = agreements.fingerprint(agreements.versions(db, consortium_id=world["consortium"].id)[0])
    first = client.post(url, data={"csrf_token": token, "seen": seen})  # the sign form's own hidden field
    html = first.get_data(as_text=True)
    assert first.status_code == 200 and "協定書に署名します" in html and "滝山自治会" in html and "第1版" in html
    assert db.exec(select(AgreementSignature)).all() == []
    assert _hidden(html)["seen"] == [seen]
    done = _confirm(client, url, html)
    assert done.status_code == 302
    assert len(db.exec(select(AgreementSignature)).all()) == 1


def test_closing_asks_first(client, db, active_consortium):
    world = active_consortium
    consortia.start_evaluation(db, consortium=world["consortium"], by_user=world["staff"], reason="テスト")
    db.commit()
    AuthActions(client).login(email="staff@example.jp")
    url = f"/consortia/{world['consortium'].id}/close"
    token = csrf_token(client, f"/consortia/{world['consortium'].id}/evaluation")
    html = client.post(url, data={"csrf_token": token}).get_data(as_text=True)
    assert "協議体を終了します" in html and "滝山見守り協議体" in html
    db.refresh(world["consortium"])
    assert world["consortium"].status == ConsortiumStatus.EVALUATING
    assert _confirm(client, url, html).status_code == 302
    db.refresh(world["consortium"])
    assert world["consortium"].status == ConsortiumStatus.CLOSED


def test_leaving_asks_first(client, db, active_consortium):
    world = active_consortium
    AuthActions(client).login(email="npo@example.jp")
    url = f"/consortia/{world['consortium'].id}/members/{world['npo'].id}/leave"
    token = csrf_token(client, f"/consortia/{world['consortium'].id}")
    html = client.post(url, data={"csrf_token": token, "message": "人手が足りない", "confirm": "y"}).get_data(as_text=True)
    assert "協議体から脱退します" in html and "人手が足りない" in html and "見守りNPO" in html
    member = lambda: db.exec(select(ConsortiumMember).where(  # noqa: E731
        ConsortiumMember.organization_id == world["npo"].id)).one()
    assert member().status == InvitationStatus.ACCEPTED
    assert _confirm(client, url, html).status_code == 302
    db.expire_all()
    assert member().status != InvitationStatus.ACCEPTED


def test_an_evaluation_is_confirmed_and_can_be_corrected_first(client, db, active_consortium):
    from webapp.models import Principle

    world = active_consortium
    consortia.start_evaluation(db, consortium=world["consortium"], by_user=world["staff"], reason="テスト")
    db.commit()
    AuthActions(client).login(email="kaicho@example.jp")
    url = f"/consortia/{world['consortium'].id}/evaluation/new?org={world['jichikai'].id}"
    answers = {"goal_score": "4", "cost_score": "3", "lessons": "早めに集まる",
               **{f"p_{p.value}": "4" for p in Principle}}
    html = client.post(url, data={"csrf_token": csrf_token(client, url), **answers}).get_data(as_text=True)
    assert "振り返りを提出します" in html and "早めに集まる" in html and "4 / 5" in html
    assert db.exec(select(Evaluation)).all() == []
    back = client.post(_action(html), data={**_hidden(html), "back": "1"}).get_data(as_text=True)
    assert "早めに集まる</textarea>" in back  # the form again, answers kept
    assert db.exec(select(Evaluation)).all() == []
    assert _confirm(client, url, html).status_code == 302
    assert len(db.exec(select(Evaluation)).all()) == 1
