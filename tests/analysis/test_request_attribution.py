from monitor.analysis.request_attribution import attribute_requests

URL = "https://api.growingio.com/v3/projects/lab/collect"


def _call(
    eid,
    ts,
    api,
    ret=None,
    args=(),
    stack=(
        "okhttp3.RealCall.execute(Native Method)",
        "com.growingio.android.sdk.Sender.flush(Sender.java:9)",
    ),
):
    return {
        "id": eid,
        "ts": ts,
        "api": api,
        "signal": "http_request",
        "args": list(args),
        "ret": ret,
        "stack": list(stack),
    }


def test_the_latest_matching_call_before_the_flow_sends_it():
    events = [
        _call(1, 1_000_000, "okhttp3.RealCall.execute", {"return": "Response", "this": URL}),
        _call(2, 5_000_000, "okhttp3.RealCall.execute", {"return": "Response", "this": URL}),
        _call(
            3, 9_000_000, "okhttp3.RealCall.execute", {"return": "Response", "this": URL}
        ),  # after the flow
    ]
    flows = [{"id": "f", "url": URL, "ts_start": 5_400_000}]
    sender = attribute_requests(events, flows, "com.example")["f"]
    assert sender.hook_event_id == 2 and sender.lead_ms == 400.0
    assert sender.attribution.sdk.name == "GrowingIO"


def test_webview_and_url_connection_forms_and_no_match():
    events = [
        _call(
            1,
            1_000,
            "android.webkit.WebView.loadUrl",
            {"return": None, "this": None},
            args=["https://m.shop.cn/a"],
            stack=["android.webkit.WebView.loadUrl(Native Method)", "com.example.Web.open(Web.java:1)"],
        ),
        _call(
            2,
            2_000,
            "java.net.URL.openConnection",
            {
                "return": "sun.net.www.protocol.https.DelegateHttpsURLConnection:https://api.shop.cn/x",
                "this": "https://api.shop.cn/x",
            },
            stack=["java.net.URL.openConnection(Native Method)", "com.example.Api.call(Api.java:1)"],
        ),
    ]
    flows = [
        {"id": "w", "url": "https://m.shop.cn/a", "ts_start": 3_000},
        {"id": "u", "url": "https://api.shop.cn/x", "ts_start": 4_000},
        {"id": "none", "url": "https://other.cn/", "ts_start": 5_000},
    ]
    senders = attribute_requests(events, flows, "com.example")
    assert senders["w"].attribution.party == "app" and senders["u"].hook_event_id == 2
    assert "none" not in senders
