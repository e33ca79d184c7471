"""The rule lab (lab/apps/rules) in its scenarios: every rule of CLAUSES.md has a lab run that
fires it and runs that must not, and each run produces the expected findings and nothing else."""

import json

import pytest

from monitor.analysis.rule_catalogue import RULES
from monitor.config import Settings
from monitor.storage.queries import StoreReader
from tests.conftest import REPO, run_cli

AGREE_VIOLATIONS = {
    "PRECONSENT_COLLECTION",
    "PRECONSENT_TRANSMISSION",
    "SDK_PRECONSENT",
    "THIRD_PARTY_SHARING",
    "PERMISSION_BUNDLING",
    "REFLECTIVE_ACCESS",
    "SENSITIVE_WITHOUT_SEPARATE_CONSENT",
    "PLAINTEXT_LOCAL_STORAGE",
    "CLEARTEXT_TRANSMISSION",
    "CROSS_BORDER_TRANSFER",
    "SELF_OR_ASSOCIATED_START",
    "EXCESSIVE_FREQUENCY",
    "REPEATED_PERMISSION_REQUEST",
    "COLLECTION_BEYOND_DECLARED",
}
BEFORE_NOTICE = {
    "PRECONSENT_COLLECTION",
    "PRECONSENT_TRANSMISSION",
    "SDK_PRECONSENT",
    "THIRD_PARTY_SHARING",
    "PERMISSION_BUNDLING",
    "COLLECTION_BEYOND_DECLARED",
}
EXPECTED = {
    ("violations", "agree", None): AGREE_VIOLATIONS,
    ("violations", "refuse", None): BEFORE_NOTICE | {"POST_REFUSAL", "FORCED_EXIT_AFTER_REFUSAL"},
    ("violations", "background", None): AGREE_VIOLATIONS | {"BACKGROUND_COLLECTION"},
    ("silent", "agree", None): {
        "NO_NOTICE_AT_FIRST_RUN",
        "PRECONSENT_COLLECTION",
        "SDK_PRECONSENT",
        "COLLECTION_BEYOND_DECLARED",
    },
    ("clean", "agree", None): set(),
    ("clean", "refuse", None): set(),
    ("clean", "background", None): set(),
    ("clean", "agree", "kids"): {"CHILD_DATA_WITHOUT_GUARDIAN_CONSENT"},
}


@pytest.fixture(scope="session")
def rule_runs(tmp_path_factory):
    home = tmp_path_factory.mktemp("rule-lab-home")
    runs = {}
    for variant, scenario, profile in EXPECTED:
        args = [
            "lab",
            "run",
            "--app",
            "rules",
            "--json",
            "--no-keys",
            "--consent-delay-ms",
            "500",
            "--scenario",
            scenario,
            "--lab-prop",
            f"variant={variant}",
        ]
        if profile:
            args += ["--app-profile", str(REPO / "tests" / "data" / "labrules-kids.yaml")]
        proc = run_cli(home, *args)
        assert proc.returncode == 0, proc.stderr
        runs[(variant, scenario, profile)] = json.loads(proc.stdout)
    return home, runs


@pytest.mark.parametrize("key", list(EXPECTED), ids=lambda k: "-".join(x for x in k if x))
def test_each_scenario_gives_the_expected_findings_and_nothing_else(rule_runs, key):
    _home, runs = rule_runs
    findings = runs[key]["findings"]
    assert {f["rule_id"] for f in findings} == EXPECTED[key]
    for f in findings:  # each finding explains itself in both languages and cites its rule's clauses
        assert f["title"] and f["title_zh"] and f["explanation"] and f["explanation_zh"]
        cited = [c.stored() for c in RULES[f["rule_id"]].clauses]
        assert f["clauses"][: len(cited)] == cited
        assert f["evidence"]["scenario"] == key[1]


def test_every_rule_has_a_lab_case_that_fires_and_runs_where_it_must_not():
    fired = set().union(*EXPECTED.values())
    assert fired == set(RULES)
    for rule in RULES:
        assert any(rule not in expected for expected in EXPECTED.values()), rule


def test_refusal_scenario_evidence(rule_runs):
    _home, runs = rule_runs
    findings = runs[("violations", "refuse", None)]["findings"]
    post = next(f for f in findings if f["rule_id"] == "POST_REFUSAL")
    assert post["sdk"] == "Getui" and post["evidence"]["after_refusal_ms"] > 1000
    exit_ = next(f for f in findings if f["rule_id"] == "FORCED_EXIT_AFTER_REFUSAL")
    assert (
        exit_["evidence"]["exit_api"] == "android.app.Activity.finish"
        and exit_["evidence"]["after_refusal_ms"] < 10_000
    )


def test_scenario_and_profile_are_recorded_and_reanalysis_keeps_reviews(rule_runs):
    home, runs = rule_runs
    sid = runs[("violations", "agree", None)]["session"]
    with StoreReader(Settings.load(home).db_path) as reader:
        meta = reader.session(sid)["meta"]
    assert meta["scenario"] == "agree" and meta["app_profile"]["own_domains"] == ["labrules.cn"]
    cross = next(
        f for f in runs[("violations", "agree", None)]["findings"] if f["rule_id"] == "CROSS_BORDER_TRANSFER"
    )
    assert (
        run_cli(
            home,
            "review",
            sid,
            cross["fingerprint"][:8],
            "dismiss",
            "--note",
            "test server",
            "--reviewer",
            "han.meimei",
        ).returncode
        == 0
    )
    assert (
        run_cli(home, "review", sid, cross["fingerprint"], "confirm", "--reviewer", "li.lei").returncode == 0
    )
    before = json.loads(run_cli(home, "findings", sid, "--json").stdout)
    assert run_cli(home, "analyze", sid).returncode == 0
    after = json.loads(run_cli(home, "findings", sid, "--json").stdout)
    strip = lambda rows: [{k: v for k, v in f.items() if k != "id"} for f in rows]  # noqa: E731
    assert strip(before) == strip(after)
    review = next(f for f in after if f["fingerprint"] == cross["fingerprint"])["review"]
    assert review["state"] == "confirm" and [h["decision"] for h in review["history"]] == [
        "dismiss",
        "confirm",
    ]
    bad = run_cli(home, "review", sid, "nope", "confirm", "--reviewer", "x")
    assert bad.returncode == 2 and "no finding" in bad.stderr and "Traceback" not in bad.stderr


def test_diff_between_scenarios_and_fail_on(rule_runs):
    home, runs = rule_runs
    agree = runs[("violations", "agree", None)]["session"]
    background = runs[("violations", "background", None)]["session"]
    diff = json.loads(run_cli(home, "diff", agree, background, "--json").stdout)
    assert {f["rule_id"] for f in diff["new"]} == {"BACKGROUND_COLLECTION"} and diff["gone"] == []
    assert len(diff["unchanged"]) == len(runs[("violations", "agree", None)]["findings"])
    clean = runs[("clean", "agree", None)]["session"]
    assert run_cli(home, "findings", clean, "--fail-on", "low").returncode == 0
    assert run_cli(home, "findings", agree, "--fail-on", "critical").returncode == 1
    silent = runs[("silent", "agree", None)]["session"]
    assert run_cli(home, "findings", silent, "--fail-on", "critical").returncode == 0  # its worst is high
    assert run_cli(home, "findings", silent, "--fail-on", "high").returncode == 1
    assert run_cli(home, "findings", silent, "--fail-on", "severe").returncode == 2


def test_only_the_traffic_rules_wait_for_the_traffic_matching(rule_runs, monkeypatch):
    """Rules outside TRAFFIC_RULES run while the traffic is still being matched: none may read it."""
    from monitor.analysis import rules
    from monitor.analysis.analyze import analyze_session

    home, runs = rule_runs
    read_matches = set()

    def watched(rule_id, check):
        def run(ctx):
            before = "matches" in vars(ctx)
            out = check(ctx)
            if not before and "matches" in vars(ctx):
                read_matches.add(rule_id)
            return out

        return run

    monkeypatch.setattr(
        rules, "CHECKS", {rule_id: watched(rule_id, check) for rule_id, check in rules.CHECKS.items()}
    )
    with StoreReader(Settings.load(home).db_path) as reader:
        for run in runs.values():
            analyze_session(reader, run["session"])
    assert read_matches and read_matches <= rules.TRAFFIC_RULES
