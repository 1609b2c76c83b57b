import pytest
from django.contrib.auth import get_user_model

from laws.models import Article, Law

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    admin = get_user_model().objects.create_superuser("root", password="root-password-1")
    client.force_login(admin)
    return client


def test_staff_browse_laws_and_articles_read_only(corpus, staff_client):
    law = Law.objects.get(pcode="N0030001")
    listing = staff_client.get("/admin/laws/law/?q=勞動")
    assert listing.status_code == 200 and "勞動基準法" in listing.content.decode()
    detail = staff_client.get(f"/admin/laws/law/{law.pk}/change/")
    assert detail.status_code == 200 and "Labor Standards Act" in detail.content.decode()
    article = Article.objects.get(law=law, number="17")
    page = staff_client.get(f"/admin/laws/article/?q={law.pcode}")
    assert "勞動基準法 第 17 條" in page.content.decode()
    assert staff_client.post(f"/admin/laws/article/{article.pk}/delete/").status_code == 403
    assert staff_client.get("/admin/laws/law/add/").status_code == 403


def test_non_staff_cannot_browse_the_corpus(corpus, client, owner):
    client.force_login(owner)
    assert client.get("/admin/laws/law/").status_code == 302
