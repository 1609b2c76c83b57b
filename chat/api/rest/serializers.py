"""The REST resources' shapes: query validation (400 naming the field) and the JSON answered.
The OpenAPI document's schemas for these paths are generated from these classes
(chat/api/rest/schema.py), so what is validated and what is published cannot drift apart."""

from rest_framework import serializers

from laws.lookup import LEVELS
from laws.models import Article, Law
from laws.structure import is_deleted, paragraphs

NO_NUL = r"^[^\x00]*$"  # PostgreSQL text cannot hold NUL; DRF refuses it, the schema says so


def text_field(*, max_length: int, required: bool = False, **kwargs) -> serializers.CharField:
    return serializers.CharField(
        max_length=max_length,
        required=required,
        allow_blank=not required,
        trim_whitespace=True,
        **kwargs,
    )


class QuerySerializer(serializers.Serializer):
    """Query parameters: a number or a flag given empty (`?limit=`) is an error, not absent."""

    def to_internal_value(self, data):
        for name, field in self.fields.items():
            if not isinstance(field, serializers.CharField) and data.get(name) == "":
                raise serializers.ValidationError({name: ["must not be empty."]})
        return super().to_internal_value(data)


def json_type_of(field) -> tuple[type, ...]:
    """The JSON types a body field takes (DRF alone would also read "5" as 5, and 5 as "5")."""
    if isinstance(field, serializers.BooleanField):
        return (bool,)
    if isinstance(field, serializers.IntegerField):
        return (int, float)  # 176.0 is a JSON integer
    if isinstance(field, serializers.DecimalField | serializers.FloatField):
        return (int, float)
    if isinstance(field, serializers.ListField):
        return (list,)
    if isinstance(field, serializers.Serializer):
        return (dict,)
    return (str,)


def json_type_problem(field, value) -> str | None:
    wanted = json_type_of(field)
    if value is None or (isinstance(value, bool) and bool not in wanted):
        return "has the wrong type."
    if not isinstance(value, wanted):
        return "has the wrong type."
    integer = isinstance(field, serializers.IntegerField)
    if integer and isinstance(value, float) and not value.is_integer():
        return "must be an integer."
    return None


class StrictSerializer(serializers.Serializer):
    """A JSON object that names only fields this serializer knows, each of its JSON type
    (400 naming the first field that is not)."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            for name, value in data.items():
                field = self.fields.get(name)
                if field is None:
                    raise serializers.ValidationError(
                        {name: [f"Unrecognized request argument supplied: {name}"]}
                    )
                problem = json_type_problem(field, value)
                if problem and not isinstance(field, serializers.Serializer):
                    raise serializers.ValidationError({name: [problem]})
                if isinstance(field, serializers.ListField):
                    for index, item in enumerate(value):
                        if problem := json_type_problem(field.child, item):
                            raise serializers.ValidationError({name: {index: [problem]}})
        return super().to_internal_value(data)


class OptionalFlag(serializers.BooleanField):
    """A flag that is absent when not given (DRF reads an absent flag of a query as false)."""

    default_empty_html = serializers.empty


class PageQuery(QuerySerializer):
    limit = serializers.IntegerField(
        min_value=1, max_value=100, required=False, help_text="Items per page (1–100, default 20)."
    )
    cursor = text_field(max_length=500, help_text="A previous page's `next_cursor`.")


class LawQuery(PageQuery):
    q = text_field(
        max_length=200,
        help_text="A name (勞動基準法), part of one, an abbreviation (勞基法), an English name "
        "(Labor Standards Act) or a law code (N0030001).",
    )
    level = serializers.ChoiceField(
        choices=[*Law.Level.values, *LEVELS],
        required=False,
        help_text="憲法 / 法律 / 命令, or constitution / act / regulation.",
    )
    in_force = OptionalFlag(required=False, help_text="true: in force; false: abolished.")


class SearchQuery(QuerySerializer):
    q = text_field(
        max_length=2000, required=True, help_text="A question or words, Chinese or English."
    )
    limit = serializers.IntegerField(min_value=1, max_value=20, required=False, default=5)


class ResolveQuery(QuerySerializer):
    cite = text_field(
        max_length=200,
        required=True,
        help_text="A citation: 勞基法第38條第1項, 民法第184條, Article 17 of the Labor Standards Act.",
    )


def iso_date(value: str) -> str | None:
    """'20240101' (the Ministry's form) → '2024-01-01'."""
    if len(value) != 8 or not value.isdigit():
        return None
    return f"{value[:4]}-{value[4:6]}-{value[6:]}"


class ChapterOut(serializers.Serializer):
    position = serializers.IntegerField(help_text="Where the heading stands among the articles.")
    heading = serializers.CharField()


class LawOut(serializers.Serializer):
    object = serializers.SerializerMethodField()
    pcode = serializers.CharField(help_text="The Ministry's law code.")
    name = serializers.CharField()
    english_name = serializers.CharField(help_text="Empty when the Ministry publishes none.")
    level = serializers.CharField(help_text="憲法, 法律 or 命令.")
    category = serializers.CharField()
    modified_date = serializers.SerializerMethodField()
    effective_date = serializers.SerializerMethodField()
    in_force = serializers.SerializerMethodField()
    abolished = serializers.BooleanField()
    url = serializers.CharField(help_text="The official text on law.moj.gov.tw.")

    def get_object(self, law) -> str:
        return "law"

    def get_modified_date(self, law: Law) -> str | None:
        return iso_date(law.modified_date)

    def get_effective_date(self, law: Law) -> str | None:
        return iso_date(law.effective_date)

    def get_in_force(self, law: Law) -> bool:
        return not law.abolished


class LawDetailOut(LawOut):
    effective_note = serializers.CharField()
    articles = serializers.SerializerMethodField()
    chapters = ChapterOut(many=True)

    method_schemas = {"articles": serializers.IntegerField(help_text="How many articles.")}

    def get_articles(self, law: Law) -> int:
        return law.articles.count()


class ItemOut(serializers.Serializer):
    number = serializers.IntegerField()
    text = serializers.CharField()


class SubparagraphOut(serializers.Serializer):
    number = serializers.IntegerField(help_text="款: 1 for 「一、」.")
    text = serializers.CharField()
    items = ItemOut(many=True, help_text="目: 「（一）」.")


class ParagraphOut(serializers.Serializer):
    number = serializers.IntegerField(help_text="項, from 1.")
    text = serializers.CharField()
    subparagraphs = SubparagraphOut(many=True)


class ArticleOut(serializers.Serializer):
    object = serializers.SerializerMethodField()
    pcode = serializers.SerializerMethodField()
    law = serializers.SerializerMethodField()
    number = serializers.CharField(help_text="17, or 10-1 for 第十條之一.")
    title = serializers.CharField()
    chapter = serializers.CharField(help_text="The nearest heading above it.")
    text = serializers.CharField(source="content")
    deleted = serializers.SerializerMethodField()
    url = serializers.CharField(help_text="The official text of the article.")
    paragraphs = serializers.SerializerMethodField()
    # A method field's schema, for the OpenAPI generator (chat/api/rest/schema.py).
    method_schemas = {
        "paragraphs": ParagraphOut(many=True),
        "deleted": serializers.BooleanField(help_text="The article reads （刪除）."),
    }

    def get_object(self, article) -> str:
        return "article"

    def get_pcode(self, article: Article) -> str:
        return article.law.pcode

    def get_law(self, article: Article) -> str:
        return article.law.name

    def get_deleted(self, article: Article) -> bool:
        return is_deleted(article.content)

    def get_paragraphs(self, article: Article) -> list:
        if is_deleted(article.content):
            return []
        return ParagraphOut(paragraphs(article.content), many=True).data


class CitationOut(serializers.Serializer):
    object = serializers.CharField()
    cite = serializers.CharField()
    paragraph = serializers.IntegerField(allow_null=True, help_text="項 cited, if any.")
    subparagraph = serializers.IntegerField(allow_null=True, help_text="款 cited, if any.")
    text = serializers.CharField(help_text="The part cited, or the whole article.")
    url = serializers.CharField()
    article = ArticleOut()


class HitOut(serializers.Serializer):
    score = serializers.FloatField(
        allow_null=True, help_text="null for an article the question cites."
    )
    reason = serializers.CharField(help_text="citation (the question cites it) or text.")
    paragraph = ParagraphOut(
        allow_null=True, help_text="The paragraph that best matches the query."
    )
    article = ArticleOut()


MONEY = {"max_digits": None, "decimal_places": None, "min_value": 0, "max_value": 1_000_000_000}
HOURS = {"max_digits": None, "decimal_places": None, "min_value": 0, "max_value": 24}
DATE = {"help_text": "YYYY-MM-DD, 1900–2099."}


def money(help_text: str) -> serializers.DecimalField:
    return serializers.DecimalField(**MONEY, required=False, help_text=f"NT$. {help_text}")


class ServiceInput(StrictSerializer):
    years = serializers.IntegerField(min_value=0, max_value=80, required=False, default=0)
    months = serializers.IntegerField(min_value=0, max_value=960, required=False, default=0)
    days = serializers.IntegerField(min_value=0, max_value=366, required=False, default=0)


class BoundedDate(serializers.DateField):
    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        if not 1900 <= day.year <= 2099:
            self.fail("invalid", format="YYYY-MM-DD between 1900 and 2099")
        return day


class CalculationInput(StrictSerializer):
    kind = serializers.ChoiceField(
        choices=["severance", "notice", "annual_leave", "overtime", "average_wage"],
        required=False,
        help_text="What to compute. Required unless `question` is given (then it picks one "
        "of the calculations the question asks for).",
    )
    # A case in a sentence or two; the calculators' reading of numbers grows with the square of a
    # run of digits' length (300: 0.3 s, 2,000: 30 s on a loaded machine), so it is kept short.
    question = serializers.CharField(
        max_length=300,
        required=False,
        help_text="The case in words (「月薪4萬5，年資3年6個月，被資遣可以拿多少？」): the numbers "
        "are read from it, as the chat answers do; the structured fields are then ignored.",
    )
    language = serializers.ChoiceField(
        choices=["zh", "en"], required=False, help_text="Of the steps and the result (default zh)."
    )
    monthly_wage = money("Monthly wage (stands in for the average wage when that is not given).")
    average_wage = money("Average wage (勞基法 第 2 條 第 4 款).")
    hourly_wage = money("Hourly wage (overtime).")
    wages = serializers.ListField(
        child=serializers.DecimalField(**MONEY),
        max_length=6,
        required=False,
        help_text="The last months' wages, oldest first (average wage).",
    )
    wages_total = money("The last six months' wages in total (average wage).")
    period_days = serializers.IntegerField(
        min_value=1, max_value=184, required=False, help_text="Calendar days of those months."
    )
    service = ServiceInput(required=False, help_text="Length of service, when no dates are given.")
    hired = BoundedDate(required=False, **DATE)
    left = BoundedDate(
        required=False, help_text="Leaving date (default: today). YYYY-MM-DD, 1900–2099."
    )
    today = BoundedDate(required=False, help_text="The date that stands in for a missing `left`.")
    system = serializers.ChoiceField(
        choices=["old", "new"],
        required=False,
        help_text="Severance: old (勞基法) or new (勞退條例) pension system; by default from the dates.",
    )
    workday_hours = serializers.DecimalField(
        **HOURS,
        required=False,
        help_text="Overtime: hours worked on a working day, normal ones included.",
    )
    workday_overtime_hours = serializers.DecimalField(
        **HOURS,
        required=False,
        help_text="Overtime: hours beyond the normal ones on a working day.",
    )
    rest_day_hours = serializers.DecimalField(
        **HOURS, required=False, help_text="Overtime: hours worked on a rest day."
    )
    month_overtime_hours = serializers.DecimalField(
        max_digits=None,
        decimal_places=None,
        min_value=0,
        max_value=744,
        required=False,
        help_text="Overtime: hours in the month (checked against 46).",
    )

    def validate(self, data: dict) -> dict:
        if not data.get("kind") and not data.get("question"):
            raise serializers.ValidationError(
                {
                    "kind": [
                        serializers.ErrorDetail(
                            "Give `kind` (with the numbers) or `question`.", "required"
                        )
                    ]
                }
            )
        hired, left = data.get("hired"), data.get("left") or data.get("today")
        if hired and left and hired > left:
            which = "left" if data.get("left") else "today"
            raise serializers.ValidationError({which: ["must not be before `hired`."]})
        return data


class CalculationArticleOut(serializers.Serializer):
    pcode = serializers.CharField()
    number = serializers.CharField()
    title = serializers.CharField()
    url = serializers.CharField()


class CalculationOut(serializers.Serializer):
    object = serializers.CharField()
    kind = serializers.CharField()
    title = serializers.CharField()
    result = serializers.CharField(allow_null=True, help_text="null when a number is missing.")
    value = serializers.IntegerField(allow_null=True, help_text="The main figure: NT$ or days.")
    figures = serializers.DictField(child=serializers.IntegerField(), help_text="Named parts.")
    inputs = serializers.ListField(child=serializers.CharField())
    steps = serializers.ListField(
        child=serializers.CharField(), help_text="The arithmetic, or the formula."
    )
    notes = serializers.ListField(child=serializers.CharField())
    missing = serializers.ListField(child=serializers.CharField(), help_text="What to ask for.")
    articles = CalculationArticleOut(many=True)
    markdown = serializers.CharField(help_text="The whole calculation as the chat answer shows it.")
