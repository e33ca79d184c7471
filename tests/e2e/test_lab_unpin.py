"""--unpin: an app that pins sends nothing through the proxy; with the module it does."""

import json

from monitor.config import Settings
from monitor.storage.queries import StoreReader
from tests.conftest import run_cli

URLS = {
    "https://api.labshop.cn/v1/profile",
    "https://ulogs.umeng.com/unify_logs",
    "https://api.labshop.cn/v1/orders",
    "https://m.labshop.cn/index.html",
}


def _run(home, *extra):
    proc = run_cli(home, "lab", "run", "--app", "pinned", "--json", "--no-keys", *extra)
    assert proc.returncode == 0, proc.stderr
    session = json.loads(proc.stdout)["session"]
    with StoreReader(Settings.load(home).db_path) as reader:
        return reader.flows(session), reader.agent_messages(session), proc.stderr, reader.blind_spots(session)


def test_pinned_app_sends_nothing_without_unpin(tmp_path):
    flows, messages, _, blind = _run(tmp_path / "home")
    assert flows == []
    # the system-trust client refused the proxy's certificate: a blind spot with its host
    assert [(b["host"], b["port"]) for b in blind] == [("config.labshop.cn", 443)]
    assert blind[0]["server_ip"] is None  # the lab proxy connects upstream lazily: no server was contacted
    assert "certificate" in blind[0]["reason"].lower() or "alert" in blind[0]["reason"].lower()
    refused = [m["payload"] for m in messages if m["type"] == "app:stdout" and "refused" in m["payload"]]
    assert len(refused) == 5


def test_unpin_bypasses_okhttp_conscrypt_network_config_and_webview(tmp_path):
    flows, messages, stderr, _ = _run(tmp_path / "home", "--unpin")
    assert {f["url"] for f in flows} == URLS
    report = next(m["payload"] for m in messages if m["type"] == "hooks:unpin")
    states = {r["id"]: r["state"] for r in report["results"]}
    assert states["okhttp3.CertificatePinner.check"] == "installed"
    assert (
        states["okhttp3.CertificatePinner.check$okhttp"] == "not_installed"
    )  # OkHttp 4's name; the lab has OkHttp 3's
    assert all(
        states[k] == "installed"
        for k in (
            "conscrypt.TrustManagerImpl.verifyChain",
            "network_security_config.checkPins",
            "webview.onReceivedSslError",
        )
    )
    bypassed = {m["payload"]["id"] for m in messages if m["type"] == "unpin:bypassed"}
    assert {
        "okhttp3.CertificatePinner.check",
        "conscrypt.TrustManagerImpl.verifyChain",
        "network_security_config.checkPins",
        "webview.onReceivedSslError",
    } <= bypassed
    assert "TLS unpinning" in stderr
