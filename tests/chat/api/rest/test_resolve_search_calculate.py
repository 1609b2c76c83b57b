"""GET /articles/resolve, GET /search, POST /calculations with DRF's test client."""

import pytest

pytestmark = pytest.mark.django_db


def error_of(response) -> dict:
    return response.json()["error"]


def test_citation_with_paragraph_resolves_to_that_paragraph(client):
    response = client.get("/v1/articles/resolve", {"cite": "勞基法第2條第1項第4款"})
    assert response.status_code == 200
    data = response.json()
    assert data["article"]["title"] == "勞動基準法 第 2 條"
    assert (data["paragraph"], data["subparagraph"]) == (1, 4)
    assert data["text"].startswith("四、平均工資")
    assert data["url"].endswith("pcode=N0030001&flno=2")


@pytest.mark.parametrize(
    ("cite", "title"),
    [
        ("勞基法第38條", "勞動基準法 第 38 條"),
        ("民法第一百八十四條", "民法 第 184 條"),
        ("勞動基準法第十條之一", "勞動基準法 第 10-1 條"),
        ("Article 17 of the Labor Standards Act", "勞動基準法 第 17 條"),
    ],
)
def test_citations_in_their_usual_forms_resolve(client, cite, title):
    data = client.get("/articles/resolve", {"cite": cite}).json()
    assert data["article"]["title"] == title and data["paragraph"] is None
    assert data["text"] == data["article"]["text"]


def test_citation_of_a_deleted_article_resolves_and_says_deleted(client):
    data = client.get("/v1/articles/resolve", {"cite": "勞基法第39條"}).json()
    assert data["article"]["deleted"] is True


@pytest.mark.parametrize(
    "cite", ["勞基法第999條", "勞基法第38條第5項", "勞基法", "今天天氣很好", "第17條"]
)
def test_citation_of_nothing_in_the_corpus_is_a_404_naming_cite(client, cite):
    response = client.get("/v1/articles/resolve", {"cite": cite})
    assert response.status_code == 404
    error = error_of(response)
    assert error["param"] == "cite" and error["code"] == "not_found"


def test_resolve_needs_cite(client):
    response = client.get("/v1/articles/resolve")
    assert response.status_code == 400
    error = error_of(response)
    assert error["param"] == "cite" and error["code"] == "missing_required_parameter"


def test_search_returns_the_answers_retrieval_with_the_matching_paragraph(client):
    data = client.get("/v1/search", {"q": "資遣費怎麼算", "limit": 3}).json()
    titles = [hit["article"]["title"] for hit in data["data"]]
    assert len(titles) <= 3 and "勞動基準法 第 17 條" in titles
    hit = data["data"][titles.index("勞動基準法 第 17 條")]
    assert hit["reason"] == "text" and hit["score"] > 0
    assert "資遣費" in hit["paragraph"]["text"]
    assert hit["article"]["url"].endswith("flno=17")


def test_search_for_a_citation_puts_it_first_without_a_score(client):
    data = client.get("/v1/search", {"q": "勞基法第38條"}).json()
    first = data["data"][0]
    assert first["article"]["title"] == "勞動基準法 第 38 條"
    assert first["reason"] == "citation" and first["score"] is None


def test_search_says_what_was_cited_but_missing(client):
    data = client.get("/v1/search", {"q": "勞基法第999條"}).json()
    assert data["missing"] == ["勞動基準法沒有第 999 條"]


@pytest.mark.parametrize(
    ("params", "param"),
    [({}, "q"), ({"q": "資遣", "limit": "21"}, "limit"), ({"q": "x" * 2001}, "q")],
)
def test_bad_search_is_a_400_naming_the_field(client, params, param):
    response = client.get("/v1/search", params)
    assert response.status_code == 400 and error_of(response)["param"] == param


def test_structured_severance(client):
    response = client.post(
        "/v1/calculations",
        {
            "kind": "severance",
            "monthly_wage": 45000,
            "hired": "2015-03-01",
            "left": "2024-02-29",
        },
        format="json",
    )
    assert response.status_code == 200
    (calc,) = response.json()["data"]
    assert calc["kind"] == "severance" and calc["value"] == 202500  # 9 years × ½ month
    assert calc["result"] and calc["steps"]
    assert [a["title"] for a in calc["articles"]] == ["勞工退休金條例 第 12 條"]
    assert calc["articles"][0]["url"].endswith("pcode=N0030020&flno=12")


def test_structured_annual_leave_and_overtime(client):
    leave = client.post(
        "/v1/calculations",
        {"kind": "annual_leave", "service": {"years": 3, "months": 6}, "language": "en"},
        format="json",
    ).json()["data"][0]
    assert leave["value"] == 14 and "days" in leave["result"]
    overtime = client.post(
        "/v1/calculations",
        {"kind": "overtime", "monthly_wage": 36000, "workday_overtime_hours": 3},
        format="json",
    ).json()["data"][0]
    assert overtime["value"] == 150 * 2 * 4 // 3 + 250  # 400 + 1 h at 5/3 of 150
    assert {a["number"] for a in overtime["articles"]} == {"24", "32"}


def test_missing_number_gives_the_formula_and_asks(client):
    calc = client.post("/v1/calculations", {"kind": "notice"}, format="json").json()["data"][0]
    assert calc["value"] is None and calc["result"] is None and calc["missing"]


def test_the_same_from_a_question_in_words(client):
    data = client.post(
        "/v1/calculations",
        {"question": "月薪4萬5，年資3年6個月，被資遣可以拿多少資遣費？"},
        format="json",
    ).json()["data"]
    assert [c["kind"] for c in data] == ["severance"]
    assert data[0]["value"] == 78750  # 45,000 × (3.5 ÷ 2)
    only = client.post(
        "/v1/calculations",
        {"question": "年資3年，資遣的預告期間幾天？", "kind": "notice"},
        format="json",
    ).json()["data"]
    assert [c["kind"] for c in only] == ["notice"] and only[0]["value"] == 30


@pytest.mark.parametrize(
    ("body", "param", "code"),
    [
        ({}, "kind", "missing_required_parameter"),
        ({"kind": "bonus"}, "kind", "invalid_value"),
        ({"kind": "severance", "monthly_wage": -1}, "monthly_wage", "invalid_value"),
        ({"kind": "severance", "monthly_wage": "lots"}, "monthly_wage", "invalid_value"),
        ({"kind": "severance", "monthly_wage": "45000"}, "monthly_wage", "invalid_value"),
        ({"kind": "severance", "monthly_wage": True}, "monthly_wage", "invalid_value"),
        ({"question": 0}, "question", "invalid_value"),
        # What labour.structured refuses, named by the API's own field names:
        ({"kind": "severance", "hourly_wage": 200}, "hourly_wage", "invalid_value"),
        ({"kind": "severance", "monthly_wage": 0}, "monthly_wage", "invalid_value"),
        (
            {"kind": "overtime", "workday_hours": 9, "workday_overtime_hours": 1},
            "workday_overtime_hours",
            "invalid_value",
        ),
        (
            {"kind": "notice", "service": {"years": 1}, "hired": "2020-01-01"},
            "service",
            "invalid_value",
        ),
        ({"kind": "average_wage", "period_days": 30.5}, "period_days", "invalid_value"),
        ({"kind": "severance", "hired": "2020-13-01"}, "hired", "invalid_value"),
        ({"kind": "severance", "hired": "1800-01-01"}, "hired", "invalid_value"),
        (
            {"kind": "severance", "hired": "2024-01-01", "left": "2020-01-01"},
            "left",
            "invalid_value",
        ),
        ({"kind": "severance", "service": {"years": -1}}, "service.years", "invalid_value"),
        ({"kind": "average_wage", "wages": [1, "x"]}, "wages.1", "invalid_value"),
        ({"kind": "severance", "salary": 1}, "salary", "invalid_value"),
        ({"kind": "severance", "service": {"weeks": 1}}, "service.weeks", "invalid_value"),
        ({"question": "   "}, "question", "invalid_value"),
    ],
)
def test_bad_calculation_input_is_a_400_naming_the_field(client, body, param, code):
    response = client.post("/v1/calculations", body, format="json")
    assert response.status_code == 400, response.content
    error = error_of(response)
    assert (error["param"], error["code"]) == (param, code)


def test_calculation_body_must_be_json(client):
    response = client.post("/v1/calculations", "kind=notice", content_type="text/plain")
    assert response.status_code == 400 and error_of(response)["code"] == "invalid_content_type"
    broken = client.post("/v1/calculations", "{", content_type="application/json")
    assert broken.status_code == 400 and error_of(broken)["code"] == "invalid_json"
    listed = client.post("/v1/calculations", [1], format="json")
    assert listed.status_code == 400


def test_no_key_is_a_401_everywhere(anonymous):
    for response in (
        anonymous.get("/v1/articles/resolve", {"cite": "勞基法第38條"}),
        anonymous.get("/v1/search", {"q": "資遣"}),
        anonymous.post("/v1/calculations", {"kind": "notice"}, format="json"),
    ):
        assert response.status_code == 401
        assert error_of(response)["code"] == "invalid_api_key"
