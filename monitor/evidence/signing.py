"""Ed25519 signatures over a bundle's manifest digest (`privmon keygen`, `export --sign`,
`verify --pubkey`). The signature file names the algorithm, the signed digest and the public key;
trust comes from checking that key against one the recipient already has."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

SIGNATURE_FILE = "manifest.sig"


class SigningError(ValueError):
    pass


def generate_key(private_path: Path) -> Path:
    """Writes PATH (private key, PEM, mode 0600) and PATH.pub (public key); returns the latter."""
    if private_path.exists():
        raise SigningError(f"{private_path}: exists; refusing to overwrite a key")
    key = Ed25519PrivateKey.generate()
    private_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
    public_path = private_path.with_name(private_path.name + ".pub")
    public_path.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return public_path


def _load_private(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise SigningError(f"{path}: not a readable unencrypted PEM private key ({exc})") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningError(f"{path}: not an Ed25519 key (make one with `privmon keygen`)")
    return key


def load_public(path: Path) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise SigningError(f"{path}: not a readable PEM public key ({exc})") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise SigningError(f"{path}: not an Ed25519 public key")
    return key


def _raw(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_fingerprint(public: Ed25519PublicKey) -> str:
    return hashlib.sha256(_raw(public)).hexdigest()[:16]


def sign_digest(private_path: Path, manifest_sha256: str) -> bytes:
    key = _load_private(private_path)
    return json.dumps(
        {
            "algorithm": "Ed25519",
            "signed": "manifest_sha256",
            "manifest_sha256": manifest_sha256,
            "public_key": base64.b64encode(_raw(key.public_key())).decode(),
            "key_fingerprint": key_fingerprint(key.public_key()),
            "signature": base64.b64encode(key.sign(manifest_sha256.encode())).decode(),
        },
        indent=2,
    ).encode()


def check_signature(
    data: bytes, manifest_sha256: str, expected: Ed25519PublicKey | None
) -> tuple[list[str], str | None]:
    """Problems found (empty when the signature holds) and the signing key's fingerprint."""
    try:
        sig = json.loads(data)
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(sig["public_key"]))
        signature = base64.b64decode(sig["signature"])
    except (ValueError, KeyError, TypeError) as exc:
        return [f"{SIGNATURE_FILE}: unreadable ({exc})"], None
    problems = []
    if sig.get("manifest_sha256") != manifest_sha256:
        problems.append(f"{SIGNATURE_FILE}: signs another manifest")
    try:
        public.verify(signature, manifest_sha256.encode())
    except InvalidSignature:
        problems.append(f"{SIGNATURE_FILE}: the signature does not match the manifest")
    if expected is not None and _raw(expected) != _raw(public):
        problems.append(
            f"{SIGNATURE_FILE}: signed by key {key_fingerprint(public)}, not by the expected key "
            f"{key_fingerprint(expected)}"
        )
    return problems, key_fingerprint(public)
