"""The hook catalogue as data: its schema, and that it covers camille's whole list."""

import re
from pathlib import Path

import pytest
import yaml

from monitor.capture.catalogue import CatalogueError, authorities, expand, load_catalogue, not_hooked

CAMILLE = Path(__file__).resolve().parents[1] / "data" / "camille_hooks.txt"


def _camille() -> list[tuple[str, str]]:
    rows = []
    for line in CAMILLE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            cls, method = line.split("\t")
            rows.append((cls, method))
    return rows


def test_every_camille_entry_is_hooked_or_documented_as_not_hooked():
    hooked = {(e["class"], e["method"]) for e in load_catalogue()}
    documented = {(e["class"], e["method"]): e["reason"] for e in not_hooked()}
    camille = _camille()
    assert len(camille) == 111  # 109 class.methods + WifiInfo.getIpAddress + ContentResolver.query
    missing = [c for c in camille if c not in hooked and c not in documented]
    assert missing == []
    assert all(len(reason) > 20 for reason in documented.values())


def test_known_false_positives_are_not_hooked():
    hooked = {(e["class"], e["method"]) for e in load_catalogue()}
    assert ("android.location.Location", "getTime") not in hooked
    assert ("android.telephony.SmsManager", "getDefault") not in hooked


def test_entries_are_well_formed():
    entries = load_catalogue()
    assert len({e["id"] for e in entries}) == len(entries)
    for e in entries:
        assert bool(e.get("pi_category")) + bool(e.get("signal")) + bool(e.get("classify")) == 1, e["id"]
        # nested classes take "$" (Settings$Secure), never dots: AppScan lost a hook that way
        assert re.fullmatch(r"[a-z][\w]*(\.[\w]+)*(\$\w+)*", e["class"]), e["id"]
        assert re.fullmatch(r"\$init|[a-zA-Z_]\w*", e["method"]), e["id"]
    android_id = next(e for e in entries if e["id"] == "android.provider.Settings$Secure.getString")
    assert android_id["when"] == {"arg": 1, "equals": ["android_id"]}
    assert authorities()["com.android.contacts"]["pi_category"] == "contacts"


def test_additions_beyond_camille_are_covered():
    ids = {e["id"] for e in load_catalogue()}
    for needed in (
        "android.os.SystemProperties.get",
        "android.media.MediaDrm.getPropertyByteArray",
        "android.provider.Settings$NameValueCache.getStringForUser",
        "com.google.android.gms.ads.identifier.AdvertisingIdClient.getAdvertisingIdInfo",
        "com.bun.miitmdid.core.MdidSdkHelper.InitSdk",
        "android.telephony.SubscriptionInfo.getIccId",
        "android.net.wifi.WifiManager.getScanResults",
        "android.bluetooth.BluetoothAdapter.getBondedDevices",
        "com.google.android.gms.location.FusedLocationProviderClient.getLastLocation",
        "com.amap.api.location.AMapLocationClient.startLocation",
        "com.baidu.location.LocationClient.start",
        "com.tencent.map.geolocation.TencentLocationManager.requestLocationUpdates",
        "android.app.ActivityManager.getRecentTasks",
        "android.app.usage.UsageStatsManager.queryUsageStats",
        "android.content.ClipboardManager.addPrimaryClipChangedListener",
        "android.accounts.AccountManager.getAccounts",
        "android.media.projection.MediaProjectionManager.getMediaProjection",
        "android.app.SharedPreferencesImpl$EditorImpl.putString",
        "android.app.Activity.onRequestPermissionsResult",
        "android.app.ContextImpl.checkSelfPermission",
        "android.app.Dialog.show",
        "com.amap.api.location.AMapLocationClient.updatePrivacyAgree",
        "android.app.ContextImpl.startService",
        "android.app.AlarmManager.setExact",
        "java.security.MessageDigest.digest",
        "javax.crypto.Cipher.doFinal",
        "okhttp3.internal.connection.RealCall.execute",
        "android.webkit.WebView.loadUrl",
    ):
        assert needed in ids, needed


def test_bad_extra_catalogues_are_refused(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"groups": [{"class": "a.B", "methods": {"c": {"pi_category": "x"}}}]}))
    with pytest.raises(CatalogueError, match="pi_type"):
        load_catalogue(bad)
    clash = tmp_path / "clash.yaml"
    clash.write_text(
        yaml.safe_dump(
            {
                "groups": [
                    {
                        "class": "android.telephony.TelephonyManager",
                        "methods": {"getImei": {"pi_category": "device_id", "pi_type": "imei"}},
                    }
                ]
            }
        )
    )
    with pytest.raises(CatalogueError, match="already"):
        load_catalogue(clash)
    with pytest.raises(CatalogueError, match="unknown fields"):
        expand({"groups": [{"class": "a.B", "methods": {"c": {"signal": "click", "colour": "red"}}}]})
