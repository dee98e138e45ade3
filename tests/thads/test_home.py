"""The base URL: a landing page instead of a 404, and the admin's "view site" leads to it."""

import re

import pytest
from django.test import Client

LINKS = ["/admin/", "/api/v1/", "/api/docs/"]


def _hrefs(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', html)


def test_the_base_url_is_a_vietnamese_landing_page_linking_admin_api_and_docs(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert "Trang quản trị" in html
    assert "Tài liệu API" in html
    assert set(LINKS) <= set(_hrefs(html))


def test_the_landing_page_speaks_english_to_an_english_browser(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "API documentation" in html
    assert "Tài liệu" not in html


@pytest.mark.django_db
def test_every_link_of_the_landing_page_opens(client):
    # The admin and the API ask for a login (302, 401), the docs open; none is a 404.
    for href in LINKS:
        assert client.get(href).status_code in {200, 302, 401}, href


@pytest.mark.django_db
def test_the_admins_view_site_link_leads_to_the_landing_page(people):
    browser = Client()
    browser.force_login(people.superuser)
    html = browser.get("/admin/").content.decode()
    assert "<title>Quản trị | Quản trị THADS</title>" in html
    assert "THADS — Chỉ đạo, điều hành" in html  # the header, not "Django administration"
    view_site = re.search(r'<a href="([^"]+)">Xem trang web</a>', html)
    assert view_site is not None
    assert browser.get(view_site.group(1)).status_code == 200
