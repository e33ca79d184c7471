"""SDK classes that a custom class loader brings in after the agent installed its hooks (plugin
frameworks, hot fixes). On Android the agent hooks them when a BaseDexClassLoader is created; on the
lab's HotSpot JVM frida-java-bridge cannot use a custom loader's classes, so such an entry must come
back "not installed" with its reason, the run must go on, and calls the plugin makes into hooked
platform APIs must still be caught and attributed to the plugin SDK."""

import json

import yaml

from monitor.config import Settings
from monitor.storage.queries import StoreReader
from tests.conftest import run_cli

PLUGIN_HOOKS = {
    "groups": [
        {
            "class": "com.getui.lab.PushCollector",
            "pi_category": "device_id",
            "pi_type": "push_client_id",
            "methods": {"collect": {}},
        }
    ]
}


def test_plugin_loaded_sdk_is_reported_and_its_platform_calls_are_caught(tmp_path):
    home = tmp_path / "home"
    extra = tmp_path / "plugin-hooks.yaml"
    extra.write_text(yaml.safe_dump(PLUGIN_HOOKS))
    proc = run_cli(home, "lab", "run", "--app", "plugin", "--json", "--no-keys", "--extra-hooks", str(extra))
    assert proc.returncode == 0, proc.stderr
    session = json.loads(proc.stdout)["session"]
    coverage = {r["id"]: r for r in json.loads(run_cli(home, "hooks", session, "--json").stdout)}
    late = coverage["com.getui.lab.PushCollector.collect"]
    assert late["state"] == "not_installed" and "class not found" in late["reasons"][0]
    with StoreReader(Settings.load(home).db_path) as reader:
        events = reader.hook_events(session)
        messages = reader.agent_messages(session)
    assert [e["api"] for e in events if e["pi_type"] == "imsi"] == [
        "android.telephony.TelephonyManager.getSubscriberId"
    ]
    assert any(m["type"] == "app:stdout" and "plugin: cid=" in m["payload"] for m in messages)
    findings = json.loads(run_cli(home, "findings", session, "--json").stdout)
    imsi = next(f for f in findings if f["pi_type"] == "imsi" and f["rule_id"] == "PRECONSENT_COLLECTION")
    assert imsi["sdk"] == "Getui"  # attributed through the plugin-loaded SDK's frame
