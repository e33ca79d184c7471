"""privmon performs the scenario itself (`--driver privmon`): it reads the lab app's screen, taps
the notice's button that means what the scenario says, answers permission dialogs, presses Home and
comes back, records every step, and ends `incomplete` with the reason when it cannot."""

import json

import yaml

from monitor.config import Settings
from monitor.storage.queries import StoreReader
from tests.conftest import run_cli

FAST = ("--driver", "privmon", "--use-s", "2", "--background-s", "3", "--notice-s", "8", "--no-keys")
LIVE_DIFFERS = "the findings shown while the app ran differ from the final analysis"


def _run(home, *args):
    """A driven lab run with the live display on: what it showed last is held against the final
    analysis, by privmon itself, in every one of these runs."""
    proc = run_cli(home, "lab", "run", "--json", "--live", *FAST, *args)
    result = json.loads(proc.stdout) if proc.stdout.strip() else None
    assert LIVE_DIFFERS not in proc.stderr, proc.stderr
    return proc, result


def _stored(home, session):
    with StoreReader(Settings.load(home).db_path) as reader:
        steps = [m["payload"] for m in reader.agent_messages(session, ["scenario:step"])]
        consents = reader.consent_events(session)
        flows = reader.flows(session)
        meta = reader.session(session)["meta"]
    return steps, consents, flows, meta


def test_refuse_then_agree_taps_both_notices_and_the_app_goes_on_after_consent(tmp_path):
    # an app profile without declared lists: what the app's own notice and policy say is used
    bare = tmp_path / "bare.yaml"
    bare.write_text(yaml.safe_dump({"package": "com.labapp.shop", "own_domains": ["labshop.cn"]}), "utf-8")
    proc, result = _run(tmp_path, "--scenario", "refuse-then-agree", "--app-profile", str(bare))
    assert proc.returncode == 0, proc.stderr
    assert result["status"] == "completed"
    steps, consents, flows, meta = _stored(tmp_path, result["session"])
    assert meta["driver"] == "privmon" and meta["scenario"] == "refuse-then-agree"
    automatic = [(c["kind"], c["detail"]) for c in consents if c["source"] == "automatic"]
    assert automatic == [("refuse", "privmon tapped '不同意'"), ("consent", "privmon tapped '同意并继续'")]
    taps = [s for s in steps if s["step"] in ("consent", "refuse")]
    assert [s["text"] for s in taps][:2] == ["不同意", "同意并继续"]
    assert all(s["why"] and s["at"] for s in taps)
    assert any(s["step"] == "permission" and s["text"] == "While using the app" for s in steps)
    consent_at = next(c["ts"] for c in consents if c["source"] == "automatic" and c["kind"] == "consent")
    nearby = [f for f in flows if "/stores/nearby" in f["url"]]
    assert nearby and all(f["ts_start"] > consent_at for f in nearby)
    assert steps[-1]["step"] == "end" and steps[-1]["ok"] is True

    # the session page lists the steps, the tapped texts among them
    from fastapi.testclient import TestClient

    from dashboard.app import create_app

    client = TestClient(
        create_app(tmp_path / "privmon.sqlite3", "t"),
        base_url="http://127.0.0.1",
        headers={"Authorization": "Bearer t"},
    )
    api = client.get(f"/api/sessions/{result['session']}").json()
    assert api["driver"] == "privmon" and [s["text"] for s in api["scenario_steps"] if s["step"] == "refuse"]
    assert "同意并继续" in client.get(f"/sessions/{result['session']}").text

    # privmon opened the notice's policy link once; the notice and the page it loaded were read
    assert [s["text"] for s in steps if s["step"] == "policy"] == ["《隐私政策》"]
    declared = json.loads(run_cli(tmp_path, "policy", result["session"], "--json").stdout)
    assert {s["kind"] for s in declared["sources"]} == {"notice", "page"}
    assert {"device_id", "location", "network_info"} <= set(declared["collected"])
    assert "contacts" not in declared["collected"]  # named only in the page's script
    assert {"Umeng", "JPush"} <= set(declared["shared"]) and declared["used"] is True
    # everything the app read and shared was declared: the rule judged, and found nothing
    assert "COLLECTION_BEYOND_DECLARED" not in {f["rule_id"] for f in result["findings"]}
    corrected = tmp_path / "corrected.yaml"
    assert run_cli(tmp_path, "policy", result["session"], "--profile-out", str(corrected)).returncode == 0
    profile = yaml.safe_load(corrected.read_text(encoding="utf-8"))
    profile["declared_shared"] = ["JPush"]  # the tester corrects the list: Umeng not declared
    corrected.write_text(yaml.safe_dump(profile, allow_unicode=True), encoding="utf-8")
    again = run_cli(tmp_path, "analyze", result["session"], "--app-profile", str(corrected))
    assert again.returncode == 0, again.stderr
    findings = json.loads(run_cli(tmp_path, "findings", result["session"], "--json").stdout)
    assert any(f["rule_id"] == "COLLECTION_BEYOND_DECLARED" and f["sdk"] == "Umeng" for f in findings)


def test_a_notice_whose_buttons_no_vocabulary_knows_ends_incomplete_until_the_profile_says(tmp_path):
    odd = ("--lab-prop", "agreeText=好的呀", "--lab-prop", "refuseText=算了吧")
    proc, result = _run(tmp_path, *odd)
    assert proc.returncode == 8, proc.stderr
    assert "incomplete" in proc.stderr and "'好的呀'" in proc.stderr and "agree_texts" in proc.stderr
    assert result["status"] == "incomplete"
    sessions = json.loads(run_cli(tmp_path, "sessions", "--json").stdout)
    assert sessions[0]["status"] == "incomplete" and "no button that means agree" in sessions[0]["end_reason"]
    assert result["counts"]["hook_events"] > 0  # what was captured is kept and analysed

    profile = tmp_path / "shop.yaml"
    profile.write_text(yaml.safe_dump({"package": "com.labapp.shop", "agree_texts": ["好的呀"]}), "utf-8")
    proc, result = _run(tmp_path, *odd, "--app-profile", str(profile))
    assert proc.returncode == 0, proc.stderr
    _steps, consents, _flows, _meta = _stored(tmp_path, result["session"])
    assert ("consent", "privmon tapped '好的呀'") in [(c["kind"], c["detail"]) for c in consents]


def test_permissions_deny_answers_every_permission_dialog_no(tmp_path):
    proc, result = _run(
        tmp_path, "--app", "rules", "--lab-prop", "variant=violations", "--scenario", "permissions-deny"
    )
    assert proc.returncode == 0, proc.stderr
    steps, _consents, _flows, _meta = _stored(tmp_path, result["session"])
    answers = [s["text"] for s in steps if s["step"] == "permission"]
    assert answers and set(answers) == {"Don’t allow"}
    # the app asks again for what was denied: privmon's answers made the rule's case
    assert "REPEATED_PERMISSION_REQUEST" in {f["rule_id"] for f in result["findings"]}


def test_background_presses_home_waits_and_brings_the_app_back(tmp_path):
    proc, result = _run(
        tmp_path, "--app", "rules", "--lab-prop", "variant=violations", "--scenario", "background"
    )
    assert proc.returncode == 0, proc.stderr
    steps, _consents, _flows, _meta = _stored(tmp_path, result["session"])
    order = [s["step"] for s in steps if s["step"] in ("consent", "home", "away", "launch", "end")]
    assert order == ["consent", "home", "away", "launch", "end"]
    assert "BACKGROUND_COLLECTION" in {f["rule_id"] for f in result["findings"]}


def test_revisit_ends_the_app_and_launches_it_again_under_the_agent_which_remembers_the_answer(tmp_path):
    proc, result = _run(tmp_path, "--scenario", "revisit")
    assert proc.returncode == 0, proc.stderr
    assert result["status"] == "completed", result["reason"]
    steps, consents, flows, _meta = _stored(tmp_path, result["session"])
    order = [s["step"] for s in steps if s["step"] in ("consent", "close", "launch", "end")]
    assert order == ["consent", "close", "launch", "end"]
    # the answer was kept by the app: its second launch does not ask again
    assert [c["kind"] for c in consents if c["source"] == "automatic"] == ["consent"]
    with StoreReader(Settings.load(tmp_path).db_path) as reader:
        installs = [m["payload"]["pid"] for m in reader.agent_messages(result["session"], ["hooks:install"])]
        stdout = [m["payload"] for m in reader.agent_messages(result["session"], ["app:stdout"])]
        findings = reader.findings(result["session"])
    assert len(set(installs)) == 2, "each launch is its own process, hooked before it runs"
    assert any("agreed to on an earlier launch" in line for line in stdout)
    consent_at = next(c["ts"] for c in consents if c["source"] == "automatic")
    nearby = [f for f in flows if "/stores/nearby" in f["url"]]
    assert len(nearby) == 2 and all(f["ts_start"] > consent_at for f in nearby)  # one per launch
    # what the second launch did after the earlier consent is no finding
    preconsent = [f for f in findings if f["rule_id"].startswith("PRECONSENT")]
    assert preconsent and all(f["ts"] < consent_at for f in preconsent)


def test_revisit_of_an_app_that_asks_again_answers_the_same_and_says_it_came_back(tmp_path):
    proc, result = _run(tmp_path, "--app", "rules", "--scenario", "revisit")
    assert proc.returncode == 0, proc.stderr
    assert result["status"] == "completed", result["reason"]
    steps, consents, _flows, _meta = _stored(tmp_path, result["session"])
    assert [c["kind"] for c in consents if c["source"] == "automatic"] == ["consent", "consent"]
    again = [s for s in steps if s["step"] == "consent"][1]
    assert again["text"] == "同意" and "came back on launch 2" in again["why"]
