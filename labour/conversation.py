"""Facts across a conversation. A follow-up (「如果我是2004年到職，2007年底被資遣呢？」 after a
severance question that gave the wage) keeps the numbers the earlier questions gave unless it
gives its own, and asks for the same computation when it names none (「那月薪5萬呢？」). What was
carried is said in the answer, so the reader can see which earlier facts it used."""

import re
from dataclasses import fields, replace
from datetime import date

from labour.calculation import num
from labour.parsing import Facts, parse

WAGE = ("monthly_wage", "average_wage", "hourly_wage", "wages", "wages_total", "period_days")
HOURS = (
    "workday_hours",
    "workday_extra",
    "rest_day_hours",
    "month_overtime",
    "overtime_every_day",
)
# A question that leans on the one before it, even when it states no number.
FOLLOW_UP_RE = re.compile(
    r"^\s*(?:那|那麼|如果|若是|假如|要是|改成|換成|and\b|what if|what about|how about|if\b)", re.I
)
EARLIER_TURNS = 3  # earlier questions looked at, newest first


def _empty(facts: Facts, names: tuple[str, ...]) -> bool:
    return all(getattr(facts, name) in (None, []) for name in names)


def facts_merge(current: Facts, earlier: Facts) -> tuple[Facts, list[str]]:
    """`current` with what it lacks taken from `earlier`, by groups that belong together (a new
    wage of any kind replaces every earlier wage; a length of service replaces both dates), and
    the names of the groups taken."""
    taken: dict[str, object] = {}
    carried: list[str] = []
    if _empty(current, WAGE) and not _empty(earlier, WAGE):
        taken.update({name: getattr(earlier, name) for name in WAGE})
        carried.append("wage")
    if current.service is None:
        if current.hired is None and current.left is None and earlier.service is not None:
            taken["service"] = earlier.service
            carried.append("service")
        if current.hired is None and earlier.hired is not None:
            taken.update(hired=earlier.hired, hired_day_given=earlier.hired_day_given)
            carried.append("hired")
        if current.left is None and earlier.left is not None:
            taken.update(left=earlier.left, left_day_given=earlier.left_day_given)
            carried.append("left")
    if current.system is None and earlier.system is not None:
        taken["system"] = earlier.system
        carried.append("system")
    if _empty(current, HOURS) and not _empty(earlier, HOURS):
        taken.update({name: getattr(earlier, name) for name in HOURS})
        carried.append("hours")
    return replace(current, **taken), carried


def is_follow_up(question: str, facts: Facts) -> bool:
    stated = any(
        getattr(facts, f.name) not in (None, [], True) for f in fields(Facts) if f.name != "system"
    )
    return bool(FOLLOW_UP_RE.search(question)) or stated or facts.system is not None


def conversation_facts(
    question: str, earlier: list[str], today: date | None = None
) -> tuple[Facts, list[str], list[str]]:
    """The facts for `question` with the earlier questions' filling its gaps, the groups carried,
    and the earlier questions looked at (newest first)."""
    facts = parse(question, today)
    carried: list[str] = []
    looked = [text for text in reversed(earlier[-EARLIER_TURNS:]) if text.strip()]
    for text in looked:
        facts, taken = facts_merge(facts, parse(text, today))
        carried += [group for group in taken if group not in carried]
    return facts, carried, looked


def _day(day: date, english: bool) -> str:
    return day.isoformat() if english else f"{day.year}年{day.month}月{day.day}日"


def carried_labels(facts: Facts, carried: list[str], *, english: bool) -> list[str]:
    """How the carried facts read in the answer: 「月薪 45,000 元」, "hired 2003-03-01"."""
    labels = []
    for group in carried:
        if group == "wage":
            for name, zh, en in (
                ("monthly_wage", "月薪", "monthly wage"),
                ("average_wage", "平均工資", "average wage"),
                ("hourly_wage", "時薪", "hourly wage"),
            ):
                value = getattr(facts, name)
                if value is not None:
                    labels.append(f"{en} NT${num(value)}" if english else f"{zh} {num(value)} 元")
            if facts.wages:
                wages = ", ".join(num(w) for w in facts.wages)
                labels.append(f"wages {wages}" if english else f"各月工資 {wages}")
        elif group == "service" and facts.service is not None:
            label = facts.service.label(english)
            labels.append(f"service {label}" if english else f"年資 {label}")
        elif group == "hired" and facts.hired is not None:
            day = _day(facts.hired, english)
            labels.append(f"hired {day}" if english else f"到職日 {day}")
        elif group == "left" and facts.left is not None:
            day = _day(facts.left, english)
            labels.append(f"left {day}" if english else f"離職日 {day}")
        elif group == "system" and facts.system:
            if english:
                labels.append(
                    "the new pension system" if facts.system == "new" else "the old system"
                )
            else:
                labels.append("新制" if facts.system == "new" else "舊制")
        elif group == "hours":
            labels.append("the working hours given" if english else "先前提供的工時")
    return labels
