"""Every raw aiokafka client takes its options from one function, with the broker's rules."""

from __future__ import annotations

from pathlib import Path

from motcua_platform.messaging.kafka import client_options
from motcua_platform.settings import ServiceSettings
from motcua_platform.testing import ca_subjects, self_signed_ca


def test_plain_loopback_has_no_tls() -> None:
    options = client_options(ServiceSettings(environment="test"))
    assert "ssl_context" not in options
    assert "security_protocol" not in options


def test_tls_trusts_the_configured_ca_bundle(tmp_path: Path) -> None:
    ca = self_signed_ca(tmp_path / "ca.crt", "analytics-cluster-ca")
    settings = ServiceSettings(
        environment="test", kafka_security_protocol="SSL", kafka_ssl_cafile=str(ca)
    )
    options = client_options(settings)
    assert options["security_protocol"] == "SSL"
    assert ca_subjects(options["ssl_context"]) == {"analytics-cluster-ca"}


def test_sasl_scram_reads_the_password_file(tmp_path: Path) -> None:
    ca = self_signed_ca(tmp_path / "ca.crt", "strimzi-ca")
    secret = tmp_path / "password"
    secret.write_text("from-a-mounted-secret\n", encoding="utf-8")
    settings = ServiceSettings(
        environment="test",
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_username="motcua-analytics",
        kafka_sasl_password_file=str(secret),
        kafka_ssl_cafile=str(ca),
    )
    options = client_options(settings)
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert options["sasl_plain_password"] == "from-a-mounted-secret"
    assert ca_subjects(options["ssl_context"]) == {"strimzi-ca"}
