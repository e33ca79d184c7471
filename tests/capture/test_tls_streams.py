"""Plaintext read at the TLS library becomes flows: HTTP/1.x parsed, other streams kept raw."""

from monitor import events as ev
from monitor.capture.connections import Connection
from monitor.capture.tls_streams import TlsStreams
from monitor.storage.queries import StoreReader
from monitor.storage.writer import EventWriter
from monitor.timeutil import now_us

CONN = Connection(
    pid=7, seq=3, local_port=4000, capture_path="redirected", host="native.x.cn", ip="127.20.7.5", port=443
)


def _flows(tmp_path, feed, cap: int = 4096) -> list[dict]:
    writer = EventWriter(tmp_path / "s.sqlite3")
    writer.submit(ev.SessionStarted("s", "app", "test", now_us(), {}))
    streams = TlsStreams(
        "s", writer, lambda port: CONN if port == 4000 else None, lambda c: "120.92.1.5", cap=cap
    )
    feed(streams)
    streams.close()
    writer.flush()
    writer.close()
    with StoreReader(tmp_path / "s.sqlite3") as reader:
        return reader.flows("s")


def test_two_requests_on_one_connection_are_two_flows_with_their_responses(tmp_path):
    def feed(s):
        s.data(
            7,
            4000,
            True,
            b"POST /v1/report HTTP/1.1\r\nHost: native.x.cn\r\nContent-Length: 9\r\n\r\noaid=ab",
            1,
        )
        s.data(7, 4000, True, b"cd", 2)
        s.data(7, 4000, False, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 3)
        s.data(7, 4000, True, b"GET /v1/cfg HTTP/1.1\r\nHost: native.x.cn\r\n\r\n", 4)
        s.data(7, 4000, False, b"HTTP/1.1 204 No Content\r\n\r\n", 5)
        s.end(7, 4000)

    flows = _flows(tmp_path, feed)
    assert [(f["method"], f["url"], f["status_code"]) for f in flows] == [
        ("POST", "https://native.x.cn/v1/report", 200),
        ("GET", "https://native.x.cn/v1/cfg", 204),
    ]
    assert [(f["ts_start"], f["ts_end"]) for f in flows] == [
        (1, 3),
        (4, 5),
    ]  # when each was written, answered
    first = flows[0]
    assert first["request_body"] == b"oaid=abcd" and first["response_body"] == b"ok"
    assert first["capture_path"] == "tls-plaintext" and first["tls"]
    assert (first["opener_pid"], first["opener_seq"], first["client_port"]) == (7, 3, 4000)
    assert first["server_ip"] == "120.92.1.5"


def test_a_stream_that_is_not_http_is_one_raw_record_cut_at_the_cap(tmp_path):
    def feed(s):
        s.data(7, 4000, True, b"\x00\x01BINARY imei=861234567890123 " + b"x" * 100, 1)
        s.data(7, 4000, False, b"ACK", 2)

    (flow,) = _flows(tmp_path, feed, cap=64)
    assert flow["method"] == "STREAM" and flow["url"] == "tls://native.x.cn:443"
    assert flow["request_body"].startswith(b"\x00\x01BINARY imei=861234567890123")
    assert len(flow["request_body"]) == 64 and flow["request_body_size"] == 130
    assert flow["request_body_truncated"] and flow["response_body"] == b"ACK"


def test_a_request_without_an_answer_says_so(tmp_path):
    def feed(s):
        s.data(7, 4000, True, b"GET /ping HTTP/1.1\r\nHost: native.x.cn\r\n\r\n", 1)

    (flow,) = _flows(tmp_path, feed)
    assert flow["status_code"] is None and "no response" in flow["error"]
