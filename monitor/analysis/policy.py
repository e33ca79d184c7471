"""What the app declares it collects and shares (the 双清单), read from what it showed in the run:
the privacy notice's text (as privmon's driver read it on the screen, and the texts of the dialogs
the hooks saw) and the policy pages the app loaded (HTML or text bodies the proxy captured whose
address or title speaks of privacy). The text is the app's (hostile): it is bounded, its markup
stripped as text, never rendered.

Declared PI is found by the names policies use for it (设备标识符, 位置信息, 通讯录, IMEI, location…);
declared third parties by the SDK and company names of the knowledge base (友盟, Umeng, 个推…). An app
profile's own lists, when given, are used instead (they correct what was parsed)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

MAX_TEXT_CHARS = 400_000
POLICY_URL = re.compile(r"privacy|policy|protocol|agreement|yinsi|隐私|个人信息|协议", re.IGNORECASE)
POLICY_TITLE = re.compile(r"<title>[^<]*(隐私|个人信息保护|privacy)[^<]*</title>", re.IGNORECASE)
_TAG = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]{0,2000}>", re.IGNORECASE | re.DOTALL)
_SPACE = re.compile(r"\s+")

# PI category (catalogue's pi_category) → the words policies use for it
PI_TERMS: dict[str, tuple[str, ...]] = {
    "device_id": (
        "设备标识",
        "设备识别码",
        "设备信息",
        "imei",
        "meid",
        "imsi",
        "android id",
        "androidid",
        "oaid",
        "idfa",
        "mac地址",
        "mac 地址",
        "序列号",
        "device identifier",
        "device id",
        "advertising id",
    ),
    "location": ("位置信息", "地理位置", "定位", "gps", "location"),
    "contacts": ("通讯录", "联系人", "contacts"),
    "sms": ("短信", "sms", "text messages"),
    "call_log": ("通话记录", "call log"),
    "camera": ("相机", "摄像头", "拍照", "camera"),
    "microphone": ("麦克风", "录音", "语音", "microphone"),
    "phone_number": ("手机号", "电话号码", "phone number"),
    "installed_apps": ("应用列表", "已安装应用", "软件安装列表", "installed apps", "installed applications"),
    "running_apps": ("运行中的进程", "running apps"),
    "clipboard": ("剪切板", "剪贴板", "clipboard"),
    "calendar": ("日历", "calendar"),
    "accounts": ("账户信息", "accounts"),
    "sensors": ("传感器", "sensor"),
    "network_info": ("网络信息", "网络状态", "wlan", "wi-fi", "wifi", "运营商", "network information"),
    "network_id": ("ip地址", "ip 地址", "bssid", "ssid", "ip address"),
    "device_info": ("设备型号", "操作系统", "device model", "operating system"),
    "bluetooth": ("蓝牙", "bluetooth"),
    "media": ("相册", "照片", "存储", "photos", "storage"),
    "browsing_history": ("浏览记录", "browsing history"),
}


@dataclass
class DeclaredPolicy:
    sources: list[dict] = field(default_factory=list)  # {"kind": notice|dialog|page, "where", "chars"}
    collected: list[str] = field(default_factory=list)  # PI categories
    shared: list[str] = field(default_factory=list)  # SDK and company names (the knowledge base's)
    evidence: dict[str, str] = field(default_factory=dict)  # item → the words that declared it

    @property
    def empty(self) -> bool:
        return not self.collected and not self.shared

    def to_json(self) -> dict:
        return {
            "sources": self.sources,
            "collected": self.collected,
            "shared": self.shared,
            "evidence": self.evidence,
        }


def page_text(body: bytes, content_type: str | None) -> str:
    """An HTML or text body as plain text (markup dropped, entities decoded), bounded."""
    text = body[: MAX_TEXT_CHARS * 4].decode("utf-8", "replace")
    if "html" in (content_type or "").lower() or "<html" in text[:2000].lower():
        text = html.unescape(_TAG.sub(" ", text))
    return _SPACE.sub(" ", text)[:MAX_TEXT_CHARS]


def is_policy_page(url: str, body: bytes, content_type: str | None) -> bool:
    kind = (content_type or "").lower()
    if not body or not any(t in kind for t in ("html", "text/plain")):
        return False
    return bool(POLICY_URL.search(url)) or bool(POLICY_TITLE.search(body[:20000].decode("utf-8", "replace")))


def parse_declared(texts: list[tuple[str, str, str]]) -> DeclaredPolicy:
    """`texts`: (kind, where, text) of every notice, dialog and policy page the run showed."""
    from ..knowledge.sdks import knowledge

    policy = DeclaredPolicy()
    names = knowledge().policy_names()
    for kind, where, text in texts:
        text = text[:MAX_TEXT_CHARS]
        if not text.strip():
            continue
        policy.sources.append({"kind": kind, "where": where[:300], "chars": len(text)})
        lower = text.lower()
        for category, terms in PI_TERMS.items():
            for term in terms:
                at = _find_word(lower, term)
                if at >= 0:
                    if category not in policy.collected:
                        policy.collected.append(category)
                        policy.evidence[category] = _snippet(text, at, len(term))
                    break
        for sdk, spellings in names.items():
            if sdk in policy.shared:
                continue
            for spelling in spellings:
                at = _find_word(lower, spelling.lower())
                if at >= 0:
                    policy.shared.append(sdk)
                    policy.evidence[sdk] = _snippet(text, at, len(spelling))
                    break
    return policy


def _find_word(lower: str, term: str) -> int:
    """Where `term` stands in the text: Latin terms on word boundaries (so "sms" is not inside
    "smsc" and "ip" not inside "ship"), Chinese terms anywhere."""
    if not term or len(term) < 2:
        return -1
    if term.isascii():
        match = re.search(rf"(?<![a-z0-9]){re.escape(term)}(?![a-z0-9])", lower)
        return match.start() if match else -1
    return lower.find(term)


def _snippet(text: str, at: int, length: int) -> str:
    start, end = max(0, at - 30), min(len(text), at + length + 30)
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


def read_declared(reader, session_id: str) -> DeclaredPolicy:
    """Every text the run showed of the app's privacy policy, parsed."""
    texts: list[tuple[str, str, str]] = []
    for message in reader.agent_messages(session_id, ["scenario:step"]):
        step = message["payload"] if isinstance(message["payload"], dict) else {}
        notice = step.get("notice_text")
        if isinstance(notice, str) and notice:
            texts.append(("notice", "the privacy notice on the screen", notice))
    for page in reader.policy_pages(session_id):
        content_type = next(
            (str(v) for k, v in page["response_headers"] if str(k).lower() == "content-type"), None
        )
        body = page["response_body"] or b""
        if is_policy_page(page["url"], body, content_type):
            texts.append(("page", page["url"], page_text(body, content_type)))
    return parse_declared(texts)
