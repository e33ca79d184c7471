"""mitmproxy addons. Each also loads on its own: `mitmdump -s addons/privmon_capture.py`."""
