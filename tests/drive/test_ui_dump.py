"""The window dump privmon reads on a phone (`uiautomator dump`): parsed into tappable views, with
the app's own (hostile) texts kept as text and oversized or broken dumps refused in one line."""

import pytest

from monitor.consent import DEFAULT_VOCABULARY, classify_click
from monitor.drive.ui import MAX_DUMP_BYTES, DumpError, parse_dump

PHONE_DUMP = (
    "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><hierarchy rotation=\"0\">"
    '<node index="0" text="" resource-id="" class="android.widget.FrameLayout" package="com.example.shop" '
    'content-desc="" clickable="false" bounds="[0,0][1080,2400]">'
    '<node index="0" text="欢迎 &lt;b&gt;&amp; 隐私政策" resource-id="com.example.shop:id/msg" '
    'class="android.widget.TextView" package="com.example.shop" content-desc="" clickable="false" '
    'bounds="[60,800][1020,1400]" />'
    '<node index="1" text="不同意" resource-id="com.example.shop:id/no" class="android.widget.Button" '
    'package="com.example.shop" content-desc="" clickable="true" bounds="[60,1500][520,1650]" />'
    '<node index="2" text="" resource-id="com.example.shop:id/yes" class="android.widget.Button" '
    'package="com.example.shop" content-desc="同意" clickable="true" bounds="[560,1500][1020,1650]" />'
    "</node>"
    '<node index="0" text="" resource-id="" class="android.widget.FrameLayout" '
    'package="com.android.permissioncontroller" content-desc="" clickable="false" '
    'bounds="[0,1200][1080,2400]">'
    '<node index="0" text="Don’t allow" '
    'resource-id="com.android.permissioncontroller:id/permission_deny_button" class="android.widget.Button" '
    'package="com.android.permissioncontroller" content-desc="" clickable="true" '
    'bounds="[0,2200][1080,2300]" />'
    "</node></hierarchy>"
)


def test_views_come_with_text_bounds_and_window_order():
    nodes = parse_dump("UI hierchary dumped to: /sdcard/window_dump.xml\n" + PHONE_DUMP)
    message = next(n for n in nodes if n.resource_id.endswith(":id/msg"))
    assert message.text == "欢迎 <b>& 隐私政策" and not message.clickable
    refuse = next(n for n in nodes if n.text == "不同意")
    assert refuse.centre == (290, 1575) and refuse.clickable and refuse.window == 0
    # a button with only a content description (an image button) is found by it
    agree = next(n for n in nodes if n.resource_id.endswith(":id/yes"))
    assert classify_click(agree.text, DEFAULT_VOCABULARY) == "consent"
    assert classify_click(refuse.text, DEFAULT_VOCABULARY) == "refuse"
    deny = next(n for n in nodes if n.is_permission_dialog and n.clickable)
    assert deny.window == 1 and deny.text == "Don’t allow"


@pytest.mark.parametrize(
    "dump, said",
    [
        ("ERROR: could not get idle state.", "no window hierarchy"),
        ("<hierarchy><node bounds='[0,0][1,1]'>", "not XML"),
        ("<?xml version='1.0'?><hierarchy>" + "x" * MAX_DUMP_BYTES + "</hierarchy>", "larger than"),
    ],
)
def test_a_dump_that_is_not_one_is_refused_in_one_line(dump, said):
    with pytest.raises(DumpError, match=said):
        parse_dump(dump)
