"""The data migrations that rewrite stored search keys in the word-start format."""

import importlib

from django.apps import apps

from directives.models import Directive, SourceDocument
from tests.directives.factories import DirectiveFactory
from thads.models import search
from units.models import OrgUnit


def _run(module: str) -> None:
    importlib.import_module(module).refill(apps, None)


def test_the_migrations_rewrite_keys_of_the_old_format(org):
    directive = DirectiveFactory(title="Bán đấu giá tài sản", body="Kê biên (nghiệp vụ).")
    # The format before issue 9: folded text with its punctuation, no leading space.
    OrgUnit.objects.filter(pk=org.hiephoa.pk).update(search_key="cc-hiephoa hiep hoa")
    Directive.objects.filter(pk=directive.pk).update(search_key="1 ban dau gia (nghiep vu).")
    SourceDocument.objects.filter(pk=directive.document_id).update(search_key="1/kl-cthads")
    hiephoa = OrgUnit.objects.filter(pk=org.hiephoa.pk)
    assert not search(hiephoa, "hiephoa").exists()

    _run("units.migrations.0005_search_key_word_starts")
    _run("directives.migrations.0008_search_key_word_starts")

    org.hiephoa.refresh_from_db()
    directive.refresh_from_db()
    assert org.hiephoa.search_key.startswith(" cc hiephoa chi cuc ")
    assert directive.search_key == f" {directive.label} ban dau gia tai san ke bien nghiep vu"
    assert directive.document.search_key.startswith(" ")
    assert list(search(hiephoa, "hiephoa")) == [org.hiephoa]
    assert list(search(Directive.objects.all(), "nghiep")) == [directive]
