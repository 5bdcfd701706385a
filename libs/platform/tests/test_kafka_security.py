"""Kafka over TLS with a CA bundle, SASL/SCRAM on top; plain loopback stays the default."""

from __future__ import annotations

from pathlib import Path

import pytest
from faststream.security import SASLScram512
from motcua_platform.messaging.kafka import _security, ssl_context
from motcua_platform.settings import ServiceSettings
from motcua_testkit.platform import ca_subjects as _subjects
from motcua_testkit.platform import self_signed_ca as _ca
from pydantic import ValidationError
from pydantic_settings import SettingsConfigDict


def test_plain_loopback_is_the_default() -> None:
    settings = ServiceSettings(environment="test")
    assert settings.kafka_bootstrap.startswith("127.0.0.1:")
    assert settings.kafka_security_protocol == "PLAINTEXT"
    assert _security(settings) is None


def test_ssl_trusts_exactly_the_configured_ca_bundle(tmp_path: Path) -> None:
    ca = _ca(tmp_path / "ca.crt", "motcua-cluster-ca")
    settings = ServiceSettings(
        environment="test", kafka_security_protocol="SSL", kafka_ssl_cafile=str(ca)
    )
    security = _security(settings)
    assert security is not None and security.use_ssl
    assert security.ssl_context is not None
    assert _subjects(security.ssl_context) == {"motcua-cluster-ca"}
    assert security.ssl_context.check_hostname  # the brokers' names are verified too


def test_sasl_scram_over_tls_reads_the_password_file(tmp_path: Path) -> None:
    ca = _ca(tmp_path / "ca.crt", "strimzi-ca")
    secret = tmp_path / "password"
    secret.write_text("s3cret-from-a-mounted-file\n", encoding="utf-8")
    settings = ServiceSettings(
        environment="test",
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_username="motcua-workflow",
        kafka_sasl_password_file=str(secret),
        kafka_ssl_cafile=str(ca),
    )
    security = _security(settings)
    assert isinstance(security, SASLScram512)
    assert (security.username, security.password) == (
        "motcua-workflow",
        "s3cret-from-a-mounted-file",
    )
    assert security.ssl_context is not None
    assert _subjects(security.ssl_context) == {"strimzi-ca"}


def test_unsafe_or_broken_combinations_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="kafka_ssl_cafile needs"):
        ServiceSettings(environment="test", kafka_ssl_cafile=str(tmp_path / "ca.crt"))  # PLAINTEXT
    with pytest.raises(ValidationError, match="SASL_SSL needs"):
        ServiceSettings(
            environment="test", kafka_security_protocol="SASL_SSL", kafka_sasl_username="u"
        )
    missing = ServiceSettings(
        environment="test", kafka_security_protocol="SSL", kafka_ssl_cafile=str(tmp_path / "x")
    )
    with pytest.raises(FileNotFoundError):
        ssl_context(missing)


def test_the_setting_is_read_from_the_service_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class WorkflowSettings(ServiceSettings):  # as each service declares its own
        model_config = SettingsConfigDict(env_prefix="MOTCUA_WORKFLOW_", extra="ignore")

    ca = _ca(tmp_path / "ca.crt", "env-ca")
    monkeypatch.setenv("MOTCUA_WORKFLOW_KAFKA_SECURITY_PROTOCOL", "SSL")
    monkeypatch.setenv("MOTCUA_WORKFLOW_KAFKA_SSL_CAFILE", str(ca))
    settings = WorkflowSettings(environment="test")
    assert settings.kafka_ssl_cafile == str(ca)
    assert _subjects(ssl_context(settings)) == {"env-ca"}
