"""Writes detector_corpus.jsonl: request pieces as apps send them, each labelled with the PI values
a reader finds in it (kind and value), for measuring the detectors' precision and recall
(tests/analysis/test_detector_corpus.py, docs/traffic.md). Seeded: the same file every time.

Each line: {"text": the piece, "key": the JSON/form key it sat under or null,
"expect": [{"kind", "value"}], "note": what it is}. Positives are valid values in the shapes SDKs
use (JSON, forms, user agents, free text, Chinese labels); negatives are what trips naive
detectors: millisecond timestamps, order and trace ids that pass Luhn, numbers with unallocated
mobile prefixes, digits inside longer tokens, image names with `@2x`, hex digests, version strings,
Android's placeholder MACs.

    python tests/data/make_detector_corpus.py
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from monitor.analysis.detectors import luhn_ok

OUT = Path(__file__).with_name("detector_corpus.jsonl")
rnd = random.Random(20261207)
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
UNALLOCATED = ["40", "41", "42", "43", "44", "54", "60", "61", "94", "00", "01", "02", "11", "12"]


def luhn_complete(body: str) -> str:
    return next(body + digit for digit in "0123456789" if luhn_ok(body + digit))


def luhn_broken(body: str) -> str:
    good = luhn_complete(body)
    return good[:-1] + str((int(good[-1]) + 1) % 10)


def digits(n: int) -> str:
    return "".join(rnd.choice("0123456789") for _ in range(n))


def imei() -> str:
    return luhn_complete(rnd.choice(["35", "86", "01", "99", "49", "33"]) + digits(12))


def mobile() -> str:
    prefix = rnd.choice(
        [
            "130",
            "131",
            "135",
            "136",
            "138",
            "139",
            "147",
            "150",
            "152",
            "158",
            "166",
            "173",
            "177",
            "180",
            "185",
            "187",
            "189",
            "191",
            "195",
            "199",
        ]
    )
    return prefix + digits(8)


def resident_id() -> str:
    body = rnd.choice(["110101", "310104", "440305", "510107"]) + f"{rnd.randint(1960, 2005)}"
    body += f"{rnd.randint(1, 12):02d}{rnd.randint(1, 28):02d}" + digits(3)
    return body + ID_CHECK[sum(int(c) * w for c, w in zip(body, ID_WEIGHTS)) % 11]


def mac() -> str:
    first = rnd.choice(["a4", "3c", "f0", "d8", "88", "bc", "e4", "70"])
    return ":".join([first] + [f"{rnd.randint(0, 255):02x}" for _ in range(5)])


def card() -> str:
    return luhn_complete("62" + digits(rnd.choice([13, 16])))  # 16 or 19 digits


def coords() -> tuple[str, str]:
    return f"{rnd.uniform(20, 45):.6f}", f"{rnd.uniform(100, 125):.6f}"


def email() -> str:
    user = rnd.choice(["li.lei", "hanmeimei", "wang_wei88", "zhang.san+shop", "test.user"])
    return f"{user}@{rnd.choice(['qq.com', '163.com', 'example.com.cn', 'corp.example.cn', 'gmail.com'])}"


def main() -> None:
    lines: list[dict] = []

    def add(text: str, expect: list[tuple[str, str]], note: str, key: str | None = None) -> None:
        lines.append(
            {"text": text, "key": key, "expect": [{"kind": k, "value": v} for k, v in expect], "note": note}
        )

    for _ in range(12):
        m = mobile()
        add(json.dumps({"mobile": m, "ts": 1733560000123}), [("phone_number", m)], "mobile in JSON")
        add(f"tel=%2B86{m}&src=app", [("phone_number", m)], "form, +86 escaped")
        add(f"联系电话：{m}，请保持畅通", [("phone_number", m)], "Chinese text")
        add(f"86-{m}", [("phone_number", m)], "with country code", key="phone")
    for _ in range(10):
        i = imei()
        add(json.dumps({"imei": i, "os": "android"}), [("imei", i)], "IMEI under its key")
        add(json.dumps({"deviceId": i}), [("imei", i)], "device id key")
        add(f"Dalvik/2.1.0 (Linux; U; Android 12) did/{i} net/wifi", [("imei", i)], "user agent")
        add(i, [("imei", i)], "bare, under a device key", key="dev_id")
    for _ in range(8):
        r = resident_id()
        add(json.dumps({"idCard": r, "name": "张三"}), [("resident_id", r)], "resident ID")
    for _ in range(8):
        a = mac()
        add(json.dumps({"mac": a, "ssid": "home"}), [("mac_address", a)], "MAC in JSON")
        add(f"bssid={a.upper().replace(':', '-')}", [("mac_address", a)], "BSSID, upper case with dashes")
    for _ in range(8):
        e = email()
        add(json.dumps({"email": e}), [("email", e)], "e-mail in JSON")
        add(f"contact: {e}; thanks", [("email", e)], "e-mail in text")
    for _ in range(8):
        lat, lng = coords()
        add(f"loc={lat},{lng}", [("coordinates", f"{lat},{lng}")], "coordinate pair")
        add(lat, [("coordinates", lat)], "latitude under its key", key="lat")
    for _ in range(6):
        c = card()
        add(json.dumps({"bankCard": c}), [("bank_card", c)], "bank card under its key")
        add(f"卡号 {c}", [("bank_card", c)], "bank card in Chinese text")

    # negatives
    for _ in range(12):
        add(json.dumps({"ts": int(f"17{digits(11)}"), "seq": int(digits(9))}), [], "millisecond timestamp")
        add(
            json.dumps({"orderId": luhn_complete("35" + digits(12))}),
            [],
            "order id that passes Luhn, no device key",
        )
        add(
            json.dumps({"traceId": luhn_complete("4" + digits(15))}),
            [],
            "trace id that passes Luhn, no card key",
        )
        add(
            f"uid=1{rnd.choice(UNALLOCATED)}{digits(8)}",
            [],
            "11 digits with an unallocated mobile prefix",
        )
        add(f"sign=a{mobile()}f{digits(3)}", [], "digits inside a longer token")
        add(json.dumps({"imei": luhn_broken("86" + digits(12))}), [], "IMEI key, bad check digit")
        add(json.dumps({"imei": luhn_complete("77" + digits(12))}), [], "IMEI key, no reporting body 77")
    for name in ("logo@2x.png", "icon_back@3x.webp", "banner@2x.jpg", "avatar@1.5x.jpeg", "splash@2x.gif"):
        add(json.dumps({"img": f"https://cdn.example.cn/res/{name}"}), [], "image name with a scale suffix")
    for _ in range(6):
        add(json.dumps({"md5": "".join(rnd.choice("0123456789abcdef") for _ in range(32))}), [], "hex digest")
        add(
            f"version=13.{rnd.randint(0, 9)}.{rnd.randint(0, 99)}.{rnd.randint(100, 9999)}",
            [],
            "version string",
        )
    for placeholder in ("02:00:00:00:00:00", "00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff"):
        add(json.dumps({"mac": placeholder}), [], "Android's placeholder MAC")
    add("npm/pkg@1.2.3 node/18", [], "a package version, not an address")
    add(json.dumps({"lat": "0.0000", "lng": "0.0000"}), [], "no fix")
    OUT.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    print(f"{OUT}: {len(lines)} pieces")


if __name__ == "__main__":
    main()
