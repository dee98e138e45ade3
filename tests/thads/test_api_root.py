"""`GET /api/v1/` lists every route of the API (issue 9: it listed 8 of 20 resources)."""

import pytest

API = "/api/v1/"


@pytest.fixture
def root(api_client):
    response = api_client.get(API)
    assert response.status_code == 200
    return response.json()


@pytest.mark.django_db
def test_the_root_lists_every_resource_of_the_contract(root):
    for name in [
        "auth/token",
        "auth/token/refresh",
        "me",
        "units",
        "documents",
        "documents/{id}/extract",
        "directives",
        "directives/{id}/assign",
        "assignments",
        "assignments/{id}",
        "assignments/{id}/accept",
        "extensions",
        "extensions/{id}/approve",
        "notifications",
        "sync",
        "calendar/working-days",
        "categories",
        "reminder-policies",
    ]:
        assert root[name] == f"http://testserver{API}{name}/"


@pytest.mark.django_db
def test_every_path_of_the_schema_is_in_the_root(api_client, root):
    """The schema is built by drf-spectacular from the views, independently of the
    root's walk of the URLconf: a route missing from either shows here."""
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    paths = {path for path in schema.json()["paths"] if path.startswith(API)}

    listed = {url.removeprefix("http://testserver") for url in root.values()}
    assert len(paths) > 50
    assert paths - listed == set()


@pytest.mark.django_db
def test_every_url_the_root_gives_without_a_parameter_resolves(client_for, director, root):
    client = client_for(director)
    plain = [url for url in root.values() if "{" not in url]
    assert len(plain) > 25
    for url in plain:
        assert client.get(url).status_code != 404, url


@pytest.mark.django_db
def test_the_root_is_public_like_the_schema(api_client):
    response = api_client.get(API, HTTP_AUTHORIZATION="Bearer not-a-token")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
