"""What the live display showed last is held against the final analysis of the same stored data."""


def test_live_findings_that_differ_from_the_final_analysis_are_said(capsys):
    from types import SimpleNamespace

    from monitor.cli_base import _hold_live_against_final

    final = [SimpleNamespace(fingerprint="a"), SimpleNamespace(fingerprint="b")]
    _hold_live_against_final(["a", "b"], final)
    _hold_live_against_final(None, final)  # no live display: nothing to hold against
    assert capsys.readouterr().err == ""
    _hold_live_against_final(["a", "c"], final)
    said = capsys.readouterr().err
    assert "differ from the final analysis: 1 only live, 1 only final" in said
