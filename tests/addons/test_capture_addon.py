import signal
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

import httpx
from mitmproxy.test import taddons, tflow

from addons.flow_convert import flow_to_record
from addons.lab_router import LabRouter
from addons.privmon_capture import PrivmonCapture
from monitor.config import Settings
from monitor.lab.build import load_lab_dns
from monitor.storage.queries import StoreReader
from tests.conftest import free_port

REPO = Path(__file__).resolve().parents[2]


class _ListWriter:
    def __init__(self):
        self.records = []

    def submit(self, record):
        self.records.append(record)


def test_flow_to_record_keeps_request_response_and_caps_bodies():
    flow = tflow.tflow(resp=True)
    flow.request.content = b"x" * 100
    record = flow_to_record(flow, "s1", body_cap=10)
    assert record.request_body == b"x" * 10
    assert record.request_body_size == 100 and record.request_body_truncated is True
    assert record.status_code == 200 and record.response_body_truncated is False
    assert record.url == flow.request.pretty_url and record.method == "GET"


def _expected(flow, cap):
    """The record's fields straight from mitmproxy's properties (the capture is built from its state)."""
    req, resp = flow.request, flow.response
    body = req.raw_content or b""
    out = {
        "method": req.method,
        "scheme": req.scheme,
        "host": req.pretty_host,
        "port": req.port,
        "url": req.pretty_url,
        "http_version": req.http_version,
        "request_headers": [[k, v] for k, v in req.headers.items(multi=True)],
        "request_body": body[:cap],
        "request_body_size": len(body),
        "request_body_truncated": len(body) > cap,
        "ts_start": int(req.timestamp_start * 1_000_000),
        "tls": req.scheme == "https",
        "error": flow.error.msg if flow.error else None,
    }
    if resp is not None:
        rbody = resp.raw_content or b""
        out.update(
            status_code=resp.status_code,
            response_headers=[[k, v] for k, v in resp.headers.items(multi=True)],
            response_body=rbody[:cap],
            response_body_size=len(rbody),
            response_body_truncated=len(rbody) > cap,
            ts_end=int(resp.timestamp_end * 1_000_000),
        )
    return out


def test_a_capture_builds_the_record_mitmproxy_describes_also_after_pickling():
    import pickle

    from addons.flow_convert import capture_flow

    h2 = tflow.tflow(resp=True)
    h2.request.http_version, h2.request.authority = "HTTP/2.0", "api.example.cn:8443"
    h2.request.content, h2.response.content = b"a" * 300, b"b" * 300
    reverse = tflow.tflow(resp=True)
    reverse.request.headers["Host"] = "ulogs.umeng.com"
    reverse.request.headers.add("X-Dup", "1")
    reverse.request.headers.add("X-Dup", "2")
    v6 = tflow.tflow(resp=True)
    v6.request.host, v6.request.scheme, v6.request.port = "::1", "https", 443
    v6.request.headers["User-Agent"] = "okhttp/4 \u6d4b\u8bd5"
    for flow in (h2, reverse, v6, tflow.tflow(err=True), tflow.tflow()):
        capture = capture_flow(flow, "s1", body_cap=100)
        for record in (capture.to_record(), pickle.loads(pickle.dumps(capture)).to_record()):
            assert {k: getattr(record, k) for k in _expected(flow, 100)} == _expected(flow, 100)
            assert record.id == flow.id and record.session_id == "s1"
    assert (
        capture_flow(h2, "s1", body_cap=100).request["content"] == b"a" * 100
    )  # cut before it crosses processes


def test_error_flows_are_stored_with_their_error():
    flow = tflow.tflow(err=True)
    record = flow_to_record(flow, "s1")
    assert record.error and record.status_code is None


def test_capture_records_what_the_app_sent_before_the_lab_router_rewrites_it():
    writer = _ListWriter()
    capture = PrivmonCapture(writer=writer, session_id="s1")
    router = LabRouter(SimpleNamespace(host="127.0.0.1", port=9, stream_port=10, tls_port=11), load_lab_dns())
    with taddons.context(capture, router) as tctx:
        tctx.configure(capture, privmon_body_cap=1000)
        flow = tflow.tflow(resp=True)
        flow.request.scheme, flow.request.host, flow.request.port = "https", "ulogs.umeng.com", 443
        flow.request.headers["Host"] = "ulogs.umeng.com"
        router.request(flow)
        assert flow.request.host == "127.0.0.1"
        capture.response(flow)
        capture.response(flow)  # stored once
    assert len(writer.records) == 1
    record = writer.records[0]
    assert record.host == "ulogs.umeng.com" and record.scheme == "https" and record.tls is True
    assert record.url.startswith("https://ulogs.umeng.com")
    assert ["Host", "ulogs.umeng.com"] in record.request_headers
    # routed: the address the lab's DNS says the host stands for, not the collector's
    assert record.server_ip == "106.11.84.3"


class _Upstream(BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(201)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *a):
        pass


def _mitmdump_session(tmp_path, request, *extra: str) -> list[dict]:
    """Runs the addon standalone under mitmdump, makes `request(client)` through it, returns the
    one session's flows."""
    port = free_port()
    home = tmp_path / "home"
    mitmdump = Path(sys.executable).with_name("mitmdump")
    proc = subprocess.Popen(
        [
            str(mitmdump),
            "-q",
            "--listen-host",
            "127.0.0.1",
            "--listen-port",
            str(port),
            "-s",
            str(REPO / "addons" / "privmon_capture.py"),
            "--set",
            f"privmon_home={home}",
            "--set",
            "privmon_app=com.example.app",
            "--set",
            "confdir=" + str(tmp_path / "conf"),
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert proc.poll() is None, proc.stderr.read()
                assert time.monotonic() < deadline, "mitmdump did not start"
                time.sleep(0.1)
        with httpx.Client(proxy=f"http://127.0.0.1:{port}", verify=False) as client:
            request(client)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(30)
    with StoreReader(Settings.load(home).db_path) as reader:
        sessions = reader.sessions()
        assert [(s["target"], s["app"], s["status"]) for s in sessions] == [
            ("mitmdump", "com.example.app", "completed")
        ]
        return reader.flows(sessions[0]["id"])


def test_addon_runs_standalone_under_mitmdump(tmp_path):
    upstream = ThreadingHTTPServer(("127.0.0.1", 0), _Upstream)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()

    def post(client):
        r = client.post(
            f"http://127.0.0.1:{upstream.server_address[1]}/collect", content=b"imei=864273052471596"
        )
        assert r.status_code == 201

    try:
        flows = _mitmdump_session(tmp_path, post)
    finally:
        upstream.shutdown()
    assert len(flows) == 1
    assert flows[0]["request_body"] == b"imei=864273052471596" and flows[0]["status_code"] == 201
    assert flows[0]["server_ip"] == "127.0.0.1"
    assert flows[0]["server_org"] is None  # plain HTTP: no certificate


def _organisation_certificate(folder: Path) -> tuple[Path, Path]:
    """A server certificate for 127.0.0.1 that names its organisation, as OV certificates do."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Beijing Example Data Technology Co., Ltd."),
            x509.NameAttribute(NameOID.COMMON_NAME, "collect.example-data.cn"),
        ]
    )
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "server.pem", folder / "server.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


def test_the_organisation_in_the_servers_certificate_is_kept_and_names_an_unknown_receiver(tmp_path):
    import ssl

    from monitor.analysis.party import describe_receiver

    cert, key = _organisation_certificate(tmp_path)
    upstream = ThreadingHTTPServer(("127.0.0.1", 0), _Upstream)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    upstream.socket = context.wrap_socket(upstream.socket, server_side=True)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()

    def post(client):
        r = client.post(f"https://127.0.0.1:{upstream.server_address[1]}/c", content=b"did=5f2c8e1b9a7d3c40")
        assert r.status_code == 201

    try:
        flows = _mitmdump_session(tmp_path, post, "--set", "ssl_insecure=true")
    finally:
        upstream.shutdown()
    assert [(f["server_org"], f["server_org_country"]) for f in flows] == [
        ("Beijing Example Data Technology Co., Ltd.", "CN")
    ]
    r = describe_receiver(
        "collect.example-data.cn",
        None,
        "com.example.app",
        certificate=("Beijing Example Data Technology Co., Ltd.", "CN"),
    )
    assert (r["company"], r["company_country"], r["attribution_source"], r["confidence"]) == (
        "Beijing Example Data Technology Co., Ltd.",
        "CN",
        "tls-certificate",
        "medium",
    )
