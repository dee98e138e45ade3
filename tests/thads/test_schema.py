"""The OpenAPI schema is part of the contract: it builds cleanly and the docs work offline."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_the_schema_builds_without_warnings_or_errors(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    out = tmp_path / "schema.yml"
    command = ["manage.py", "spectacular", "--validate", "--fail-on-warn", "--file", str(out)]
    result = subprocess.run(
        [sys.executable, *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Warning" not in result.stderr and "Error" not in result.stderr, result.stderr
    text = out.read_text(encoding="utf-8")
    assert text.startswith("openapi: 3.")
    for path in ("/api/v1/units/", "/api/v1/me/", "/api/v1/auth/token/"):
        assert f"  {path}:" in text


@pytest.mark.django_db
def test_schema_endpoint_serves_openapi_to_anyone(api_client):
    response = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "THADS Directives API"
    assert "/api/v1/units/" in schema["paths"]
    assert "bearer" in str(schema["components"]["securitySchemes"]).lower()


@pytest.mark.django_db
def test_swagger_ui_loads_nothing_from_another_host(api_client):
    response = api_client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    for word in ("cdn", "jsdelivr", "unpkg", "googleapis", "cloudflare"):
        assert word not in html.lower()
    external = [
        url for url in re.findall(r"https?://[^\s\"'<>)]+", html) if "testserver" not in url
    ]
    assert external == []
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets, "the page should load its scripts and styles from this server"
    assert all(asset.startswith("/static/") for asset in assets), assets
