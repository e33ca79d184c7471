"""`privmon doctor` against the simulated phone through the real adb server: problems found,
fixes applied and journalled, `--restore` giving the phone back, the probe going through adb
reverse and the real proxy with TLS checked against the phone's own CA stores."""

import json

import pytest

from monitor.device_profile import load_profile
from monitor.lab.adbd import lab_state
from tests.conftest import run_cli
from tests.simphone import fake_frida_server, simulated_phone

SYSTEM_CA = "/system/etc/security/cacerts"
APEX_CA = "/apex/com.android.conscrypt/cacerts"


def checks(proc) -> dict:
    return {c["name"]: c for c in json.loads(proc.stdout)["checks"]}


@pytest.fixture
def server_file(tmp_path):
    path = tmp_path / "frida-server-arm64"
    path.write_bytes(fake_frida_server("arm64-v8a"))
    return path


def test_doctor_finds_fixes_journals_and_restores(tmp_path, server_file):
    state = lab_state(load_profile("lab"))
    state.props["persist.device_config.runtime_native.usap_pool_enabled"] = "true"
    system_before = {p: v for p, v in state.files.items() if p.startswith(SYSTEM_CA)}
    with simulated_phone(state) as adbd:
        first = run_cli(tmp_path, "doctor", adbd.serial, "--json")
        assert first.returncode == 6, first.stderr
        found = checks(first)
        assert found["adb"]["status"] == "ok" and found["root"]["status"] == "ok"
        assert found["frida-server"]["status"] == "problem" and "missing" in found["frida-server"]["detail"]
        assert found["usap pool"]["status"] == "problem"
        zh = run_cli(tmp_path, "--lang", "zh", "doctor", adbd.serial, "--no-probe")
        assert zh.returncode == 6 and "不存在" in zh.stdout and "--fix 会推送" in zh.stdout
        assert zh.stderr.startswith("privmon：错误：") and "个问题" in zh.stderr
        assert found["proxy CA"]["status"] == "problem"
        # The probe really went through adb reverse to the proxy, and the phone's TLS refused it.
        assert (
            found["route probe"]["status"] == "problem"
            and "refused the proxy's certificate" in found["route probe"]["detail"]
        )
        assert adbd.fetched and not adbd.fetched[-1]["ok"]
        assert "global/http_proxy" not in state.settings and state.reverses == {}  # the probe cleaned up

        fixed = run_cli(
            tmp_path, "doctor", adbd.serial, "--fix", "--frida-server", str(server_file), "--json"
        )
        assert fixed.returncode == 0, fixed.stdout + fixed.stderr
        after = checks(fixed)
        assert all(after[n]["fixed"] for n in ("frida-server", "usap pool", "proxy CA"))
        assert "only the proxy setting" in found["capture paths"]["detail"]  # no frida-server yet
        paths = after["capture paths"]
        assert paths["status"] == "info" and "--redirect" in paths["detail"]
        assert "/apex/com.android.conscrypt/lib64/libssl.so" in paths["detail"]
        assert after["route probe"]["status"] == "ok" and adbd.fetched[-1]["ok"]
        assert (
            state.pids("frida-server")
            and state.props["persist.device_config.runtime_native.usap_pool_enabled"] == "false"
        )
        assert any(m["target"] == SYSTEM_CA and m["kind"] == "tmpfs" for m in state.mounts)
        journal = json.loads((tmp_path / "journal" / f"127.0.0.1_{adbd.port}.json").read_text())
        whats = [e["what"] for e in journal["entries"]]
        assert any("tmpfs" in w for w in whats) and any("frida-server" in w for w in whats)
        assert any("usap" in w for w in whats)

        restored = run_cli(tmp_path, "doctor", adbd.serial, "--restore")
        assert restored.returncode == 0, restored.stderr
        assert state.mounts == [] and not state.pids("frida-server")
        assert state.props["persist.device_config.runtime_native.usap_pool_enabled"] == "true"
        assert {p: v for p, v in state.files.items() if p.startswith(SYSTEM_CA)} == system_before
        assert not any(p.startswith("/data/local/tmp/privmon-cacerts") for p in state.files)
        assert "/data/local/tmp/frida-server" in state.files  # the pushed binary stays, on purpose
        assert not (tmp_path / "journal" / f"127.0.0.1_{adbd.port}.json").exists()
        again = run_cli(tmp_path, "doctor", adbd.serial, "--restore")
        assert again.returncode == 0 and "nothing to restore" in again.stderr


def test_android_14_gets_the_ca_in_every_zygote_and_app_namespace(tmp_path, server_file):
    state = lab_state(load_profile("lab"))
    state.props["ro.build.version.sdk"] = "34"
    app_pid = state.start_process("com.tencent.mm")
    with simulated_phone(state) as adbd:
        fixed = run_cli(
            tmp_path, "doctor", adbd.serial, "--fix", "--frida-server", str(server_file), "--json"
        )
        assert fixed.returncode == 0, fixed.stdout + fixed.stderr
        binds = {m["ns"] for m in state.mounts if m["kind"] == "bind" and m["target"] == APEX_CA}
        assert binds == set(state.pids("zygote64") + state.pids("zygote") + [app_pid])
        assert checks(fixed)["proxy CA"]["status"] == "ok"
        assert run_cli(tmp_path, "doctor", adbd.serial, "--restore").returncode == 0
        assert state.mounts == []


def test_wrong_frida_server_architecture_or_version(tmp_path):
    x86 = tmp_path / "frida-server-x86"
    x86.write_bytes(fake_frida_server("x86_64"))
    state = lab_state(load_profile("lab"))
    state.files["/data/local/tmp/frida-server"] = fake_frida_server("arm64-v8a", "15.0.0")
    with simulated_phone(state) as adbd:
        report = checks(run_cli(tmp_path, "doctor", adbd.serial, "--json", "--no-probe"))
        assert (
            report["frida-server"]["status"] == "problem" and "is 15.0.0" in report["frida-server"]["detail"]
        )
        wrong = run_cli(tmp_path, "doctor", adbd.serial, "--fix", "--frida-server", str(x86), "--no-probe")
        assert wrong.returncode == 6
        assert "built for x86_64, the phone is arm64-v8a" in wrong.stderr and "Traceback" not in wrong.stderr
        none = run_cli(tmp_path, "doctor", adbd.serial, "--fix", "--no-probe")
        assert none.returncode == 6 and "--frida-server FILE" in none.stderr


def test_a_phone_without_root_is_explained(tmp_path):
    state = lab_state(load_profile("lab"))
    state.rooted = False
    with simulated_phone(state) as adbd:
        report = checks(run_cli(tmp_path, "doctor", adbd.serial, "--json", "--no-probe"))
        assert report["root"]["status"] == "problem" and "Magisk" in report["root"]["fix"]
        assert report["frida-server"]["status"] == "skipped"
        assert report["proxy CA"]["status"] == "problem" and "needs root" in report["proxy CA"]["fix"]


def test_a_proxy_left_behind_by_another_tool_is_flagged(tmp_path):
    state = lab_state(load_profile("lab"))
    state.settings["global/http_proxy"] = "192.168.1.5:8080"
    with simulated_phone(state) as adbd:
        report = checks(run_cli(tmp_path, "doctor", adbd.serial, "--json", "--no-probe"))
        assert (
            report["proxy setting"]["status"] == "warning"
            and "192.168.1.5:8080" in report["proxy setting"]["detail"]
        )


def test_a_ca_only_in_the_user_store_is_named_as_such(tmp_path):
    from monitor.capture.proxy import ensure_ca
    from monitor.config import Settings
    from monitor.device.ca import USER_DIR, android_name

    pem = ensure_ca(Settings.load(tmp_path).mitmproxy_confdir)
    state = lab_state(load_profile("lab"))
    state.files[f"{USER_DIR}/{android_name(pem)}"] = pem  # readable by root only, as on a phone
    with simulated_phone(state) as adbd:
        report = checks(run_cli(tmp_path, "doctor", adbd.serial, "--json", "--no-probe"))
        assert (
            report["proxy CA"]["status"] == "problem"
            and "only in the user store" in report["proxy CA"]["detail"]
        )
