"""Every raw aiokafka client (analytics' batch consumer, notify's replay) follows the
platform's Kafka security rules: the same bootstrap, CA bundle and SCRAM secret."""

from __future__ import annotations

from pathlib import Path

from motcua_platform.messaging.kafka import client_options
from motcua_platform.settings import ServiceSettings
from motcua_testkit.platform import ca_subjects, self_signed_ca


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


async def test_notify_replay_clients_use_the_clusters_sasl_and_tls(tmp_path: Path) -> None:
    # The replay command built its clients from the bootstrap alone: on a SASL_SSL cluster
    # it spoke plaintext and was refused.
    from notify.entrypoints.replay import replay_clients

    ca = self_signed_ca(tmp_path / "ca.crt", "strimzi-ca")
    secret = tmp_path / "password"
    secret.write_text("notify-secret\n", encoding="utf-8")
    settings = ServiceSettings(
        environment="test",
        kafka_bootstrap="kafka.example:9093",
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_username="motcua-notify",
        kafka_sasl_password_file=str(secret),
        kafka_ssl_cafile=str(ca),
    )
    consumer, producer = replay_clients(settings, "notify")
    for client in (consumer._client, producer.client):
        assert client._security_protocol == "SASL_SSL"
        assert client._sasl_mechanism == "SCRAM-SHA-512"
        assert client._sasl_plain_username == "motcua-notify"
        assert client._sasl_plain_password == "notify-secret"
        assert ca_subjects(client._ssl_context) == {"strimzi-ca"}
