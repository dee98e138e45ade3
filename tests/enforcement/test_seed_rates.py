"""The seed's figures, loaded as `seed_demo` loads them, give through the API
every rate and change the conference printed, to the printed decimals."""

import re
from pathlib import Path

import pytest

from enforcement.seed import seed_statistics
from enforcement.seed_figures import UNIT_WEIGHTS
from tests.enforcement.conftest import API
from tests.factories import OrgUnitFactory
from units.models import UnitKind
from units.seed import SUB_DEPARTMENTS

SEED = Path(__file__).resolve().parents[2] / "demo" / "hoi-nghi-so-ket-6-thang-2022.txt"


@pytest.fixture
def seeded(org, people):
    for code, place, short in SUB_DEPARTMENTS:
        if code not in (org.hiephoa.code, org.yenthe.code):
            OrgUnitFactory(
                code=code,
                name=f"Chi cục Thi hành án dân sự {place}",
                short_name=short,
                kind=UnitKind.SUB_DEPARTMENT,
                parent=org.department,
            )
    assert seed_statistics(director=people.director) == 6 * len(UNIT_WEIGHTS)
    assert seed_statistics(director=people.director) == 0  # idempotent


def _summary(client, **params):
    query = "&".join(f"{k}={v}" for k, v in {"year": 2022, "months": 6, **params}.items())
    response = client.get(f"{API}/summary/?{query}")
    assert response.status_code == 200, response.content
    return response.json()


def test_summary_reproduces_every_rate_the_seed_prints(seeded, client_for, people):
    client = client_for(people.director)
    total = _summary(client)
    assert total["reports"] == 11
    cases, money = total["cases"], total["money"]
    assert cases["enforceable"] == 7_479 and money["enforceable"] == 761_546_547_000
    assert cases["completed"] + cases["terminated"] == 4_778
    assert money["completed"] + money["terminated"] == 195_723_741_000
    assert cases["enforceable_share"] == 82.08
    assert money["enforceable_share"] == 58.88
    assert cases["rate"] == 63.89
    assert money["rate"] == 25.7  # printed "25,7%"
    assert cases["change_points"] == 2.66  # "tăng 2,66% về việc"
    assert money["change_points"] == 0.36  # "và 0,36% về tiền"
    assert cases["same_period_rate"] == 61.23
    assert money["same_period_rate"] == 25.34
    assert cases["target"] == 81.5 and money["target"] == 40.1
    assert cases["gap_points"] == -17.61 and money["gap_points"] == -14.4

    printed = {
        "credit": (56, 49_017_644_000, 25.93, 13.81),
        "budget": (4_067, 20_885_640_000, 63.1, 26.55),
    }
    for group, (count, amount, case_rate, money_rate) in printed.items():
        result = _summary(client, group=group)
        assert result["cases"]["completed"] == count
        assert result["money"]["completed"] == amount
        assert (result["cases"]["rate"], result["money"]["rate"]) == (case_rate, money_rate)
    for group, count, amount in (
        ("prisoners", 548, 8_416_394_000),
        ("corruption", 49, 4_395_772_000),
    ):
        result = _summary(client, group=group)
        assert (result["cases"]["completed"], result["money"]["completed"]) == (count, amount)


def test_the_brief_prints_the_conference_sentences(seeded, client_for, people):
    response = client_for(people.director).get(f"{API}/brief/?year=2022&months=6")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    brief = response.content.decode()
    source = SEED.read_text(encoding="utf-8")
    # Every numbered result of the conference's paragraph, as the conference wrote it.
    results = source[source.index("cụ thể: (1)") : source.index("Cùng với đó")]
    pieces = [
        "Trong số 7.479 việc = 761.546.547.000đ (chiếm 82,08% về việc và 58,88% về tiền trong "
        "tổng số phải thi hành), đã thi hành xong 4.778 việc (đạt tỷ lệ 63,89%) = "
        "195.723.741.000đ (đạt tỷ lệ 25,7%) tăng 2,66% về việc và 0,36% về tiền so với tỷ lệ "
        "đạt được cùng kỳ năm 2021",
        "thu hồi nợ của tổ chức tín dụng, đã thi hành được 56 việc = 49.017.644.000đ, đạt tỷ lệ "
        "25,93% về việc và 13,81% về tiền",
        "ngân sách nhà nước, đã thi hành được 4.067 việc = 20.885.640.000đ, đạt tỷ lệ 63,1% về "
        "việc và 26,55% về tiền",
        "tại các trại giam, đã thi hành xong 548 việc = 8.416.394.000đ",
        "tham nhũng, kinh tế, đã thi hành xong 49 việc = 4.395.772.000đ",
    ]
    for piece in pieces:
        assert piece in results, piece  # the test vector is the document itself
        assert piece in brief, piece
    assert re.search(r"trên 81,5% về việc và trên 40,1% về tiền", brief)


def test_the_brief_as_docx_holds_the_same_paragraph(seeded, client_for, people):
    import io

    from docx import Document

    response = client_for(people.director).get(f"{API}/brief/?year=2022&months=6&format=docx")
    assert response.status_code == 200
    assert "wordprocessingml" in response["Content-Type"]
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "đã thi hành xong 4.778 việc (đạt tỷ lệ 63,89%)" in text


def test_an_officer_sees_only_the_figures_of_their_unit(seeded, client_for, people, org):
    result = _summary(client_for(people.officer))
    hiephoa = _summary(client_for(people.director), unit=org.hiephoa.pk)
    assert result["reports"] == 1
    assert result["cases"] == hiephoa["cases"]
    response = client_for(people.officer).get(
        f"{API}/summary/?year=2022&months=6&unit={org.yenthe.pk}"
    )
    assert response.status_code == 404
