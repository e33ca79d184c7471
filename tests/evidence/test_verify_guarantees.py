"""`privmon verify` checks every byte of a bundle and fails cleanly (exit 4) on what a forger or a
broken disk hands it: a second entry of the same name, an entry larger than its manifest line, a
zip bomb, data that does not inflate. Never an internal error, never an OK."""

import shutil
import warnings
import zipfile

import pytest

from monitor.exitcodes import ExitCode
from tests.conftest import run_cli


@pytest.fixture(scope="module")
def bundle(lab_demo, tmp_path_factory):
    out = tmp_path_factory.mktemp("verify") / "demo.zip"
    proc = run_cli(lab_demo["home"], "export", lab_demo["result"]["session"], "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    return out


def _verify(lab_demo, path):
    return run_cli(lab_demo["home"], "verify", str(path))


def _rewrite(src, dst, change):
    """A copy of the bundle with `change(name, data) -> [(name, data), …]` applied to each entry."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # zipfile warns about the duplicate names we write
            for info in zin.infolist():
                for name, data in change(info.filename, zin.read(info)):
                    zout.writestr(name, data)


def test_the_untouched_bundle_verifies(lab_demo, bundle):
    assert _verify(lab_demo, bundle).returncode == 0


def test_a_forged_entry_beside_the_real_one_fails(lab_demo, bundle, tmp_path):
    # the forged findings.json comes first; readers that take the last copy see the real one
    forged = tmp_path / "forged.zip"
    _rewrite(bundle, forged, lambda n, d: [(n, b"[]"), (n, d)] if n == "findings.json" else [(n, d)])
    proc = _verify(lab_demo, forged)
    assert proc.returncode == ExitCode.BAD_BUNDLE
    assert "findings.json: appears 2 times in the bundle" in proc.stderr


def test_an_entry_larger_than_the_manifest_says_is_refused_before_it_is_read(lab_demo, bundle, tmp_path):
    bomb = tmp_path / "bomb.zip"
    huge = b"\0" * (256 * 1024 * 1024)  # 256 MiB of zeros: about 250 KiB deflated
    _rewrite(bundle, bomb, lambda n, d: [(n, huge)] if n == "report.html" else [(n, d)])
    assert bomb.stat().st_size < 5 * 1024 * 1024
    proc = _verify(lab_demo, bomb)
    assert proc.returncode == ExitCode.BAD_BUNDLE
    assert "report.html: 268435456 bytes, the manifest lists" in proc.stderr


def test_data_that_does_not_inflate_is_a_verification_failure(lab_demo, bundle, tmp_path):
    broken = tmp_path / "broken.zip"
    shutil.copy(bundle, broken)
    with zipfile.ZipFile(broken) as zf:
        info = max(
            (i for i in zf.infolist() if i.compress_type == zipfile.ZIP_DEFLATED),
            key=lambda i: i.compress_size,
        )
        start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    raw = bytearray(broken.read_bytes())
    middle = start + info.compress_size // 2
    raw[middle : middle + 64] = bytes(64)  # zeros in the middle of the deflate stream
    broken.write_bytes(bytes(raw))
    proc = _verify(lab_demo, broken)
    assert proc.returncode == ExitCode.BAD_BUNDLE, proc.stderr
    assert f"{info.filename}:" in proc.stderr and "internal error" not in proc.stderr
