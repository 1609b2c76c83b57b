"""Reading the Ministry of Justice's open-data downloads (ChLaw/ChOrder and their English
translations EngLaw/EngOrder, .json or .json.zip). A file's language is read from its content
(an English law carries its Chinese name in `ChLawName` and an English page), not its name."""

import hashlib
import io
import json
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import httpx

PCODE_RE = re.compile(r"pcode=([A-Za-z0-9]+)")


class SourceError(Exception):
    """A source that cannot be read or is not in the Ministry's layout; the message is one line."""


@dataclass(frozen=True)
class ArticleRecord:
    number: str
    chapter: str
    content: str


@dataclass
class TranslationRecord:
    """The Ministry's English translation of one law: not authoritative, and it may lag the
    Chinese text or miss articles (the Chinese text is the law)."""

    pcode: str
    name: str
    url: str
    translated_date: str  # the translation's LawModifiedDate
    articles: dict[str, str] = field(default_factory=dict)  # number → English text
    content_hash: str = ""


@dataclass
class LawRecord:
    pcode: str
    name: str
    level: str
    category: str
    modified_date: str
    effective_date: str
    effective_note: str
    abolished: bool
    english_name: str
    url: str
    foreword: str
    histories: str
    content_hash: str
    chapters: list[str] = field(default_factory=list)
    articles: list[ArticleRecord] = field(default_factory=list)
    translation: TranslationRecord | None = None


def read_source_bytes(source: str, *, timeout: float = 120.0) -> bytes:
    if source.startswith(("http://", "https://")):
        try:
            response = httpx.get(source, timeout=timeout, follow_redirects=True)
            response.raise_for_status()
        except httpx.HTTPError as exc:
            raise SourceError(f"{source}: download failed ({exc})") from exc
        return response.content
    path = Path(source).expanduser()
    if not path.is_file():
        raise SourceError(f"{source}: no such file")
    return path.read_bytes()


# The Ministry's largest file unzips to ~250 MB: past this, a zip is a bomb, not a corpus.
MAX_UNZIPPED_BYTES = 2 * 1024**3


def _read_capped(source: str, archive: zipfile.ZipFile, name: str) -> bytes:
    """The member's bytes, read in pieces and refused past MAX_UNZIPPED_BYTES whatever the
    archive's directory claims (a zip bomb states small sizes)."""
    out = io.BytesIO()
    with archive.open(name) as member:
        while piece := member.read(1 << 20):
            if out.tell() + len(piece) > MAX_UNZIPPED_BYTES:
                raise SourceError(
                    f"{source}: the zip unpacks to more than {MAX_UNZIPPED_BYTES >> 20} MiB"
                )
            out.write(piece)
    return out.getvalue()


def _json_text(source: str, data: bytes) -> str:
    if data[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = [n for n in archive.namelist() if n.lower().endswith(".json")]
                if len(names) != 1:
                    raise SourceError(
                        f"{source}: expected one .json file in the zip, found {len(names)}"
                    )
                data = _read_capped(source, archive, names[0])
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, zlib.error) as exc:
            raise SourceError(f"{source}: corrupt zip file ({exc})") from exc
    try:
        return data.decode("utf-8-sig")  # the Ministry's files start with a byte-order mark
    except UnicodeDecodeError as exc:
        raise SourceError(f"{source}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc


def article_number(raw: str) -> str:
    """'第 10-1 條' or 'Article 10-1' → '10-1'; the few bare numbers in the data pass through."""
    return re.sub(r"[第條\s]|^Article", "", raw.strip())


def is_translation(raw: dict) -> bool:
    return "ChLawName" in raw or "/Eng/" in (raw.get("LawURL") or "")


def _digest(raw: dict) -> str:
    return hashlib.sha256(json.dumps(raw, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def _translation_record(source: str, raw: dict, pcode: str, name: str) -> TranslationRecord:
    translation = TranslationRecord(
        pcode=pcode,
        name=name,
        url=raw.get("LawURL") or "",
        translated_date=raw.get("LawModifiedDate") or "",
        content_hash=_digest(raw),
    )
    for item in raw.get("LawArticles") or []:
        if not isinstance(item, dict):
            raise SourceError(f"{source}: an article of {name} is not in the Ministry's layout")
        if item.get("ArticleType") == "A":
            number = article_number(item.get("ArticleNo") or "")
            content = (item.get("ArticleContent") or "").strip().replace("\r\n", "\n")
            if number and content:
                translation.articles[number] = content
    return translation


def _law_record(source: str, index: int, raw: dict) -> LawRecord | TranslationRecord:
    if not isinstance(raw, dict) or not isinstance(raw.get("LawArticles", []), list):
        raise SourceError(f"{source}: law #{index + 1} is not in the Ministry's layout")
    url = raw.get("LawURL") or ""
    match = PCODE_RE.search(url)
    name = (raw.get("LawName") or "").strip()
    if not match or not name:
        raise SourceError(f"{source}: law #{index + 1} has no LawName or no pcode in LawURL")
    if is_translation(raw):
        return _translation_record(source, raw, match.group(1), name)

    law = LawRecord(
        pcode=match.group(1),
        name=name,
        level=(raw.get("LawLevel") or "").strip(),
        category=raw.get("LawCategory") or "",
        modified_date=raw.get("LawModifiedDate") or "",
        effective_date=raw.get("LawEffectiveDate") or "",
        effective_note=raw.get("LawEffectiveNote") or "",
        abolished=bool((raw.get("LawAbandonNote") or "").strip()),
        english_name=(raw.get("EngLawName") or "").strip(),
        url=url,
        foreword=raw.get("LawForeword") or "",
        histories=raw.get("LawHistories") or "",
        content_hash=_digest(raw),
    )
    chapter = ""
    for item in raw.get("LawArticles") or []:
        if not isinstance(item, dict):
            raise SourceError(f"{source}: an article of {name} is not in the Ministry's layout")
        content = (item.get("ArticleContent") or "").strip()
        if item.get("ArticleType") == "C":
            chapter = re.sub(r"\s+", " ", content)
            law.chapters.append(chapter)
        elif item.get("ArticleType") == "A":
            number = article_number(item.get("ArticleNo") or "")
            if number:
                law.articles.append(ArticleRecord(number, chapter, content.replace("\r\n", "\n")))
    return law


def parse_source(source: str, data: bytes) -> tuple[str, list[LawRecord | TranslationRecord]]:
    """Returns (UpdateDate, laws), each law a LawRecord or (in an English file) a
    TranslationRecord, or raises SourceError with a one-line reason."""
    text = _json_text(source, data)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(f"{source}: not valid JSON ({exc.msg} at line {exc.lineno})") from exc
    if not isinstance(document, dict) or not isinstance(document.get("Laws"), list):
        raise SourceError(f"{source}: not a Ministry law download (no 'Laws' list)")
    laws = [_law_record(source, i, raw) for i, raw in enumerate(document["Laws"])]
    return str(document.get("UpdateDate", "")), laws


def load_source(source: str) -> tuple[str, list[LawRecord | TranslationRecord]]:
    return parse_source(source, read_source_bytes(source))
