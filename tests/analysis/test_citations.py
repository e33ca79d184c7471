"""Citations as a reader knows them: the document's full title, issuer and date, then the article
or section in the document's own numbering, in Chinese and in English."""

import pytest

from monitor.analysis.citations import Clause, zh_number
from monitor.analysis.rule_catalogue import RULES
from monitor.clauses import clause_text, clauses_text


@pytest.mark.parametrize(
    ("n", "zh"),
    [(1, "一"), (6, "六"), (10, "十"), (13, "十三"), (20, "二十"), (21, "二十一"), (99, "九十九")],
)
def test_chinese_numerals(n, zh):
    assert zh_number(n) == zh


@pytest.mark.parametrize(
    ("document", "ref", "zh_end", "en_end"),
    [
        ("APP", "6(3)", "）第六条第（三）项", ") Art. 6(3)"),
        ("APP", "7", "）第七条", ") Art. 7"),
        (
            "CHILD",
            "13",
            "国家互联网信息办公室令第4号，2019-08）第十三条",
            "(CAC Order No. 4, 2019-08) Art. 13",
        ),
        ("CLAST", "6.2.7.1 a) 1)", "（中国科学技术法学会，2021-04）第6.2.7.1条 a) 1)", "§6.2.7.1 a) 1)"),
        ("TAOBAO", "III.(4).1", "（淘宝开放平台，2021-12）第三部分（四）第1项", "part III, (4).1"),
        ("ECOM", "三.4", "《电商平台客户信息保护制度》（电商平台，未注明日期）第三部分第4项", "part 3, 4"),
    ],
)
def test_each_citation_names_the_document_issuer_date_and_article(document, ref, zh_end, en_end):
    clause = Clause(document, ref)
    assert clause.zh.endswith(zh_end) and clause.en.endswith(en_end)
    assert clause.zh.startswith(("《", "T/CLAST", "淘宝"))
    stored = clause.stored()
    assert (clause_text(stored, "zh"), clause_text(stored, "en")) == (clause.zh, clause.en)


def test_no_rule_cites_an_internal_code():
    for rule in RULES.values():
        for clause in rule.clauses:
            for text in (clause.zh, clause.en):
                assert "cac-" not in text and "clast-" not in text and "APP " not in text


def test_a_reference_the_documents_numbering_cannot_spell_is_refused():
    with pytest.raises(ValueError):
        Clause("APP", "6.2.1")
    with pytest.raises(ValueError):
        Clause("NOPE", "1")


def test_findings_stored_before_whole_citations_still_read():
    assert clauses_text(["cac-app-pi-provisions-draft-2021 Art. 6(3)"], "zh") == (
        "cac-app-pi-provisions-draft-2021 Art. 6(3)"
    )
