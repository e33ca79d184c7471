import pytest

from monitor.analysis.attribution import attribute_stack, frame_class


def test_frame_class_handles_module_prefixes():
    assert frame_class("java.base/java.lang.Thread.run(Thread.java:833)") == "java.lang.Thread"
    assert (
        frame_class("com.umeng.commonsdk.UMConfigure.init(UMConfigure.java:17)")
        == "com.umeng.commonsdk.UMConfigure"
    )


def test_first_non_framework_frame_decides():
    stack = [
        "android.telephony.TelephonyManager.getDeviceId(Native Method)",
        "java.util.concurrent.FutureTask.run(FutureTask.java:264)",
        "cn.jpush.android.service.Collector.collect(Collector.java:3)",
        "com.example.shop.App.onCreate(App.java:10)",
    ]
    a = attribute_stack(stack, "com.example.shop")
    assert a.party == "sdk" and a.sdk.name == "JPush" and a.frame.startswith("cn.jpush.")


def test_app_code_and_unknown_code():
    assert attribute_stack(["com.example.shop.Main.run(Main.java:1)"], "com.example.shop").party == "app"
    unknown = attribute_stack(["org.example.lib.Thing.go(Thing.java:1)"], "com.example.shop")
    assert unknown.party == "unidentified" and unknown.frame.startswith("org.example")
    assert unknown.label == "org.example.lib" and not unknown.obfuscated
    nothing = attribute_stack(["java.lang.Thread.run(Thread.java:1)"], "x")
    assert nothing.party == "unknown" and nothing.frame is None and nothing.label is None


@pytest.mark.parametrize(
    "frame, package, obfuscated",
    [
        ("com.vendor.sdk.net.Uploader.send(Uploader.java:3)", "com.vendor.sdk", False),
        ("com.vendor.sdk.Uploader.send(Uploader.java:3)", "com.vendor.sdk", False),
        ("io.vendor.Agent.run(Agent.java:3)", "io.vendor", False),
        ("com.vendor.a.b.c(Unknown Source:4)", "com.vendor", True),
        ("com.vendor.sdk.ab.run(Unknown Source:4)", "com.vendor.sdk", True),
        ("a.b.c.d(Unknown Source:2)", "a.b", True),
        ("com.vendor.sdk.Collector$1.run(Collector.java:9)", "com.vendor.sdk", False),
    ],
)
def test_unknown_third_party_code_keeps_the_identity_of_its_package(frame, package, obfuscated):
    a = attribute_stack([frame], "com.example.shop")
    assert (a.party, a.package, a.obfuscated, a.label) == ("unidentified", package, obfuscated, package)


def test_libraries_an_sdk_calls_through_do_not_decide():
    stack = [
        "okhttp3.internal.connection.RealCall.execute(RealCall.kt:1)",
        "com.google.gson.Gson.toJson(Gson.java:2)",
        "com.vendor.sdk.Reporter.post(Reporter.java:3)",
    ]
    assert attribute_stack(stack, "com.example.shop").package == "com.vendor.sdk"


def test_derived_camille_prefixes_name_sdks_without_curated_entries():
    a = attribute_stack(["com.sdklm.shoumeng.sdk.Init.go(Init.java:1)"], "com.example")
    assert a.party == "sdk" and a.sdk.name == "手盟SDK" and "camille" in a.sdk.source


def test_native_frames_are_not_named_as_packages():
    a = attribute_stack(["libshield.so!report_crash", "libc.so.6!connect"], "com.example.shop")
    assert a.party == "unknown" and a.label is None and a.frame == "libshield.so!report_crash"


def test_a_read_through_an_sdks_own_api_is_that_sdks():
    """The app starting a location SDK: the SDK collects the location (for itself too), so the read
    is blamed on it; a platform service the app asks (fused location) stays the app's read, and an
    SDK API that is not a read (a consent switch) keeps its caller."""
    start = "com.amap.api.location.AMapLocationClient.startLocation"
    stack = [f"{start}(AMapLocationClient.java:40)", "com.example.shop.Main.onCreate(Main.java:9)"]
    a = attribute_stack(stack, "com.example.shop", start, reads=True)
    assert a.party == "sdk" and a.sdk.name == "AMap" and a.frame == stack[0]
    assert attribute_stack(stack, "com.example.shop", start).party == "app"  # not a read: the caller
    fused = "com.google.android.gms.location.FusedLocationProviderClient.getLastLocation"
    fused_stack = [f"{fused}(Unknown Source)", "com.example.shop.Main.onCreate(Main.java:9)"]
    assert attribute_stack(fused_stack, "com.example.shop", fused, reads=True).party == "app"
