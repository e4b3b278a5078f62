"""A self-signed certificate for serving the emulator over HTTPS and WSS (``--tls``).

The official SDK always opens Live sessions over ``wss://`` when it has a key, whatever the base
URL's scheme, so it can only reach an emulator that speaks TLS. The certificate names
``127.0.0.1``, ``::1`` and ``localhost``; point the SDK at it with ``SSL_CERT_FILE=PATH``.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import tempfile
from pathlib import Path

__all__ = ["self_signed"]


def self_signed(directory: Path | None = None) -> tuple[Path, Path]:
    """Write a fresh key and certificate; return ``(certificate, key)`` paths."""
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID
    except ImportError:
        raise RuntimeError(
            "--tls needs the 'cryptography' package: pip install \"gemini-nb[emulator]\""
        ) from None
    folder = directory or Path(tempfile.mkdtemp(prefix="gemini-nb-tls-"))
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "gemini-nb emulator")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("localhost"),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                    x509.IPAddress(ipaddress.ip_address("::1")),
                ]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "emulator.crt", folder / "emulator.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    return cert_path, key_path
