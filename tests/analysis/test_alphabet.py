"""Base64 in an alphabet of the app's own (monitor/codec/alphabet.py): found through any one-to-one
character map of the standard spelling, and not in random text of the same shape."""

import base64
import random
import string

from monitor.codec.alphabet import MAX_CHANCE, SubstitutionIndex, Target, chance, maps_one_to_one

STANDARD = string.ascii_uppercase + string.ascii_lowercase + string.digits + "+/"


def custom_b64(data: bytes, table: str) -> str:
    return base64.b64encode(data).decode().rstrip("=").translate(str.maketrans(STANDARD, table))


def shuffled(seed: int) -> str:
    table = list(STANDARD)
    random.Random(seed).shuffle(table)
    return "".join(table)


def test_a_value_in_any_shuffled_alphabet_is_found_and_the_standard_one_is_left_to_the_matcher():
    value = b'{"imei":"864273052471596","model":"LAB"}'
    spelling = base64.b64encode(value).rstrip(b"=")
    index = SubstitutionIndex([Target(spelling, False, "imei")])
    for seed in range(20):
        token = custom_b64(value, shuffled(seed)).encode()
        found = index.find(b"token=" + token + b"&v=1")
        assert [(t.ref, tok) for t, tok in found] == [("imei", token)]
    assert index.find(spelling) == []  # the ordinary matcher's
    assert index.find(base64.urlsafe_b64encode(value).rstrip(b"=")) == []


def test_the_first_bytes_of_a_long_value_find_its_longer_tokens():
    value = bytes(range(200))
    head = base64.b64encode(value[:48])
    index = SubstitutionIndex([Target(head, True, "long")])
    token = custom_b64(value, shuffled(7)).encode()
    assert [tok for _, tok in index.find(b"x-sig: " + token)] == [token]


def test_random_tokens_of_the_same_length_do_not_pass():
    rng = random.Random(1)
    targets = []
    for i in range(200):
        spelling = base64.b64encode(rng.randbytes(rng.choice([20, 30, 48]))).rstrip(b"=")
        targets.append(Target(spelling, False, i))
    index = SubstitutionIndex(targets)
    text = b" ".join("".join(rng.choice(STANDARD) for _ in range(n)).encode() for n in [27, 40, 64] * 3000)
    assert index.find(text) == []


def test_spellings_with_too_few_repeats_are_not_looked_for():
    distinct = STANDARD[:30].encode()  # no repeated character: any 30 distinct characters would map
    assert chance(distinct) > MAX_CHANCE
    assert SubstitutionIndex([Target(distinct, False, "x")]).empty
    assert maps_one_to_one(b"abca", b"xyzx") and not maps_one_to_one(b"abca", b"xyzy")
    assert not maps_one_to_one(b"abcd", b"xyzx")
