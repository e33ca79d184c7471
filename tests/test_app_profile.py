import pytest

from monitor.app_profile import PROFILES_DIR, AppProfileError, load_app_profile, profile_for_package


def test_every_shipped_app_profile_loads():
    files = sorted(PROFILES_DIR.glob("*.yaml"))
    assert files
    for path in files:
        profile = load_app_profile(path)
        assert profile.package and profile.jurisdiction.isalpha()


def test_profile_is_found_by_package_and_defaults_otherwise():
    assert profile_for_package("com.labapp.shop").own_domains == ["labshop.cn"]
    bare = profile_for_package("com.unknown.app")
    assert bare.own_domains == [] and bare.declared_collected is None and bare.children is False


@pytest.mark.parametrize(
    "text, message",
    [
        ("name: x\n", "at least a 'package'"),
        ("package: a.b\ncolour: red\n", "unknown fields"),
        ("package: a.b\nrules: {NOT_A_RULE: {}}\n", "no rule 'NOT_A_RULE'"),
        ("package: a.b\nrules: {POST_REFUSAL: {grace: 5}}\n", "has no parameters \\['grace'\\]"),
        ("package: a.b\njurisdiction: China\n", "two-letter"),
        ("package: a.b\ndeclared_shared: Umeng\n", "list of names"),
        ("package: [unclosed\n", "not valid YAML"),
    ],
)
def test_bad_profiles_are_refused_with_the_file_name(tmp_path, text, message):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AppProfileError, match=message) as info:
        load_app_profile(path)
    assert "bad.yaml" in str(info.value)


def test_missing_profile_names_where_it_looked():
    with pytest.raises(AppProfileError, match="no app profile 'nope'"):
        load_app_profile("nope")
