"""The admin's forms write through the services: a document with its directives
and links, a directive (its `is_active` read-only, revoked with a reason), a
category, a recurring schedule. A service's refusal leaves nothing written and
shows its message."""

from unittest import mock

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from directives import services
from directives.errors import PERMISSION_DENIED
from directives.models import (
    AssignmentStatus,
    Category,
    Directive,
    DocumentLink,
    RecurringSchedule,
    SourceDocument,
)
from tests.directives.factories import DocumentFactory, assign_one
from thads.errors import DomainError

DOCUMENTS = "/admin/directives/sourcedocument/"
DIRECTIVES = "/admin/directives/directive/"
SCHEDULES = "/admin/directives/recurringschedule/"
CATEGORIES = "/admin/directives/category/"


def _form_data(desk: Client, url: str, **values) -> dict:
    """What the admin page at `url` would post untouched (its fields' initial
    values and every inline's management form), with `values` on top."""
    response = desk.get(url)
    assert response.status_code == 200
    data = {}
    adminform = response.context["adminform"]
    for name in adminform.form.fields:
        value = adminform.form[name].value()
        if isinstance(value, list):
            data[name] = [str(v) for v in value]
        elif value is True:
            data[name] = "on"
        elif value is not None and value is not False:
            data[name] = str(value)  # dates as ISO, which every date field accepts
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[f"{formset.prefix}-{name}"] = management[name].value()
        for number, form in enumerate(formset.initial_forms):
            for name in form.fields:
                value = form[name].value()
                if value is not None and value is not False:
                    data[f"{formset.prefix}-{number}-{name}"] = value
    data.update(values)
    return data


def _errors(response) -> list[str]:
    """The error messages shown after a redirect."""
    return [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error"]


def _form_errors(response) -> list[str]:
    """The errors of the form shown again (a service's refusal, tried while the
    form is validated)."""
    return list(response.context["adminform"].form.non_field_errors())


@pytest.fixture
def category(db) -> Category:
    category = Category.objects.filter(is_active=True).first()
    assert category is not None  # the categories come with the migrations
    return category


def test_a_document_added_in_the_admin_is_created_by_the_service_with_its_directive(
    desk, people, category
):
    data = _form_data(
        desk,
        f"{DOCUMENTS}add/",
        kind="conclusion",
        title="Kết luận giao ban",
        issued_on="2026-03-02",
        **{
            "directives-TOTAL_FORMS": "1",
            "directives-0-position": "1",
            "directives-0-label": "1.",
            "directives-0-title": "Rà soát án tồn",
            "directives-0-body": "Rà soát các vụ việc tồn đọng.",
            "directives-0-category": str(category.pk),
        },
    )
    with (
        mock.patch.object(services, "document_create", wraps=services.document_create) as made,
        mock.patch.object(services, "directive_create", wraps=services.directive_create) as items,
    ):
        response = desk.post(f"{DOCUMENTS}add/", data)
    assert response.status_code == 302
    document = SourceDocument.objects.get(title="Kết luận giao ban")
    assert document.created_by == people.superuser
    assert made.called
    assert items.called
    (directive,) = document.directives.all()
    assert (directive.label, directive.title, directive.category) == (
        "1.",
        "Rà soát án tồn",
        category,
    )


def test_a_link_added_in_the_admin_goes_through_document_link(desk, director):
    source = DocumentFactory(created_by=director)
    target = DocumentFactory(created_by=director)
    data = _form_data(
        desk,
        f"{DOCUMENTS}{source.pk}/change/",
        **{
            "outgoing_links-TOTAL_FORMS": "1",
            "outgoing_links-0-target": str(target.pk),
            "outgoing_links-0-relation": "implements",
        },
    )
    with mock.patch.object(services, "document_link", wraps=services.document_link) as linked:
        response = desk.post(f"{DOCUMENTS}{source.pk}/change/", data)
    assert response.status_code == 302
    assert linked.called
    assert DocumentLink.objects.filter(source=source, target=target).count() == 1


def test_a_refused_inline_rolls_the_whole_page_back_with_the_message(desk, director):
    document = DocumentFactory(created_by=director, title="Trước")
    url = f"{DOCUMENTS}{document.pk}/change/"
    data = _form_data(
        desk,
        url,
        title="Sau",
        **{
            "outgoing_links-TOTAL_FORMS": "1",
            "outgoing_links-0-target": str(document.pk),  # a link to itself
            "outgoing_links-0-relation": "amends",
        },
    )
    response = desk.post(url, data)
    assert response.status_code == 302
    assert response.url.endswith(url)
    assert _errors(response)
    document.refresh_from_db()
    assert document.title == "Trước"  # the document's own change is undone too
    assert not DocumentLink.objects.exists()


def test_a_directive_due_before_its_document_is_refused_in_the_admin_and_nothing_is_written(
    desk, document, category
):
    before = Directive.objects.count()
    data = _form_data(
        desk,
        f"{DIRECTIVES}add/",
        document=str(document.pk),
        position="1",
        label="1.",
        title="Rà soát",
        body="Rà soát án tồn.",
        category=str(category.pk),
        default_due_date="2000-01-03",
    )
    response = desk.post(f"{DIRECTIVES}add/", data)
    assert response.status_code == 200  # the form again, with the service's refusal
    assert "ban hành" in " ".join(_form_errors(response))
    assert Directive.objects.count() == before


def test_is_active_is_read_only_and_a_reason_revokes_through_the_service(
    desk, director, org, directive
):
    assignment = assign_one(actor=director, unit=org.hiephoa, directive=directive)
    url = f"{DIRECTIVES}{directive.pk}/change/"
    data = _form_data(desk, url)
    data.pop("is_active", None)  # unticking does nothing: the field is not on the form
    assert "is_active" not in desk.get(url).context["adminform"].form.fields
    response = desk.post(url, data)
    assert response.status_code == 302
    directive.refresh_from_db()
    assert directive.is_active

    with mock.patch.object(
        services, "directive_revoke", wraps=services.directive_revoke
    ) as revoked:
        response = desk.post(url, {**data, "revoke_reason": "Trùng nhiệm vụ khác"})
    assert response.status_code == 302
    assert revoked.called
    directive.refresh_from_db()
    assignment.refresh_from_db()
    assert not directive.is_active
    assert assignment.status == AssignmentStatus.CANCELLED
    assert assignment.events.last().note == "Trùng nhiệm vụ khác"


def test_a_schedule_is_set_through_the_service_and_a_bad_rule_writes_nothing(
    desk, people, org, directive
):
    values = {
        "directive": str(directive.pk),
        "starts_on": "2026-01-01",
        "units": [str(org.hiephoa.pk)],
        "lead_time_days": "30",
    }
    response = desk.post(
        f"{SCHEDULES}add/", _form_data(desk, f"{SCHEDULES}add/", rrule="FREQ=HOURLY", **values)
    )
    assert response.status_code == 200
    assert "RFC 5545" in " ".join(_form_errors(response))
    assert not RecurringSchedule.objects.exists()

    with mock.patch.object(
        services, "recurring_schedule_set", wraps=services.recurring_schedule_set
    ) as scheduled:
        response = desk.post(
            f"{SCHEDULES}add/",
            _form_data(desk, f"{SCHEDULES}add/", rrule="FREQ=MONTHLY;BYMONTHDAY=15", **values),
        )
    assert response.status_code == 302
    assert scheduled.called
    schedule = RecurringSchedule.objects.get()
    assert schedule.created_by == people.superuser
    assert list(schedule.units.all()) == [org.hiephoa]
    assert (
        "is_active"
        not in desk.get(f"{SCHEDULES}{schedule.pk}/change/").context["adminform"].form.fields
    )


def test_a_category_added_in_the_admin_goes_through_the_service(desk):
    data = _form_data(
        desk, f"{CATEGORIES}add/", code="hoa-giai", name_vi="Hòa giải", name_en="Mediation"
    )
    with mock.patch.object(services, "category_create", wraps=services.category_create) as made:
        response = desk.post(f"{CATEGORIES}add/", data)
    assert response.status_code == 302
    assert made.called
    assert Category.objects.get(code="hoa-giai").name_en == "Mediation"


def test_category_create_refuses_who_is_not_leadership(people):
    with pytest.raises(DomainError) as refused:
        services.category_create(actor=people.officer, code="x", name_vi="X", name_en="X")
    assert refused.value.code == PERMISSION_DENIED
    assert not Category.objects.filter(code="x").exists()
