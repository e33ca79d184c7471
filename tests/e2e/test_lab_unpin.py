"""--unpin: an app that pins sends nothing through the proxy; with the module it does. Its SDK's
native program pins too: without --unpin what it sends is read at SSL_write (tls-plaintext); with
it, the check in OpenSSL's verify callback is replaced and the proxy intercepts the connection,
while a pin compared after the handshake (no callback to replace) is still read in plaintext."""

import json

from monitor.config import Settings
from monitor.storage.queries import StoreReader
from tests.conftest import run_cli

NATIVE_GUARD = "https://guard.tenddata-sdk.cn/v2/guard"  # pinned in the verify callback
NATIVE_LATE = "https://guard.tenddata-sdk.cn/v2/late"  # pinned by a comparison after the handshake
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


def _paths(flows):
    return {f["url"]: f["capture_path"] for f in flows}


def test_pinned_app_sends_nothing_through_the_proxy_without_unpin(tmp_path):
    flows, messages, _, blind = _run(tmp_path / "home")
    # only the native program's requests, read at the TLS library: the proxy could not intercept
    assert _paths(flows) == {NATIVE_GUARD: "tls-plaintext", NATIVE_LATE: "tls-plaintext"}
    assert all(b"fp=LAB" in f["request_body"] for f in flows)  # the lab phone's serial
    # the system-trust client refused the proxy's certificate: a blind spot with its host
    assert [(b["host"], b["port"]) for b in blind] == [("config.labshop.cn", 443)]
    assert blind[0]["server_ip"] is None  # the lab proxy connects upstream lazily: no server was contacted
    assert "certificate" in blind[0]["reason"].lower() or "alert" in blind[0]["reason"].lower()
    refused = [m["payload"] for m in messages if m["type"] == "app:stdout" and "refused" in m["payload"]]
    assert len(refused) == 5


def test_unpin_bypasses_okhttp_conscrypt_network_config_webview_and_native_verify(tmp_path):
    flows, messages, stderr, _ = _run(tmp_path / "home", "--unpin")
    paths = _paths(flows)
    assert set(paths) == URLS | {NATIVE_GUARD, NATIVE_LATE}
    # the verify callback replaced: mitmproxy intercepted it (its certificate, not the pinned one)
    assert paths[NATIVE_GUARD] == "redirected"
    # nothing to replace: passed through and read in plaintext, the app's own pin check satisfied
    assert paths[NATIVE_LATE] == "tls-plaintext"
    stdout = [m["payload"] for m in messages if m["type"] == "app:stdout"]
    assert sum("native guard: guard: HTTP/1.1 200" in line for line in stdout) == 2
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
    libssl = [
        r
        for m in messages
        if m["type"] == "hooks:install"
        for r in m["payload"]["results"]
        if r["id"].startswith("unpin.libssl")
    ]
    assert len(libssl) == 2  # one per native program started
    assert all(r["state"] == "installed" and "SSL_CTX_set_verify" in r["reason"] for r in libssl)
    bypassed = {m["payload"]["id"] for m in messages if m["type"] == "unpin:bypassed"}
    assert {
        "native.SSL_CTX_set_verify",
        "okhttp3.CertificatePinner.check",
        "conscrypt.TrustManagerImpl.verifyChain",
        "network_security_config.checkPins",
        "webview.onReceivedSslError",
    } <= bypassed
    assert "TLS unpinning" in stderr
