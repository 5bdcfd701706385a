"""Fakes that implement the platform's ports, for every service's unit tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from motcua_platform.messaging.tables import inbox_table, outbox_table
from motcua_platform.messaging.types import OutboundMessage
from sqlalchemy import Column, Integer, MetaData, String, Table


class RecordingPublisher:
    """Records published batches, or fails the next `fail_times` calls like a broker outage."""

    def __init__(self) -> None:
        self.sent: list[OutboundMessage] = []
        self.fail_times = 0

    async def publish_many(self, messages: Sequence[OutboundMessage]) -> None:
        if self.fail_times > 0:
            self.fail_times -= 1
            raise ConnectionError("broker unavailable")
        self.sent.extend(messages)


def scratch_schema() -> tuple[MetaData, Table, Table, Table]:
    """Outbox, inbox and an `effects` table standing for any handler's business change."""
    metadata = MetaData()
    effects = Table(
        "effects",
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("note", String(100)),
    )
    return metadata, outbox_table(metadata), inbox_table(metadata), effects


def self_signed_ca(path: Path, name: str) -> Path:
    """A self-signed CA certificate in PEM, as a cluster's CA secret would hold it."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return path


def ca_subjects(context: object) -> set[str]:
    """The common names of the CA certificates an SSL context trusts."""
    certs = context.get_ca_certs()  # type: ignore[attr-defined]
    return {value for cert in certs for rdn in cert["subject"] for _, value in rdn}
