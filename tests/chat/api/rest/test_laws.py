"""GET /laws, /laws/{pcode}, /laws/{pcode}/articles[/{number}] with DRF's test client."""

import pytest

from api_keys.models import RequestLog

pytestmark = pytest.mark.django_db


def error_of(response) -> dict:
    assert response["Content-Type"].startswith("application/json")
    return response.json()["error"]


@pytest.mark.parametrize("prefix", ["/v1", ""])
def test_law_found_by_abbreviation(client, prefix):
    response = client.get(f"{prefix}/laws", {"q": "勞基法"})
    assert response.status_code == 200
    data = response.json()
    assert data["object"] == "list" and data["has_more"] is False
    assert [law["pcode"] for law in data["data"]] == ["N0030001"]


def test_law_found_by_english_name_and_by_part_of_its_name(client):
    english = client.get("/v1/laws", {"q": "labour standards act"}).json()["data"]
    assert [law["name"] for law in english] == ["勞動基準法"]
    partial = client.get("/v1/laws", {"q": "勞動基準法"}).json()["data"]
    assert [law["pcode"] for law in partial] == ["N0030001", "N0030002"]  # the act and its rules


def test_laws_filtered_by_level_and_by_in_force(client):
    regulations = client.get("/v1/laws", {"level": "regulation"}).json()["data"]
    assert [law["pcode"] for law in regulations] == ["N0030002"]
    abolished = client.get("/v1/laws", {"in_force": "false"}).json()["data"]
    assert [law["pcode"] for law in abolished] == ["Z0000001"]
    in_force = client.get("/v1/laws", {"in_force": "true"}).json()["data"]
    assert "Z0000001" not in {law["pcode"] for law in in_force} and len(in_force) == 5


def test_one_law_with_its_chapters_and_dates(client):
    law = client.get("/v1/laws/N0030001").json()
    assert law["name"] == "勞動基準法" and law["english_name"] == "Labor Standards Act"
    assert law["level"] == "法律" and law["in_force"] is True and law["abolished"] is False
    assert law["modified_date"] == "2024-01-01" and law["effective_date"] is None
    assert law["url"].startswith("https://law.moj.gov.tw/") and law["articles"] == 9
    assert [c["heading"] for c in law["chapters"]][:2] == ["第 一 章 總則", "第 二 章 勞動契約"]


def test_abolished_law_says_so(client):
    law = client.get("/v1/laws/Z0000001").json()
    assert law["abolished"] is True and law["in_force"] is False


def test_unknown_law_is_a_404_naming_the_code(client):
    response = client.get("/v1/laws/X9999999")
    assert response.status_code == 404
    error = error_of(response)
    assert error["code"] == "not_found" and error["param"] == "pcode"
    assert error["type"] == "invalid_request_error"


def test_article_with_paragraphs_and_subparagraphs(client):
    article = client.get("/v1/laws/N0030001/articles/2").json()
    assert article["title"] == "勞動基準法 第 2 條" and article["deleted"] is False
    assert article["url"].endswith("pcode=N0030001&flno=2")
    (paragraph,) = article["paragraphs"]
    assert paragraph["number"] == 1 and paragraph["text"] == "本法用詞定義："
    assert [(s["number"], s["text"][:4]) for s in paragraph["subparagraphs"]] == [
        (1, "一、勞工"),
        (4, "四、平均"),
    ]


def test_article_numbered_with_a_dash(client):
    article = client.get("/v1/laws/N0030001/articles/10-1").json()
    assert article["number"] == "10-1" and article["chapter"] == "第 二 章 勞動契約"


def test_deleted_article_is_marked_deleted(client):
    article = client.get("/v1/laws/N0030001/articles/39").json()
    assert article["deleted"] is True and article["text"] == "（刪除）"
    assert article["paragraphs"] == []


def test_unknown_article_is_a_404_naming_the_number(client):
    response = client.get("/v1/laws/N0030001/articles/999")
    assert response.status_code == 404
    assert error_of(response)["param"] == "number"
    assert client.get("/v1/laws/X1/articles/1").status_code == 404


def test_articles_are_paginated_by_cursor_in_the_law_s_order(client):
    seen, cursor = [], None
    for _ in range(5):
        params = {"limit": 4} | ({"cursor": cursor} if cursor else {})
        page = client.get("/v1/laws/N0030001/articles", params).json()
        seen += [a["number"] for a in page["data"]]
        cursor = page["next_cursor"]
        assert page["has_more"] is (cursor is not None)
        if not cursor:
            break
    assert seen == ["1", "2", "10-1", "16", "17", "24", "38", "39", "84-2"]


def test_laws_are_paginated_too(client):
    first = client.get("/v1/laws", {"limit": 2}).json()
    assert len(first["data"]) == 2 and first["has_more"]
    second = client.get("/v1/laws", {"limit": 2, "cursor": first["next_cursor"]}).json()
    assert {law["pcode"] for law in first["data"]}.isdisjoint(
        law["pcode"] for law in second["data"]
    )


def test_a_forged_cursor_is_a_404_naming_the_cursor(client):
    response = client.get("/v1/laws", {"cursor": "not-a-cursor"})
    assert response.status_code == 404 and error_of(response)["param"] == "cursor"


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"level": "decree"}, "level"),
        ({"in_force": "maybe"}, "in_force"),
        ({"in_force": "null"}, "in_force"),
        ({"limit": ""}, "limit"),
        ({"q": "x" * 201}, "q"),
        ({"q": "勞\x00基"}, "q"),
    ],
)
def test_bad_query_is_a_400_naming_the_field(client, params, param):
    response = client.get("/v1/laws", params)
    assert response.status_code == 400
    error = error_of(response)
    assert error["param"] == param and error["code"] == "invalid_value"
    assert param in error["message"] and error["message"].isascii()  # English, as OpenAI's


@pytest.mark.parametrize(
    "path",
    [
        "/v1/laws",
        "/v1/laws/N0030001",
        "/v1/laws/N0030001/articles",
        "/v1/laws/N0030001/articles/17",
    ],
)
def test_no_key_is_a_401(anonymous, path):
    response = anonymous.get(path)
    assert response.status_code == 401
    assert error_of(response)["code"] == "invalid_api_key"
    wrong = anonymous.get(path, HTTP_AUTHORIZATION="Bearer lb-" + "x" * 43)
    assert wrong.status_code == 401 and error_of(wrong)["code"] == "invalid_api_key"


def test_other_methods_are_a_405_with_allow(client):
    response = client.post("/v1/laws/N0030001", {})
    assert response.status_code == 405 and response["Allow"].startswith("GET")
    assert error_of(response)["code"] == "method_not_allowed"


def test_every_call_leaves_a_request_log_row(client, owner):
    client.get("/v1/laws/N0030001")
    client.get("/v1/laws/X0")
    rows = list(RequestLog.objects.order_by("pk").values_list("path", "status_code", "user_id"))
    assert rows == [("/v1/laws/N0030001", 200, owner.pk), ("/v1/laws/X0", 404, owner.pk)]
    assert RequestLog.objects.filter(latency_ms__isnull=False).count() == 2
