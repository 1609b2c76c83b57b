"""The Traditional Chinese catalogue: every entry translated, none fuzzy, placeholders kept, and
the committed .mo compiled from the .po as it stands (`make messages`)."""

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

MESSAGES = Path(settings.BASE_DIR) / "locale" / "zh_Hant" / "LC_MESSAGES"


@dataclass
class Entry:
    flags: set[str] = field(default_factory=set)
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # plural index (0 when singular) -> text


def parse_po(text: str) -> list[Entry]:
    """A small .po reader: flags, msgctxt, msgid, msgid_plural and msgstr[n], continued lines;
    obsolete (#~) entries and the header are left out."""
    entries = []
    for block in re.split(r"\n\s*\n", text):
        entry, current = Entry(), None
        for line in block.strip().splitlines():
            if line.startswith("#,"):
                entry.flags |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif match := re.match(
                r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?) (".*")$', line
            ):
                keyword, index, value = match.groups()
                current = ("msgstr", int(index or 0)) if keyword.startswith("msgstr") else keyword
                store(entry, current, ast.literal_eval(value))
            elif line.startswith('"') and current:
                store(entry, current, ast.literal_eval(line), append=True)
            else:
                raise ValueError(f"unreadable line in the catalogue: {line!r}")
        if entry.msgid:
            entries.append(entry)
    return entries


def store(entry: Entry, where, value: str, append: bool = False) -> None:
    if isinstance(where, tuple):
        before = entry.msgstr.get(where[1], "") if append else ""
        entry.msgstr[where[1]] = before + value
    else:
        before = (getattr(entry, where) or "") if append else ""
        setattr(entry, where, before + value)


def placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"%\(\w+\)[sd]|\{\w+\}", text))


ENTRIES = parse_po((MESSAGES / "django.po").read_text(encoding="utf-8"))


def name(entry: Entry) -> str:
    return f"{entry.msgctxt}|{entry.msgid}" if entry.msgctxt else entry.msgid


def test_the_reader_reads_the_catalogue():
    assert len(ENTRIES) > 100
    ids = {name(entry) for entry in ENTRIES}
    assert {"Revoke", "key status|active", "Usage, last %(days)s day"} <= ids


def test_every_entry_is_translated_and_none_is_fuzzy():
    untranslated = [name(e) for e in ENTRIES if not e.msgstr or not all(e.msgstr.values())]
    fuzzy = [name(e) for e in ENTRIES if "fuzzy" in e.flags]
    assert untranslated == [] and fuzzy == []


def test_translations_keep_the_placeholders():
    for entry in ENTRIES:
        for text in entry.msgstr.values():
            assert placeholders(text) == placeholders(entry.msgid), name(entry)


def test_the_compiled_catalogue_matches_the_po():
    with open(MESSAGES / "django.mo", "rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    for entry in ENTRIES:
        if entry.msgid_plural is not None and entry.msgctxt:
            got = compiled.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, 1)
        elif entry.msgid_plural is not None:
            got = compiled.ngettext(entry.msgid, entry.msgid_plural, 1)
        elif entry.msgctxt:
            got = compiled.pgettext(entry.msgctxt, entry.msgid)
        else:
            got = compiled.gettext(entry.msgid)
        assert got == entry.msgstr[0], f"{name(entry)}: run `make messages` (compilemessages)"
