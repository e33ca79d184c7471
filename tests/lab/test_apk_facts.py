"""What an APK declares, read with androguard from a real APK (the lab apps' APKs: a binary
manifest and a classes.dex built by monitor/lab/apk_build.py): permissions with the dangerous
ones marked, SDK levels, components and the SDKs whose code it carries; a file that is not an APK
is one line, never a traceback."""

import zipfile

import pytest

from monitor.apk import ApkError, apk_facts, sdk_inventory
from monitor.lab.apk_build import classes_dex, lab_apk, manifest_axml


def test_the_demo_apk_declares_its_permissions_components_and_sdks(tmp_path):
    facts = apk_facts(lab_apk(tmp_path, "demo"))
    assert (facts.package, facts.version_name, facts.version_code) == ("com.labapp.shop", "2.3.1", "231")
    assert (facts.min_sdk, facts.target_sdk) == (21, 33)
    permissions = {p["name"]: p["dangerous"] for p in facts.permissions}
    assert permissions["android.permission.READ_PHONE_STATE"] is True
    assert permissions["android.permission.CAMERA"] is True
    assert permissions["android.permission.INTERNET"] is False
    assert facts.components["activities"] == ["com.labapp.shop.LabMain"]
    assert [s["sdk"] for s in facts.sdks] == ["Umeng"]
    assert facts.sdks[0]["country"] == "CN" and "com.umeng.commonsdk" in facts.sdks[0]["packages"]
    assert len(facts.sha256) == 64 and facts.classes >= 4


def test_an_inventory_names_each_sdk_once_with_its_class_count(tmp_path):
    names = [
        "com.umeng.analytics.MobclickAgent",
        "com.umeng.commonsdk.UMConfigure",
        "com.tencent.bugly.crashreport.CrashReport",
        "com.example.app.MainActivity",
    ]
    apk = tmp_path / "many.apk"
    with zipfile.ZipFile(apk, "w") as zf:
        zf.writestr("AndroidManifest.xml", manifest_axml({"package": "com.example.app"}))
        zf.writestr("classes.dex", classes_dex(names))
    facts = apk_facts(apk)
    by_sdk = {s["sdk"]: s["classes"] for s in facts.sdks}
    assert by_sdk.get("Umeng") == 2 and "Bugly" in " ".join(by_sdk)
    assert sdk_inventory(["com.example.Only"]) == []


@pytest.mark.parametrize(
    "content, said",
    [
        (b"not a zip at all", "not a zip file"),
        (None, "cannot read its manifest|no package name"),
    ],
)
def test_a_file_that_is_not_an_apk_is_one_error(tmp_path, content, said):
    path = tmp_path / "x.apk"
    if content is None:
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("AndroidManifest.xml", b"\x03\x00\x08\x00garbage")
    else:
        path.write_bytes(content)
    with pytest.raises(ApkError, match=said):
        apk_facts(path)
