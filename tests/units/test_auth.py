"""Sign-in: JWT access + rotating refresh tokens, logout, throttling, sessions for the admin."""

from django.test import Client

from tests.factories import PASSWORD
from units.auth import LoginIPThrottle
from units.models import OrgUnit

TOKEN = "/api/v1/auth/token/"
REFRESH = "/api/v1/auth/token/refresh/"
LOGOUT = "/api/v1/auth/logout/"
ME = "/api/v1/me/"


def _login(client, username, password=PASSWORD):
    return client.post(TOKEN, {"username": username, "password": password}, format="json")


def test_token_obtain_answers_access_and_refresh(api_client, director):
    response = _login(api_client, "director")
    assert response.status_code == 200
    body = response.json()
    assert {"access", "refresh"} <= set(body)
    assert body["access"].count(".") == 2 and body["refresh"].count(".") == 2
    director.refresh_from_db()
    assert director.last_login is not None


def test_bearer_access_token_authenticates_me(api_client, director):
    access = _login(api_client, "director").json()["access"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    response = api_client.get(ME)
    assert response.status_code == 200
    assert response.json()["username"] == "director"


def test_client_for_with_jwt_signs_in_for_real(client_for, officer):
    client = client_for(officer, jwt=True)
    assert client._credentials["HTTP_AUTHORIZATION"].startswith("Bearer ")
    assert client.get(ME).json()["username"] == officer.username


def test_other_authorization_schemes_are_refused(api_client, director):
    access = _login(api_client, "director").json()["access"]
    api_client.credentials(HTTP_AUTHORIZATION=f"JWT {access}")
    assert api_client.get(ME).status_code == 401


def test_refresh_rotates_and_blacklists_the_old_refresh_token(api_client, director):
    first = _login(api_client, "director").json()
    response = api_client.post(REFRESH, {"refresh": first["refresh"]}, format="json")
    assert response.status_code == 200
    rotated = response.json()
    assert rotated["access"] and rotated["refresh"]
    assert rotated["refresh"] != first["refresh"]

    reused = api_client.post(REFRESH, {"refresh": first["refresh"]}, format="json")
    assert reused.status_code == 401
    assert reused.json()["code"] == "token_not_valid"

    # the new refresh token still works
    again = api_client.post(REFRESH, {"refresh": rotated["refresh"]}, format="json")
    assert again.status_code == 200


def test_an_access_token_is_not_a_refresh_token(api_client, director):
    access = _login(api_client, "director").json()["access"]
    response = api_client.post(REFRESH, {"refresh": access}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_logout_blacklists_the_refresh_token(api_client, director):
    refresh = _login(api_client, "director").json()["refresh"]
    response = api_client.post(LOGOUT, {"refresh": refresh}, format="json")
    assert response.status_code == 204

    after = api_client.post(REFRESH, {"refresh": refresh}, format="json")
    assert after.status_code == 401
    assert after.json()["code"] == "token_not_valid"


def test_logout_with_a_bad_token_is_401_token_not_valid(api_client, db):
    response = api_client.post(LOGOUT, {"refresh": "garbage"}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_logout_without_a_token_is_400_with_the_field(api_client, db):
    response = api_client.post(LOGOUT, {}, format="json")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"refresh"}


def test_wrong_password_and_unknown_user_get_the_same_answer(api_client, director):
    wrong_password = _login(api_client, "director", "not-the-password")
    unknown_user = _login(api_client, "nobody-by-that-name", "not-the-password")
    assert wrong_password.status_code == unknown_user.status_code == 401
    assert wrong_password.json() == unknown_user.json()
    assert wrong_password.json() == {
        "code": "invalid_credentials",
        "message": "Tên đăng nhập hoặc mật khẩu không đúng.",
    }


def test_an_inactive_user_cannot_sign_in_and_learns_nothing_more(api_client, people):
    inactive = _login(api_client, people.inactive.username)
    unknown = _login(api_client, "nobody-by-that-name")
    assert inactive.status_code == 401
    assert inactive.json() == unknown.json()


def test_a_deactivated_users_access_token_stops_working(api_client, director):
    access = _login(api_client, "director").json()["access"]
    director.is_active = False
    director.save(update_fields=["is_active"])
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    assert api_client.get(ME).status_code == 401


def test_too_many_attempts_for_one_username_are_throttled(api_client, director):
    # LOGIN_USER_RATE defaults to 5/min: five attempts answer, the sixth waits.
    statuses = [_login(api_client, "director", "guess").status_code for _ in range(5)]
    assert statuses == [401] * 5
    response = _login(api_client, "director", PASSWORD)  # even the right password
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "throttled"
    assert body["message"] == "Quá nhiều yêu cầu. Vui lòng thử lại sau."
    assert 0 < int(response["Retry-After"]) <= 60
    assert body["retry_after"] == int(response["Retry-After"])


def test_the_username_throttle_ignores_case_and_leaves_other_users_alone(api_client, people):
    for _ in range(5):
        _login(api_client, "Director", "guess")
    assert _login(api_client, "DIRECTOR", "guess").status_code == 429
    assert _login(api_client, people.officer.username).status_code == 200


def test_too_many_attempts_from_one_address_are_throttled(api_client, people, monkeypatch):
    # DRF reads rates into a class attribute at import; the test lowers the
    # per-address rate there so that three different usernames trip it.
    monkeypatch.setattr(
        LoginIPThrottle, "THROTTLE_RATES", {**LoginIPThrottle.THROTTLE_RATES, "login": "3/min"}
    )
    for name in ("a", "b", "c"):
        assert _login(api_client, name).status_code == 401
    response = _login(api_client, people.director.username)
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert "Retry-After" in response


def test_the_refresh_endpoint_shares_the_address_throttle(api_client, db, monkeypatch):
    monkeypatch.setattr(
        LoginIPThrottle, "THROTTLE_RATES", {**LoginIPThrottle.THROTTLE_RATES, "login": "2/min"}
    )
    codes = [
        api_client.post(REFRESH, {"refresh": "x"}, format="json").status_code for _ in range(3)
    ]
    assert codes == [401, 401, 429]


def test_a_session_signed_in_admin_can_use_the_browsable_api(people):
    browser = Client()
    browser.force_login(people.superuser)
    response = browser.get("/api/v1/units/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "Chi cục Thi hành án dân sự huyện Hiệp Hòa" in response.content.decode()


def test_the_browsable_api_without_a_session_says_sign_in_first(db):
    response = Client().get("/api/v1/units/", HTTP_ACCEPT="text/html")
    assert response.status_code == 401


def test_session_writes_need_the_csrf_token(people):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(people.director)
    response = browser.post(
        "/api/v1/units/",
        {"code": "CSRF", "name": "Không có mã CSRF", "kind": "office"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not OrgUnit.objects.filter(code="CSRF").exists()
