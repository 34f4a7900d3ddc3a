"""Ed25519 keys for the log's signed checkpoints: make, load, sign and check (`cryptography`).

The private key is a PEM (PKCS#8) file readable only by its owner (mode 600 or 400: anything more
is refused, as ssh refuses a private key others can read). Its public key is written beside it as
`<key>.pub`, one line `ed25519:<64 hex digits>`, and that text is what `hotline log verify --key`
takes (or the .pub file's path).
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from terminal.log.errors import LogError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

# `cryptography` (its Rust binding with its own OpenSSL: about 11 MB resident, 55 ms to import)
# is imported by each function that signs, checks or loads a key, when it first runs: a desk
# that signs nothing, and `hotline` commands that check nothing, never load it.

PUBLIC_PREFIX = "ed25519:"


class KeyFileError(LogError):
    """A signing key or public key that cannot be used; the message names the file and why."""


def public_text(key: Ed25519PublicKey) -> str:
    """`ed25519:<64 lower-case hex digits>` of the raw public key."""
    from cryptography.hazmat.primitives import serialization

    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return PUBLIC_PREFIX + raw.hex()


def key_id(public: str) -> str:
    """A short name for a public key in messages: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(public.encode()).hexdigest()[:16]


def parse_public(text: str) -> str:
    """Check `ed25519:<hex>` (or a path to a file holding it) and return the canonical text."""
    candidate = text.strip()
    if not candidate.startswith(PUBLIC_PREFIX):
        path = Path(candidate)
        try:
            candidate = path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise KeyFileError(
                f"{text!r} is neither a public key (ed25519:<64 hex>) nor a readable file: {exc}"
            ) from None
    digits = candidate.removeprefix(PUBLIC_PREFIX).lower()
    if not candidate.startswith(PUBLIC_PREFIX) or len(digits) != 64:
        raise KeyFileError(f"{text!r} does not hold a public key of the form ed25519:<64 hex>")
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(digits))
    except ValueError as exc:
        raise KeyFileError(f"{text!r} is not a valid Ed25519 public key: {exc}") from None
    return PUBLIC_PREFIX + digits


def check_signature(public: str, signature_hex: str, message: bytes) -> bool:
    """True if `signature_hex` is `public`'s Ed25519 signature of `message`."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public.removeprefix(PUBLIC_PREFIX)))
        key.verify(bytes.fromhex(signature_hex), message)
    except (InvalidSignature, ValueError):
        return False
    return True


@dataclass(frozen=True)
class Signer:
    """A private key in memory, and its public text."""

    key: Ed25519PrivateKey
    public: str
    path: Path | None = None

    def sign(self, message: bytes) -> str:
        """The signature of `message`, 128 hex digits."""
        return self.key.sign(message).hex()

    @classmethod
    def new(cls) -> Signer:
        """A fresh key (tests, benchmarks; `generate` writes one to a file)."""
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        key = Ed25519PrivateKey.generate()
        return cls(key, public_text(key.public_key()))


def public_path(path: Path) -> Path:
    """Where a key's public key is written: `<key>.pub`."""
    return path.with_name(path.name + ".pub")


def key_problem(path: Path) -> str:
    """What is wrong with a signing key file ("" when nothing): missing, unreadable, or mode."""
    try:
        info = path.stat()
    except OSError as exc:
        return f"cannot be read: {exc.strerror or exc} (make one with `hotline log keygen`)"
    if not stat.S_ISREG(info.st_mode):
        return "is not a regular file"
    if not os.access(path, os.R_OK):
        return "cannot be read: permission denied"
    if info.st_mode & 0o077:
        return f"is readable by others (mode {stat.S_IMODE(info.st_mode):03o}); chmod 600 it"
    return ""


def load_signer(path: Path) -> Signer:
    """Read a signing key; KeyFileError unless it is an owner-only Ed25519 PEM key."""
    problem = key_problem(path)
    if problem:
        raise KeyFileError(f"signing key {path} {problem}")
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise KeyFileError(f"signing key {path} cannot be loaded: {exc}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"signing key {path} is not an Ed25519 key")
    return Signer(key, public_text(key.public_key()), path)


def generate(path: Path) -> Signer:
    """Write a new key to `path` (created mode 600; refused if it exists) and `<path>.pub`."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise KeyFileError(f"{path} already exists; nothing was written") from None
    except OSError as exc:
        raise KeyFileError(f"cannot create {path}: {exc.strerror or exc}") from None
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
        out.flush()
        os.fsync(out.fileno())
    os.chmod(path, 0o600)  # whatever the umask
    signer = Signer(key, public_text(key.public_key()), path)
    pub = public_path(path)
    pub.write_text(signer.public + "\n", encoding="utf-8")
    return signer
