"""A small synthetic corpus in the Ministry's layout. The article texts are written for the tests
(paraphrases, not the statutes' wording) so that no law data lives in the repository."""

import io
import json
import zipfile
from pathlib import Path


def article(number: str, content: str) -> dict:
    return {"ArticleType": "A", "ArticleNo": f"第 {number} 條", "ArticleContent": content}


def chapter(heading: str) -> dict:
    return {"ArticleType": "C", "ArticleNo": "", "ArticleContent": heading}


def law(
    pcode: str,
    name: str,
    articles: list[dict],
    *,
    level: str = "法律",
    abolished: bool = False,
    english: str = "",
) -> dict:
    return {
        "LawLevel": level,
        "LawName": name,
        "LawURL": f"https://law.moj.gov.tw/LawClass/LawAll.aspx?pcode={pcode}",
        "LawCategory": "測試＞測試",
        "LawModifiedDate": "20240101",
        "LawEffectiveDate": "",
        "LawEffectiveNote": "",
        "LawAbandonNote": "廢" if abolished else "",
        "LawHasEngVersion": "Y" if english else "N",
        "EngLawName": english,
        "LawAttachements": [],
        "LawHistories": "",
        "LawForeword": "",
        "LawArticles": articles,
    }


LABOUR = law(
    "N0030001",
    "勞動基準法",
    [
        chapter("第 一 章 總則"),
        article("1", "本法規定勞動條件之最低標準，以保障勞工權益。"),
        article(
            "2",
            "本法用詞定義：\r\n一、勞工：受雇主僱用從事工作獲致工資者。\r\n四、平均工資：事由發生當日前六個月內工資總額除以該期間總日數之金額。",
        ),
        chapter("第 二 章 勞動契約"),
        article("10-1", "雇主調動勞工工作，不得違反勞動契約之約定。"),
        article("16", "雇主終止勞動契約者，應依勞工工作年資給予預告期間。"),
        article(
            "17",
            "雇主依前條終止勞動契約者，應發給勞工資遣費；每滿一年發給一個月平均工資之資遣費，未滿一年者以比例計給。",
        ),
        chapter("第 三 章 工資"),
        article("24", "雇主延長勞工工作時間者，延長工作時間之工資應依標準加給。"),
        chapter("第 四 章 工作時間、休息、休假"),
        article("38", "勞工在同一雇主繼續工作滿一定期間者，雇主應給予特別休假。"),
        article("39", "（刪除）"),
        article("84-2", "勞工工作年資自受僱之日起算，其資遣費及退休金依當時之法令計算。"),
    ],
    english="Labor Standards Act",
)
PENSION = law(
    "N0030020",
    "勞工退休金條例",
    [
        article("11", "本條例施行前之工作年資，於選擇適用本條例後仍予保留。"),
        article(
            "12",
            "勞工適用本條例之退休金制度者，其資遣費由雇主按工作年資，每滿一年發給二分之一個月之平均工資，最高以六個月平均工資為限。",
        ),
    ],
    english="Labor Pension Act",
)
CIVIL = law(
    "B0000001",
    "民法",
    [
        article("184", "因故意或過失，不法侵害他人之權利者，負損害賠償責任。"),
        article("767", "所有人對於無權占有其所有物者，得請求返還之。"),
    ],
    english="Civil Code",
)
CRIMINAL = law(
    "C0000001",
    "中華民國刑法",
    [article("185-3", "駕駛動力交通工具而吐氣所含酒精濃度超過標準者，處有期徒刑。")],
    english="Criminal Code of the Republic of China",
)
RULES = law(
    "N0030002",
    "勞動基準法施行細則",
    [article("7", "勞動契約應約定工作場所、工作時間、工資及資遣費之計算。")],
    level="命令",
)
OLD = law(
    "Z0000001", "已廢止之測試條例", [article("1", "本條例規定資遣費之舊制度。")], abolished=True
)

ACTS = [LABOUR, PENSION, CIVIL, CRIMINAL, OLD]
ORDERS = [RULES]


def document(laws: list[dict], update: str = "2024/1/1") -> bytes:
    # The Ministry's files start with a UTF-8 byte-order mark.
    return (
        "\ufeff".encode()
        + json.dumps({"UpdateDate": update, "Laws": laws}, ensure_ascii=False).encode()
    )


def write_zip(path: Path, laws: list[dict], inner: str = "ChLaw.json") -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(inner, document(laws))
    path.write_bytes(buffer.getvalue())
    return path


def write_corpus(directory: Path) -> list[str]:
    """Writes ChLaw.json.zip and ChOrder.json (bare) and returns their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    acts = write_zip(directory / "ChLaw.json.zip", ACTS)
    orders = directory / "ChOrder.json"
    orders.write_bytes(document(ORDERS))
    return [str(acts), str(orders)]


def translation(pcode: str, name: str, chinese: str, articles: dict[str, str]) -> dict:
    """One law of the Ministry's English files (EngLaw/EngOrder): the same layout, English text."""
    return {
        "LawLevel": "法律",
        "LawName": name,
        "ChLawName": chinese,
        "LawURL": f"https://law.moj.gov.tw/Eng/LawClass/LawAll.aspx?pcode={pcode}",
        "LawModifiedDate": "20230101",
        "LawAbandonNote": "",
        "LawArticles": [chapter("Chapter I General Provisions")]
        + [
            {"ArticleType": "A", "ArticleNo": f"Article {n}", "ArticleContent": text}
            for n, text in articles.items()
        ],
    }


# Lagging, as the Ministry's often are: 勞基法 §84-2 has no English text.
ENGLISH = [
    translation(
        "N0030001",
        "Labor Standards Act",
        "勞動基準法",
        {
            "10-1": "An employer shall not transfer a worker in breach of the labor contract.",
            "17": "An employer terminating a labor contract shall issue severance pay to the "
            "worker: one month of average wages for each full year of service.",
            "38": "A worker who has served an employer continuously shall be granted paid "
            "annual leave.",
        },
    ),
    translation(
        "N0030020",
        "Labor Pension Act",
        "勞工退休金條例",
        {"11": "What a worker accrued earlier is preserved upon electing this scheme."},
    ),
    translation(
        "C0000001",
        "Criminal Code of the Republic of China",
        "中華民國刑法",
        {"185-3": "A person who drives a motor vehicle while drunk shall be imprisoned."},
    ),
]


def write_english(directory: Path) -> str:
    """Writes an English translations file (named so that only its content tells it apart)."""
    directory.mkdir(parents=True, exist_ok=True)
    return str(write_zip(directory / "laws-3.json.zip", ENGLISH, inner="data.json"))
