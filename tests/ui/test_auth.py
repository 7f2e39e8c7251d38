"""Signing in and out, throttling, safe redirects, password change, cookies and the language switch."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select, update

from tests.support import PASSWORD
from tests.ui.conftest import UI, text
from workflow.models import LoginThrottle, User


def test_the_login_page_is_in_chinese_by_default(ui):
    page = ui().get("/login")
    assert page.status_code == 200
    assert "登录" in text(page) and 'lang="zh-CN"' in text(page)


def test_pages_need_a_signed_in_user_and_remember_where_to_go(ui):
    response = ui().get("/supervise?region=210102")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert "supervise" in response.headers["Location"]


def test_a_cadre_signs_in_and_lands_on_the_worklist(ui):
    client = ui()
    response = client.post("/login", {"username": "cadre", "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "工作清单" in text(client.get("/"))


def test_a_wrong_password_is_refused_with_one_calm_message(ui, world):
    response = ui().post("/login", {"username": "cadre", "password": "wrong password"})
    assert response.status_code == 401
    assert "用户名或密码错误" in text(response)
    unknown = ui().post("/login", {"username": "nobody", "password": "wrong password"})
    assert unknown.status_code == 401 and "用户名或密码错误" in text(unknown)
    with world.db.uow(write=False) as uow:  # counted per (account, address) by the login service
        assert [t.failures for t in uow.session.scalars(select(LoginThrottle).where(
            LoginThrottle.key.like("a:%")))] == [1, 1]


def test_five_failures_make_this_address_wait_with_the_same_message_and_then_it_may_sign_in(ui, world):
    # issue 12: the old lock said "try again in 15 minutes" only for existing names, and locked the owner out
    client = ui()
    for _ in range(5):
        client.post("/login", {"username": "cadre", "password": "wrong password"})
    waiting = client.post("/login", {"username": "cadre", "password": PASSWORD})
    assert waiting.status_code == 401 and "用户名或密码错误" in text(waiting) and "分钟" not in text(waiting)
    with world.db.uow() as uow:  # the wait is over
        uow.session.execute(update(LoginThrottle).values(blocked_until=None))
    assert client.post("/login", {"username": "cadre", "password": PASSWORD}).status_code == 302
    with world.db.uow(write=False) as uow:
        assert not uow.session.scalars(select(LoginThrottle).where(LoginThrottle.key.like("a:%"))).all()


@pytest.mark.parametrize("target", ["/elections/1", "/supervise?region=210102"])
def test_a_safe_next_page_is_followed_after_signing_in(ui, target):
    response = ui().post("/login", {"username": "cadre", "password": PASSWORD, "next": target})
    assert response.headers["Location"] == target


@pytest.mark.parametrize("target", ["//evil.example/x", "http://evil.example/", "https://evil.example",
                                    "/\\evil.example", "javascript:alert(1)", "evil", "/x\nSet-Cookie: y=1"])
def test_a_next_page_elsewhere_is_ignored(ui, target):
    response = ui().post("/login", {"username": "cadre", "password": PASSWORD, "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_signing_in_without_the_csrf_token_is_rejected(ui):
    response = ui().post("/login", {"username": "cadre", "password": PASSWORD}, csrf=False)
    assert response.status_code == 400
    assert "表单已过期" in text(response)


def test_signing_out_needs_a_form_post_and_ends_the_session(ui):
    client = ui("cadre")
    assert client.client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 302
    assert client.get("/").status_code == 302


def test_the_session_cookie_is_http_only_and_same_site(ui):
    client = ui()
    response = client.post("/login", {"username": "cadre", "password": PASSWORD})
    cookies = response.headers.getlist("Set-Cookie")
    session = next(c for c in cookies if c.startswith("session="))
    assert "HttpOnly" in session and "SameSite=Lax" in session


def test_secure_cookies_are_marked_secure_when_configured(db, world):
    from web import create_app
    app = create_app({"DATABASE": db, "TESTING": True, "SECRET_KEY": "x", "SESSION_COOKIE_SECURE": True})
    client = UI(app)
    client.get("/login", base_url="https://localhost")
    response = client.post("/login", {"username": "cadre", "password": PASSWORD}, base_url="https://localhost",
                           headers={"Referer": "https://localhost/login"})
    assert response.status_code == 302
    cookies = response.headers.getlist("Set-Cookie")
    assert any(c.startswith("session=") for c in cookies)
    assert all("Secure" in c for c in cookies)


def test_pages_carry_a_strict_content_security_policy_and_no_inline_code(ui, world):
    client = ui("cadre")
    for url in ("/", f"/elections/{world.elections['a_party']}", "/supervise", "/machines", "/account/password"):
        response = client.get(url)
        policy = response.headers["Content-Security-Policy"]
        assert "unsafe-inline" not in policy and "script-src 'self'" in policy
        body = text(response)
        assert not re.search(r"<script(?![^>]*\bsrc=)", body), url
        assert not re.search(r"\sstyle=|\son[a-z]+=", body), url


def test_a_wrong_current_password_is_shown_next_to_the_field(ui):
    client = ui("cadre")
    response = client.post("/account/password", {"current": "not it", "new": "new password 1",
                                                  "confirm": "new password 1"})
    assert response.status_code == 400 and "当前密码不正确" in text(response)


def test_the_two_new_passwords_must_agree(ui):
    response = ui("cadre").post("/account/password", {"current": PASSWORD, "new": "new password 1",
                                                        "confirm": "new password 2"})
    assert response.status_code == 400 and "两次输入的新密码不一致" in text(response)


def test_changing_the_password_ends_other_sessions_and_keeps_this_one(ui):
    other = ui("cadre")
    client = ui("cadre")
    response = client.post("/account/password", {"current": PASSWORD, "new": "new password 1",
                                                  "confirm": "new password 1"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert other.get("/").status_code == 302
    assert ui().post("/login", {"username": "cadre", "password": PASSWORD}).status_code == 401
    assert ui().post("/login", {"username": "cadre", "password": "new password 1"}).status_code == 302


def test_switching_to_english_is_remembered_for_the_user(ui, world):
    client = ui("cadre")
    response = client.post("/language", {"lang": "en", "next": "/machines"})
    assert response.status_code == 302 and response.headers["Location"] == "/machines"
    page = text(client.get("/"))
    assert "Worklist" in page and 'lang="en"' in page
    with world.db.uow(write=False) as uow:
        assert uow.session.scalars(select(User).where(User.username == "cadre")).one().language == "en"
    fresh = ui("cadre")  # another browser: the user's choice applies after signing in
    assert "Worklist" in text(fresh.get("/"))
    client.post("/language", {"lang": "zh", "next": "/"})
    assert "工作清单" in text(client.get("/"))


def test_the_language_switch_ignores_unknown_languages_and_foreign_redirects(ui):
    client = ui("cadre")
    response = client.post("/language", {"lang": "fr", "next": "http://evil.example/"})
    assert response.headers["Location"] == "/"
    response = client.post("/language", {"lang": "en", "next": "//evil.example/"})
    assert response.headers["Location"] == "/"


def test_dates_are_written_the_chinese_way_in_chinese_and_the_english_way_in_english(ui, world):
    client = ui("cadre")
    url = f"/elections/{world.elections['a_party']}"
    assert "2014年12月31日" in text(client.get(url))
    client.post("/language", {"lang": "en", "next": url})
    assert "December 31, 2014" in text(client.get(url))
