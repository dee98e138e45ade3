"""The admin's report page shows the API's counts to staff."""

from reports.selectors import timeliness_report


def test_admin_report_page_shows_the_counts(world, client, people, org):
    people.director.is_staff = True
    people.director.is_superuser = True
    people.director.save()
    client.force_login(people.director)
    response = client.get("/admin/reports/timelinesssummary/", {"group_by": "unit"})
    assert response.status_code == 200
    page = response.content.decode()
    assert org.hiephoa.name in page and "Tổng cộng" in page
    totals = timeliness_report(user=people.director, group_by="unit")["totals"]
    assert f"<th>{totals['total']}</th>" in page
    assert client.get("/admin/reports/timelinesssummary/?group_by=x").status_code == 200


def test_admin_report_page_is_for_staff_only(world, client, people):
    client.force_login(people.officer)
    assert client.get("/admin/reports/timelinesssummary/").status_code == 302
