import pytest

from monitor.consent import classify_click


@pytest.mark.parametrize("text", ["同意", " 同意并继续 ", "Agree", "ACCEPT", "我同意", "I agree."])
def test_agree_words(text):
    assert classify_click(text) == "consent"


@pytest.mark.parametrize("text", ["不同意", "拒绝", "暂不同意", "Disagree", "Decline", "Reject all"])
def test_refuse_words(text):
    assert classify_click(text) == "refuse"


@pytest.mark.parametrize("text", [None, "", "下一步", "《隐私政策》", "同意即代表您已阅读"])
def test_other_texts_are_not_consent(text):
    assert classify_click(text) is None
