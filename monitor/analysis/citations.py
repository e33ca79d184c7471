"""The documents the rules cite, and each citation as a reader knows it: the document's title,
issuer and date, then the article or section, in Chinese and in English. A finding stores its
citations whole (`Clause.stored()`), so readers show them without this module."""

from __future__ import annotations

import re
from dataclasses import dataclass

ZH_NUMBERS = "零一二三四五六七八九十"


@dataclass(frozen=True)
class Document:
    key: str
    title_zh: str
    source_zh: str  # issuer and date, as printed after the title
    title_en: str
    source_en: str
    style: str  # how its parts are numbered: article, section, part


DOCUMENTS = {
    d.key: d
    for d in (
        Document(
            "APP",
            "《移动互联网应用程序个人信息保护管理暂行规定（征求意见稿）》",
            "国家互联网信息办公室、工业和信息化部、公安部、国家市场监督管理总局，2021-04",
            "Interim Provisions on the Protection and Management of Personal Information in Mobile "
            "Internet Applications (draft for comments)",
            "CAC, MIIT, MPS and SAMR, 2021-04",
            "article",
        ),
        Document(
            "CHILD",
            "《儿童个人信息网络保护规定》",
            "国家互联网信息办公室令第4号，2019-08",
            "Provisions on the Cyber Protection of Children's Personal Information",
            "CAC Order No. 4, 2019-08",
            "article",
        ),
        Document(
            "CLAST",
            "T/CLAST 001.2—2021《个人信息处理法律合规性评估指引 第2部分：合规框架》",
            "中国科学技术法学会，2021-04",
            "T/CLAST 001.2—2021 Guidelines for legal compliance assessment of processing of personal "
            "information, Part 2: Compliance framework",
            "China Law Society of Science and Technology, 2021-04",
            "section",
        ),
        Document(
            "TAOBAO",
            "淘宝开放平台合作伙伴《个人信息保护管理规范》",
            "淘宝开放平台，2021-12",
            "Taobao open platform partners' Personal Information Protection Management Norms",
            "Taobao open platform, 2021-12",
            "part",
        ),
        Document(
            "ECOM",
            "《电商平台客户信息保护制度》",
            "电商平台，未注明日期",
            "An e-commerce platform's customer information protection policy",
            "e-commerce platform, undated",
            "part",
        ),
    )
}


def zh_number(n: int) -> str:
    """1–99 in Chinese numerals (第十三条)."""
    if not 0 < n < 100:
        raise ValueError(f"no Chinese numeral here for {n}")
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else ZH_NUMBERS[tens] + "十")
    return head + (ZH_NUMBERS[ones] if ones else "")


ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8}


def _article_zh(ref: str) -> str:
    """ "6(3)" → 第六条第（三）项; "7" → 第七条."""
    m = re.fullmatch(r"(\d+)(?:\((\d+)\))?", ref)
    if m is None:
        raise ValueError(f"not an article reference: {ref!r}")
    text = f"第{zh_number(int(m.group(1)))}条"
    return text + (f"第（{zh_number(int(m.group(2)))}）项" if m.group(2) else "")


def _part_zh(ref: str) -> str:
    """ "III.(4).1" → 第三部分（四）第1项; "三.1" → 第三部分第1项."""
    head, _, rest = ref.partition(".")
    number = ROMAN[head] if head in ROMAN else ZH_NUMBERS.index(head) if head in ZH_NUMBERS else None
    if number is None:
        raise ValueError(f"not a part reference: {ref!r}")
    text = f"第{zh_number(number)}部分"
    for piece in rest.split(".") if rest else []:
        sub = re.fullmatch(r"\((\d+)\)", piece)
        text += f"（{zh_number(int(sub.group(1)))}）" if sub else f"第{piece}项"
    return text


def _part_en(ref: str) -> str:
    head, _, rest = ref.partition(".")
    if head in ZH_NUMBERS:
        head = str(ZH_NUMBERS.index(head))
    return f"part {head}" + (f", {rest}" if rest else "")


@dataclass(frozen=True)
class Clause:
    document: str  # a key of DOCUMENTS
    ref: str  # the article or section as the document numbers it: "6(3)", "6.2.7.1 a) 1)", "III.(4).1"

    def __post_init__(self) -> None:
        if self.document not in DOCUMENTS:
            raise ValueError(f"unknown document {self.document!r}")
        self.zh  # noqa: B018 - a reference the document's numbering cannot spell fails at import

    @property
    def article_zh(self) -> str:
        """The part cited, in the document's own numbering: 第六条第（三）项."""
        style = DOCUMENTS[self.document].style
        if style == "article":
            return _article_zh(self.ref)
        if style == "part":
            return _part_zh(self.ref)
        section, _, rest = self.ref.partition(" ")
        return f"第{section}条" + (f" {rest}" if rest else "")

    @property
    def article_en(self) -> str:
        style = DOCUMENTS[self.document].style
        return {"article": f"Art. {self.ref}", "section": f"§{self.ref}"}.get(style) or _part_en(self.ref)

    @property
    def document_zh(self) -> str:
        doc = DOCUMENTS[self.document]
        return f"{doc.title_zh}（{doc.source_zh}）"

    @property
    def document_en(self) -> str:
        doc = DOCUMENTS[self.document]
        return f"{doc.title_en} ({doc.source_en})"

    @property
    def zh(self) -> str:
        return self.document_zh + self.article_zh

    @property
    def en(self) -> str:
        return f"{self.document_en} {self.article_en}"

    def stored(self) -> dict:
        """What a finding keeps: the document and reference, both citations whole, and their parts
        (a report lists a document's articles under its title)."""
        return {
            "document": self.document,
            "ref": self.ref,
            "zh": self.zh,
            "en": self.en,
            "document_zh": self.document_zh,
            "document_en": self.document_en,
            "article_zh": self.article_zh,
            "article_en": self.article_en,
        }


def cite(document: str, *refs: str) -> tuple[Clause, ...]:
    return tuple(Clause(document, ref) for ref in refs)
