"""notify's DLQ replay connects as the service does: TLS and SASL from the platform's options."""

from __future__ import annotations

from pathlib import Path

from motcua_platform.settings import ServiceSettings
from motcua_platform.testing import ca_subjects, self_signed_ca


async def test_notify_dlq_replay_connects_with_tls_and_sasl(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The replay built its clients from the bootstrap alone: a secured cluster refused it."""
    from types import SimpleNamespace

    import pytest
    from notify.entrypoints import replay as replay_module

    made: dict[str, dict[str, object]] = {}

    class Refused(Exception):
        pass

    def recorder(name: str):  # type: ignore[no-untyped-def]
        def make(*_args: object, **kwargs: object) -> object:
            made[name] = kwargs
            if name == "producer":
                raise Refused  # both built: stop before any connection
            return object()

        return make

    monkeypatch.setattr(replay_module, "AIOKafkaConsumer", recorder("consumer"))
    monkeypatch.setattr(replay_module, "AIOKafkaProducer", recorder("producer"))
    ca = self_signed_ca(tmp_path / "ca.crt", "strimzi-ca")
    secret = tmp_path / "password"
    secret.write_text("s3cret\n", encoding="utf-8")
    settings = ServiceSettings(
        environment="test",
        service_name="notify",
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_username="motcua-notify",
        kafka_sasl_password_file=str(secret),
        kafka_ssl_cafile=str(ca),
    )
    with pytest.raises(Refused):
        await replay_module.replay(SimpleNamespace(settings=settings))  # type: ignore[arg-type]
    for options in made.values():
        assert options["security_protocol"] == "SASL_SSL"
        assert options["sasl_mechanism"] == "SCRAM-SHA-512"
        assert options["sasl_plain_password"] == "s3cret"
        assert ca_subjects(options["ssl_context"]) == {"strimzi-ca"}  # type: ignore[arg-type]
    assert set(made) == {"consumer", "producer"}
