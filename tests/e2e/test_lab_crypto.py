"""The crypto lab app (lab/apps/crypto): SDKs that encrypt, hash or encode identifiers before
sending them. Each upload gives its transmission finding with the chain that made it, blamed on
the SDK whose call did the encryption; a ciphertext holding no watched value gives none."""

import json

import pytest
from fastapi.testclient import TestClient

from dashboard.app import create_app
from monitor.config import Settings
from monitor.storage.queries import StoreReader
from tests.conftest import run_cli

EXPECTED = {
    ("alog.umeng.com", "imei", "json › AES/CBC/PKCS5Padding › base64"),
    ("alog.umeng.com", "android_id", "json › AES/CBC/PKCS5Padding › base64"),
    ("sdk.open.getui.com", "imsi", "json › AES/GCM/NoPadding"),
    ("android.bugly.qq.com", "imei", "json › gzip › AES/ECB/PKCS5Padding"),
    ("android.bugly.qq.com", "mac_address", "json › gzip › AES/ECB/PKCS5Padding"),
    ("hmma.baidu.com", "android_id", "MD5"),
    ("register.xmpush.xiaomi.com", "imei", "json › AES/CBC/PKCS5Padding › custom-base64"),
    ("register.xmpush.xiaomi.com", "imei", "custom-base64"),
}
ENCRYPTED_BY = {
    "alog.umeng.com": ("Umeng", "com.umeng.analytics.lab.SealedLog.upload"),
    "sdk.open.getui.com": ("Getui", "com.igexin.lab.WrappedKeyChannel.register"),
    "android.bugly.qq.com": ("Tencent Bugly", "com.tencent.bugly.lab.PackedReport.send"),
    "hmma.baidu.com": ("Baidu Mobile Statistics", "com.baidu.mobstat.lab.SaltedId.report"),
    "register.xmpush.xiaomi.com": ("Xiaomi Push", "com.xiaomi.push.lab.ShuffledToken.hello"),
}


@pytest.fixture(scope="module")
def crypto_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("crypto-lab-home")
    proc = run_cli(home, "lab", "run", "--app", "crypto", "--json", "--no-keys")
    assert proc.returncode == 0, proc.stderr
    return home, json.loads(proc.stdout)


@pytest.fixture(scope="module")
def crypto_run(crypto_home):
    home, run = crypto_home
    with StoreReader(Settings(home=home).db_path) as reader:
        matches = reader.pi_matches(run["session"])
        flows = reader.flow_summaries(run["session"])
    return run, matches, flows


def transmissions(run):
    return [f for f in run["findings"] if f["rule_id"] == "PRECONSENT_TRANSMISSION"]


def test_each_encrypted_upload_gives_its_finding_with_its_chain(crypto_run):
    run, _, _ = crypto_run
    assert {(f["host"], f["pi_type"], f["encoding"]) for f in transmissions(run)} == EXPECTED


def test_the_finding_blames_the_sdk_whose_call_encrypted_and_cites_its_stack(crypto_run):
    run, _, _ = crypto_run
    for f in transmissions(run):
        derived = f["evidence"]["derived"]
        if f["encoding"] == "custom-base64":  # the IMEI itself in the app's own alphabet: no call made it
            assert derived is None
            assert f["evidence"]["pi_match_locations"] == ["url › query:d › custom-base64"]
            continue
        sdk, frame = ENCRYPTED_BY[f["host"]]
        assert derived["by"]["sdk"] == sdk
        assert any(frame in line for line in derived["stack"]), derived["stack"]
        assert derived["chain"] == f"{f['pi_type']} › {f['encoding']}"
        verb = "hashed" if f["host"] == "hmma.baidu.com" else "encrypted"
        assert f"The {sdk} SDK {verb} the " in f["explanation"]
        assert f"{verb} with {derived['algorithm']}" in f["title"]


def test_a_ciphertext_without_personal_information_gives_no_finding(crypto_run):
    run, matches, flows = crypto_run
    beacon = [fl["id"] for fl in flows if fl["host"] == "sdk.sensorsdata.cn"]
    assert beacon, "the lab's opaque beacon was not captured"
    assert not [m for m in matches if m["flow_id"] in beacon]
    assert not [f for f in run["findings"] if f.get("host") == "sdk.sensorsdata.cn"]


def test_matches_store_the_chain_and_the_call_whose_output_was_sent(crypto_run):
    _, matches, _ = crypto_run
    derived = [m for m in matches if m["chain"]]
    assert derived and all(m["derived_from"] for m in derived if m["encoding"] != "custom-base64")
    gzip = next(m for m in derived if "gzip" in m["encoding"])
    steps = [s["step"] for s in gzip["chain"]]
    assert steps[:3] in (["imei", "json", "gzip"], ["mac_address", "json", "gzip"])
    compressed = next(s for s in gzip["chain"] if s["step"] == "gzip")
    assert compressed["hook_event_id"] is not None  # the GZIPOutputStream that was given the JSON
    assert gzip["location"] == "body › AES/ECB/PKCS5Padding › gzip › json"


def test_the_finding_page_shows_the_chain_and_the_encrypting_call(crypto_home):
    home, run = crypto_home
    finding = next(f for f in transmissions(run) if f["host"] == "android.bugly.qq.com")
    client = TestClient(create_app(Settings(home=home).db_path, "t0ken"), base_url="http://127.0.0.1")
    page = client.get(f"/sessions/{run['session']}/findings/{finding['fingerprint']}?token=t0ken").text
    assert "imei › json › gzip › AES/ECB/PKCS5Padding" in page or "mac_address › json › gzip" in page
    assert "javax.crypto.Cipher.doFinal" in page and "java.util.zip.GZIPOutputStream.write" in page
    assert 'class="deciding" title="the attributing frame">com.tencent.bugly.lab.PackedReport.send' in page
