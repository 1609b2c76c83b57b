"""The numbers a labour question carries, read from Chinese or English text: wages (「月薪4萬5」
「45,000元」「平均工資36000」「monthly salary of NT$45,000」), length of service (「年資3年6個月」
「三年半」「3.5 years」), dates (「2005年3月到職」「民國94年7月1日」「March 1, 2005」) and hours."""

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from labour.service_length import Service
from laws.text import to_int

# A number read whole: from the start of its run of digits (or numerals), possessively. Every
# unit after a number is a non-digit, so no shorter reading could match where the whole one
# fails; without this a run of 2,000 digits was tried from each of its digits at each length
# (quadratic: 1.4 s of CPU for the 2,000 characters the calculators read, holding the GIL).
DIGITS = r"(?<!\d)\d++"
DECIMAL = rf"{DIGITS}(?:\.\d++)?+"
NUMERALS = "零〇一二兩三四五六七八九十百"
N = rf"(?:{DECIMAL}|(?<![{NUMERALS}])[{NUMERALS}]++)"
_FULLWIDTH = str.maketrans("０１２３４５６７８９．：／－", "0123456789.:/-")
_EN_NUMBERS = [
    "a",
    "an",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
]
_EN_VALUE = {word: str(max(i - 1, 1)) for i, word in enumerate(_EN_NUMBERS)}
# 「a month」 and 「an hour」 mostly mean "per", so a/an count only before "year".
_EN_NUMBER_RE = re.compile(
    rf"\b(an?(?=\s+years?\b)|{'|'.join(_EN_NUMBERS[2:])})\s+(?=(?:years?|months?|days?|hours?)\b)",
    re.I,
)
MONTHS_EN = {
    name: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        1,
    )
    for name in names
}
_MON = "|".join(sorted(MONTHS_EN, key=len, reverse=True))

DATE_RES = [
    re.compile(
        r"(?P<roc>民國\s*)?(?P<y>\d{2,4})\s*年\s*(?P<m>\d{1,2})\s*月(?:\s*(?P<d>\d{1,2})\s*[日號])?"
    ),
    re.compile(r"(?P<y>(?:19|20)\d{2})[/\-.](?P<m>\d{1,2})(?:[/\-.](?P<d>\d{1,2}))?"),
    re.compile(r"(?P<y>\d{2,3})[/.](?P<m>\d{1,2})[/.](?P<d>\d{1,2})"),
    re.compile(rf"\b(?P<d>\d{{1,2}})\s+(?P<mon>{_MON})\.?,?\s+(?P<y>(?:19|20)\d{{2}})", re.I),
    re.compile(
        rf"\b(?P<mon>{_MON})\.?\s+(?:(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+)?(?P<y>(?:19|20)\d{{2}})",
        re.I,
    ),
    # A year alone, only where it says when the job began or ended: 「2004年到職」「2007年底被資遣」.
    re.compile(
        r"(?P<roc>民國\s*)?(?P<y>(?:19|20)\d{2}|\d{2,3})\s*年\s*(?P<part>底|初|中)?"
        r"(?=\s*(?:起|開始)?\s*(?:到職|入職|就職|進公司|受僱|受雇|報到|開始工作|離職|被?資遣|終止|解僱|解雇|被裁|退休))"
    ),
]
HIRE_AFTER_RE = re.compile(
    r"^\s*(?:起|開始)?\s*(?:到職|入職|就職|進公司|進入|受僱|受雇|報到|開始工作|起)"
)
HIRE_BEFORE_RE = re.compile(
    r"(?:從|自|於|hired|joined|started|since|from|employed)\s*(?:on|in)?\s*$", re.I
)
LEAVE_AFTER_RE = re.compile(r"^\s*(?:離職|被?資遣|終止|解僱|解雇|被裁|退休|止)")
LEAVE_BEFORE_RE = re.compile(
    r"(?:到|至|於|left|laid off|dismissed|terminated|until|to|ended|fired)\s*(?:on|in)?\s*$", re.I
)

MONEY_RE = re.compile(
    rf"(?P<wan>{N})\s*萬\s*(?:(?P<rest>{N})\s*(?P<qian>千)?)?"
    rf"|(?:NT\$|NTD|TWD|\$)\s*(?P<cur>{DECIMAL})\s*(?P<curk>[kK]\b)?"
    rf"|(?P<k>{DECIMAL})\s*[kK]\b"
    rf"|(?P<yuan>{DECIMAL})\s*(?=元|塊|dollars|NTD|TWD|\s+(?:an|per)\s+hour)"
    r"|(?P<bare>(?<![\d.])(?!(?:19|20)\d\d(?!\d))\d{4,}(?:\.\d+)?)(?!\s*(?:年|小時|個?月|天|日|hours?|days?|months?|years?))"
)
HOURLY_RE = re.compile(
    rf"(?:時薪|每小時|hourly\s+(?:wage|rate|pay)(?:\s+(?:of|is))?)\s*(?:NT\$|\$)?\s*(?P<n>{DECIMAL})",
    re.I,
)
HOURLY_AFTER_RE = re.compile(
    r"^\s*(?:元)?\s*(?:/|每)\s*(?:小時|時|h\b|hour)|^\s*(?:an|per)\s+hour", re.I
)
LIST_GAP_RE = re.compile(
    r"^[\s、,，;；/和及與]*(?:and\s*)?[\s、,，]*(?:元)?[\s、,，;；/和及與]*(?:and\s*)?$"
)
KEYWORDS = [
    (
        "average",
        re.compile(
            r"平均工資|平均薪資|平均月薪|average\s+(?:monthly\s+)?(?:wage|salary|pay)", re.I
        ),
    ),
    ("hourly", re.compile(r"時薪|每小時|hourly|per hour|an hour", re.I)),
    ("total", re.compile(r"總額|總計|合計|共計|total", re.I)),
    (
        "monthly",
        re.compile(
            r"月薪|月領|薪水|薪資|底薪|工資|月收入|每月|每個月|一個月|monthly|salary|wage|earn|paid|a month|per month",
            re.I,
        ),
    ),
]
DURATION_ZH_RE = re.compile(
    rf"(?:(?P<y>{N})\s*(?:個)?\s*年(?P<yh>半)?(?:多)?)?\s*(?:又|零)?\s*"
    rf"(?:(?P<m>{N})\s*(?P<mu>個多?月|個月|月)(?P<mh>半)?)?\s*(?:又|零)?\s*"
    rf"(?:(?P<d>{N})\s*(?:天|日))?"
)
DURATION_EN_RE = re.compile(
    rf"(?:(?P<y>{DECIMAL})\s*(?:years?|yrs?)(?:\s+and\s+a\s+half)?)?[\s,]*(?:and\s+)?"
    rf"(?:(?P<m>{DIGITS})\s*months?)?[\s,]*(?:and\s+)?(?:(?P<d>{DIGITS})\s*days?)?",
    re.I,
)
PERIOD_BEFORE_RE = re.compile(r"(?:前|最近|近|過去|last|past|previous|the)\s*$", re.I)
PERIOD_AFTER_RE = re.compile(
    r"^\s*(?:內|前|後|以前|以後|加班|的?(?:工資|薪資|薪水)|(?:'s?|s')\s*(?:wages|salary|pay)|of\s+(?:wages|salary|pay)|ago|later)",
    re.I,
)
SERVICE_CONTEXT_RE = re.compile(
    r"(?:年資|工作了?|做了|服務了?|任職|在職|待了|已經|滿|資歷|seniority|worked|employed|service|been|for)\s*$",
    re.I,
)
HOURS_RE = re.compile(rf"(?P<n>{N})\s*(?:個)?\s*(?:小時|鐘頭|hours?|hrs?\b|h\b)", re.I)
CLAUSE_SPLIT_RE = re.compile(r"[，。；;！？!?,\n]|(?<!\d)\.(?!\d)")
REST_RE = re.compile(r"休息日|rest[\s-]?day|day off|週六|星期六|saturday", re.I)
MONTH_SCOPE_RE = re.compile(
    r"本月|這個月|這月|當月|每月|一個月|整個月|a month|per month|this month|monthly|in a month",
    re.I,
)
OVERTIME_RE = re.compile(r"加班|延長|超時|overtime|extra", re.I)
# 「每天加班3小時」 "3 hours overtime every weekday": the hours of each working day, not a month's.
EVERY_DAY_RE = re.compile(
    r"每天|每日|天天|每個?(?:工作|上班)日|每個?平日|"
    r"every\s+(?:week|work(?:ing)?\s*)?day|each\s+(?:work(?:ing)?\s*)?day|per\s+day|a\s+day\b|daily",
    re.I,
)
WORK_RE = re.compile(r"工作|上班|出勤|worked|work", re.I)
DAYS_TOTAL_RE = re.compile(
    rf"(?:共|總日數|總共|合計)\s*(?P<n>{DIGITS})\s*(?:天|日)|(?P<en>{DIGITS})\s*calendar\s*days",
    re.I,
)


@dataclass
class Facts:
    """What the question says, as numbers. None means the question does not say."""

    monthly_wage: Decimal | None = None
    average_wage: Decimal | None = None
    hourly_wage: Decimal | None = None
    wages: list[Decimal] = field(default_factory=list)  # the last months' wages, in order
    wages_total: Decimal | None = None
    period_days: int | None = None
    service: Service | None = None
    hired: date | None = None
    hired_day_given: bool = True
    left: date | None = None
    left_day_given: bool = True
    system: str | None = None  # "old" (勞基法) or "new" (勞退條例) when the question says
    workday_hours: Fraction | None = None  # hours worked that day (normal hours included)
    workday_extra: Fraction | None = None  # overtime hours on a working day
    rest_day_hours: Fraction | None = None
    month_overtime: Fraction | None = None
    overtime_every_day: bool | None = None  # True: workday_extra is every working day's


def number(text: str) -> Fraction | None:
    text = text.strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return Fraction(Decimal(text))
    value = to_int(text)
    return None if value is None else Fraction(value)


def normalize(question: str) -> str:
    text = question.translate(_FULLWIDTH)
    text = re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", text)
    text = re.sub(r"(?<![\d零〇一二兩三四五六七八九十百年上下])半年", "0.5年", text)
    return _EN_NUMBER_RE.sub(lambda m: _EN_VALUE[m.group(1).lower()] + " ", text)


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


# Dates said relative to today (「上個月底資遣我」「去年3月到職」 "laid off yesterday"); read only
# where they say when the job began or ended, since 「上個月加班30小時」 is a period, not a date.
RELATIVE_RE = re.compile(
    r"(?P<rel>今天|今日|昨天|前天|上個?月|這個?月|本月|去年|今年|前年)\s*(?P<part>底|初|中)?"
    r"(?:\s*(?P<m>\d{1,2})\s*月)?(?:\s*(?P<d>\d{1,2})\s*[日號])?"
    r"|\b(?P<en>today|yesterday|(?:at\s+)?the\s+end\s+of\s+last\s+month|last\s+month)\b",
    re.IGNORECASE,
)
_MONTHS_BACK = {"上月": 1, "上個月": 1, "這月": 0, "這個月": 0, "本月": 0}
_YEARS_BACK = {"今年": 0, "去年": 1, "前年": 2}
_DAYS_BACK = {"今天": 0, "今日": 0, "昨天": 1, "前天": 2, "today": 0, "yesterday": 1}


def _relative(match: re.Match, today: date) -> tuple[date, bool] | None:
    """The date a relative expression names, and whether it names the day."""
    said = (match.group("rel") or match.group("en")).lower()
    said = " ".join(said.split())
    part, month, day = match.group("part"), match.group("m"), match.group("d")
    if said in _DAYS_BACK:
        return today - timedelta(days=_DAYS_BACK[said]), True
    if said in _MONTHS_BACK or "last month" in said:
        back = _MONTHS_BACK.get(said, 1)
        year, first = today.year, today.month - back
        if first < 1:
            year, first = year - 1, first + 12
        last = calendar.monthrange(year, first)[1]
        if day:
            return (date(year, first, int(day)), True) if int(day) <= last else None
        if part == "底" or said.startswith(("the end", "at the end")):
            return date(year, first, last), True
        return date(year, first, 15 if part == "中" else 1), False
    year = today.year - _YEARS_BACK[said]
    if month:
        try:
            return date(year, int(month), int(day or 1)), bool(day)
        except ValueError:
            return None
    return (
        (date(year, 12, 31), True)
        if part == "底"
        else (date(year, 7 if part == "中" else 1, 1), False)
    )


def _dates(
    text: str, today: date | None = None
) -> tuple[list[tuple[date, bool, int, int, str | None]], str]:
    found = []
    for pattern in DATE_RES:
        for match in pattern.finditer(text):
            if text[match.start() : match.end()].isspace():
                continue
            groups = match.groupdict()
            year = int(groups["y"])
            part = groups.get("part")
            if "part" in groups:
                # A year alone: its end, its start or its middle; the day is not given.
                month = {"底": 12, "中": 7}.get(part or "", 1)
            else:
                month = MONTHS_EN[groups["mon"].lower()] if groups.get("mon") else int(groups["m"])
            if year < 1000:
                if year < 60 and not groups.get("roc"):
                    continue  # 「12年6月」 is a length of service, not the year 1923
                year += 1911
            day = int(groups["d"]) if groups.get("d") else (31 if part == "底" else None)
            try:
                value = date(year, month, day or 1)
            except ValueError:
                continue
            role = _role(text, match)
            found.append((value, day is not None, match.start(), match.end(), role))
            text = _blank(text, match.start(), match.end())
    for match in RELATIVE_RE.finditer(text) if today else ():
        role = _role(text, match)
        named = _relative(match, today) if role else None
        if named is None:
            continue
        found.append((named[0], named[1], match.start(), match.end(), role))
        text = _blank(text, match.start(), match.end())
    found.sort(key=lambda item: item[2])
    return found, text


def _role(text: str, match: re.Match) -> str | None:
    """ "hired" or "left" by the words around a date, or None when they say neither."""
    before, after = text[max(0, match.start() - 12) : match.start()], text[match.end() :][:8]
    if HIRE_AFTER_RE.search(after) or (
        HIRE_BEFORE_RE.search(before) and not LEAVE_AFTER_RE.search(after)
    ):
        return "hired"
    if LEAVE_AFTER_RE.search(after) or LEAVE_BEFORE_RE.search(before):
        return "left"
    return None


def _money(match: re.Match) -> Decimal | None:
    g = match.groupdict()
    if g["wan"]:
        head = number(g["wan"])
        if head is None:
            return None
        value = head * 10000
        if g["rest"]:
            rest = number(g["rest"])
            if rest is None:
                return None
            # 「4萬5」 is 45,000: a lone digit after 萬 counts thousands
            value += rest * 1000 if g["qian"] or len(g["rest"]) == 1 else rest
        return Decimal(value.numerator) / Decimal(value.denominator)
    if g["cur"]:
        return Decimal(g["cur"]) * (1000 if g["curk"] else 1)
    if g["k"]:
        return Decimal(g["k"]) * 1000
    return Decimal(g["yuan"] or g["bare"])


def _read_money(text: str, facts: Facts) -> None:
    hourly = HOURLY_RE.search(text)
    if hourly:
        facts.hourly_wage = Decimal(hourly.group("n"))
        text = _blank(text, hourly.start(), hourly.end())
    amounts = []
    for match in MONEY_RE.finditer(text):
        value = _money(match)
        if value is not None and value > 0:
            amounts.append((value, match.start(), match.end()))
    # A run of three or more amounts (「36000、36000、38000…」) is a list of monthly wages.
    runs: list[list[tuple[Decimal, int, int]]] = []
    for amount in amounts:
        if runs and LIST_GAP_RE.match(text[runs[-1][-1][2] : amount[1]]):
            runs[-1].append(amount)
        else:
            runs.append([amount])
    unnamed: list[Decimal] = []
    for run in runs:
        if len(run) >= 3:
            facts.wages = [value for value, *_ in run]
            continue
        for value, start, end in run:
            window = text[max(0, start - 14) : start]
            kinds = [
                (m.end(), -rank, kind)
                for rank, (kind, rx) in enumerate(KEYWORDS)
                for m in rx.finditer(window)
            ]
            if HOURLY_AFTER_RE.match(text[end:]):
                kinds.append((99, 0, "hourly"))
            kind = max(kinds)[2] if kinds else None
            if kind == "average" and facts.average_wage is None:
                facts.average_wage = value
            elif kind == "hourly" and facts.hourly_wage is None:
                facts.hourly_wage = value
            elif kind == "total" and facts.wages_total is None:
                facts.wages_total = value
            elif kind == "monthly" and facts.monthly_wage is None:
                facts.monthly_wage = value
            elif kind is None and value >= 1000:
                unnamed.append(value)
    if facts.monthly_wage is None and unnamed:
        facts.monthly_wage = unnamed[0]  # 「45,000元」 alone: the monthly wage


def _duration(match: re.Match, english: bool) -> Service | None:
    g = match.groupdict()
    years = number(g["y"]) if g.get("y") else Fraction(0)
    months = number(g["m"]) if g.get("m") else Fraction(0)
    days = number(g["d"]) if g.get("d") else Fraction(0)
    if years is None or months is None or days is None:
        return None
    if not english and g.get("mu") == "月" and not g.get("y"):
        return None  # 「3月」 alone is March
    if g.get("yh") or (english and "half" in match.group().lower()):
        months += 6
    if not english and g.get("mh"):
        days += 15
    if years > 60 or months > 720 or days > 20000:
        return None
    total_months = years * 12 + months
    whole = int(total_months)
    days += (total_months - whole) * 30
    return Service.of(months=whole, days=int(days))


def _read_service(text: str, facts: Facts) -> str:
    candidates = []
    for english, pattern in ((False, DURATION_ZH_RE), (True, DURATION_EN_RE)):
        for match in pattern.finditer(text):
            if not match.group().strip() or not any(match.groupdict().values()):
                continue
            before, after = text[max(0, match.start() - 12) : match.start()], text[match.end() :]
            if PERIOD_BEFORE_RE.search(before) or PERIOD_AFTER_RE.match(after):
                continue
            service = _duration(match, english)
            if service is None or service.empty:
                continue
            g = match.groupdict()
            context = bool(SERVICE_CONTEXT_RE.search(before))
            if not (context or g.get("y") or g.get("m") or g.get("yh")):
                continue  # a bare 「10天」 is rarely a length of service
            candidates.append((not context, match.start(), service, match.end()))
    if candidates:
        _, start, service, end = min(candidates)
        facts.service = service
        text = _blank(text, start, end)
    return text


def _read_hours(text: str, facts: Facts) -> None:
    for part in CLAUSE_SPLIT_RE.split(text):
        hours = HOURS_RE.search(part)
        if not hours or (n := number(hours.group("n"))) is None:
            continue
        rest, overtime = REST_RE.search(part), OVERTIME_RE.search(part)
        if overtime and EVERY_DAY_RE.search(part) and not rest and facts.workday_extra is None:
            facts.workday_extra, facts.overtime_every_day = n, True
        elif overtime and MONTH_SCOPE_RE.search(part) and not rest:
            facts.month_overtime = facts.month_overtime or n
        elif rest:
            facts.rest_day_hours = facts.rest_day_hours or n
        elif overtime and facts.workday_extra is None:
            facts.workday_extra = n
        elif WORK_RE.search(part) and facts.workday_hours is None and n <= 24:
            facts.workday_hours = n


def parse(question: str, today: date | None = None) -> Facts:
    """The facts a question states; with `today`, dates said relative to it too (上個月底)."""
    facts = Facts()
    text = normalize(question)
    dates, text = _dates(text, today)
    unassigned = []
    for value, day_given, _, _, role in dates:
        if role == "hired" and facts.hired is None:
            facts.hired, facts.hired_day_given = value, day_given
        elif role == "left" and facts.left is None:
            facts.left, facts.left_day_given = value, day_given
        else:
            unassigned.append((value, day_given))
    if len(unassigned) >= 2 and facts.hired is None and facts.left is None:
        (facts.hired, facts.hired_day_given), (facts.left, facts.left_day_given) = sorted(
            unassigned[:2]
        )
    text = _read_service(text, facts)
    _read_hours(text, facts)
    text = HOURS_RE.sub(lambda m: " " * len(m.group()), text)
    days = DAYS_TOTAL_RE.search(text)
    if days:
        facts.period_days = int(days.group("n") or days.group("en"))
        text = _blank(text, days.start(), days.end())
    _read_money(text, facts)
    old = re.search(r"舊制|old (?:pension )?system|labor standards act system", question, re.I)
    new = re.search(r"新制|new (?:pension )?system|labor pension act system", question, re.I)
    if bool(old) != bool(new) and "新舊制" not in question:
        facts.system = "old" if old else "new"
    return facts
