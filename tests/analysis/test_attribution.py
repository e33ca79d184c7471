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
    assert unknown.party == "unknown" and unknown.frame.startswith("org.example")
    assert attribute_stack(["java.lang.Thread.run(Thread.java:1)"], "x").frame is None


def test_derived_camille_prefixes_name_sdks_without_curated_entries():
    a = attribute_stack(["com.sdklm.shoumeng.sdk.Init.go(Init.java:1)"], "com.example")
    assert a.party == "sdk" and a.sdk.name == "手盟SDK" and "camille" in a.sdk.source
