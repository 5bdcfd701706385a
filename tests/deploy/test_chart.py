"""The Helm chart checks, inside the test command.

scripts/helm-check.sh installs helm and the offline validator (first run only), then lints,
renders and validates the chart for several values files; these tests assert that it passes,
that it fails on broken values and manifests, and read the rendered objects (JSON written by
the script, so no YAML parser is needed here) for the rules every workload must follow.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "helm-check.sh"
HERE = Path(__file__).resolve().parent
CHART = ROOT / "deploy" / "helm" / "motcua"
ARTIFACTS = ROOT / "tests" / "artifacts" / "helm"
RUNBOOKS = ROOT / "docs" / "runbooks"

# The first run builds helm from the Go module proxy (a few minutes); later runs take seconds.
pytestmark = pytest.mark.timeout(1200)

CASES = {
    "default": "",
    "production": str(CHART / "values-production.yaml"),
    "province": str(CHART / "values-province.yaml"),
    "features": str(HERE / "values" / "all-features.yaml"),
}
BROKEN = {
    "broken-type": ("helm lint", "Invalid type. Expected: integer"),
    "broken-resources": ("helm lint", "limits is required"),
    "broken-manifest": ("schema validation", "'bogusField' was unexpected"),
    "broken-secret": ("helm template", "MOTCUA_INTAKE_DATABASE_URL looks like a secret"),
    "broken-keda": ("helm template", "keda scales on consumer lag and needs the consumer role"),
    "broken-auth": ("helm template", "global.auth.jwksUrl (https) is required in production"),
    "broken-notify-tokens": (
        "helm template",
        "services.notify.intakeTokens.existingSecret is required",
    ),
    "broken-proxies": ("helm template", "global.trustedProxies (the ingress controller's CIDRs)"),
    "broken-ingress": ("helm template", "ingress: path / (Prefix) would expose /internal"),
    "broken-ingress-callers": ("helm template", "networkPolicy.api.from must name the ingress"),
}
# services.<svc>.components.<component> -> roles, as the issue asks for them.
COMPONENTS = {
    "intake-api": "api",
    "intake-relay": "relay",
    "intake-consumer": "consumer",
    "intake-timers": "timers",
    "workflow-consumer": "consumer,relay",
    "workflow-timers": "timers",
    "workflow-api": "api",
    "notify-worker": "consumer,relay",
    "notify-api": "api",
    "analytics-consumer": "consumer",
    "analytics-api": "api",
}
ALERTS = {
    "MotcuaOutboxBacklogGrowing": "motcua_outbox_backlog",
    "MotcuaConsumerLagHigh": "motcua_consumer_lag_messages",
    "MotcuaDeadLettersPresent": "motcua_dead_letters_total",
    "MotcuaConsumerStalled": "motcua_consumer_stalled",
    "MotcuaDeadlineBreachRateRising": "motcua_deadline_breaches_total",
    "MotcuaServiceDown": "up{",
}
PROBES = (("livenessProbe", "/health/live"), ("readinessProbe", "/health/ready"))
SECRET_NAME = re.compile(r"(PASSWORD|PASSWD|SECRET|TOKEN|PRIVATE|CREDENTIAL|DATABASE_URL|_DSN$)")
Doc = dict[str, Any]


def run_check(*cases: str, out: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if out is not None:
        env["HELM_CHECK_OUT"] = str(out)
    return subprocess.run(
        ["bash", str(SCRIPT), *cases],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1100,
        check=False,
    )


@pytest.fixture(scope="module")
def rendered() -> dict[str, list[Doc]]:
    result = run_check(*(f"{name}={path}" for name, path in CASES.items()))
    assert result.returncode == 0, f"helm-check failed:\n{result.stdout}\n{result.stderr}"
    return {
        name: json.loads((ARTIFACTS / f"{name}.json").read_text(encoding="utf-8")) for name in CASES
    }


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> subprocess.CompletedProcess[str]:
    out = tmp_path_factory.mktemp("helm-broken")
    return run_check(*(f"{n}={HERE / 'values' / (n + '.yaml')}" for n in BROKEN), out=out)


# ---- helpers ---------------------------------------------------------------------------


def of_kind(docs: list[Doc], kind: str) -> list[Doc]:
    return [d for d in docs if d["kind"] == kind]


def by_name(docs: list[Doc], kind: str) -> dict[str, Doc]:
    return {d["metadata"]["name"]: d for d in of_kind(docs, kind)}


def workloads(docs: list[Doc]) -> Iterator[Doc]:
    yield from (d for d in docs if d["kind"] in ("Deployment", "Job"))


def containers(doc: Doc, *, init: bool = True) -> list[Doc]:
    spec = doc["spec"]["template"]["spec"]
    return (list(spec.get("initContainers", [])) if init else []) + list(spec["containers"])


def component(doc: Doc) -> str:
    return doc["metadata"]["labels"]["app.kubernetes.io/component"]


def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(k) == v for k, v in selector.items())


def min_replicas(docs: list[Doc], deployment: Doc) -> int:
    name = deployment["metadata"]["name"]
    for hpa in of_kind(docs, "HorizontalPodAutoscaler"):
        if hpa["spec"]["scaleTargetRef"]["name"] == name:
            return int(hpa["spec"].get("minReplicas", 1))
    for so in of_kind(docs, "ScaledObject"):
        if so["spec"]["scaleTargetRef"]["name"] == name:
            return int(so["spec"].get("minReplicaCount", 0))
    return int(deployment["spec"].get("replicas", 1))


def policy_violations(docs: list[Doc]) -> list[str]:
    """What every Deployment and Job must have; returns one line per violation."""
    found: list[str] = []
    for doc in workloads(docs):
        where = f"{doc['kind']}/{doc['metadata']['name']}"
        pod = doc["spec"]["template"]["spec"]
        pod_ctx = pod.get("securityContext") or {}
        if pod.get("automountServiceAccountToken") is not False:
            found.append(f"{where}: mounts the service account token")
        if (pod_ctx.get("seccompProfile") or {}).get("type") != "RuntimeDefault":
            found.append(f"{where}: no RuntimeDefault seccomp profile")
        if pod.get("hostNetwork") or pod.get("hostPID") or pod.get("hostIPC"):
            found.append(f"{where}: uses a host namespace")
        for c in containers(doc):
            at = f"{where}/{c['name']}"
            ctx = c.get("securityContext") or {}
            if ctx.get("runAsNonRoot", pod_ctx.get("runAsNonRoot")) is not True:
                found.append(f"{at}: runAsNonRoot is not true")
            if ctx.get("runAsUser", pod_ctx.get("runAsUser")) == 0:
                found.append(f"{at}: runs as uid 0")
            if ctx.get("readOnlyRootFilesystem") is not True:
                found.append(f"{at}: readOnlyRootFilesystem is not true")
            if ctx.get("allowPrivilegeEscalation") is not False:
                found.append(f"{at}: allowPrivilegeEscalation is not false")
            if ctx.get("privileged"):
                found.append(f"{at}: privileged")
            if "ALL" not in ((ctx.get("capabilities") or {}).get("drop") or []):
                found.append(f"{at}: capabilities do not drop ALL")
            if (ctx.get("capabilities") or {}).get("add"):
                found.append(f"{at}: adds capabilities")
            resources = c.get("resources") or {}
            for part in ("requests", "limits"):
                for res in ("cpu", "memory"):
                    if res not in (resources.get(part) or {}):
                        found.append(f"{at}: no {part}.{res}")
            if doc["kind"] == "Deployment" and c in containers(doc, init=False):
                for probe, path in PROBES:
                    got = ((c.get(probe) or {}).get("httpGet") or {}).get("path")
                    if got != path:
                        found.append(f"{at}: {probe} is not an HTTP GET on {path} (got {got})")
            for env in c.get("env") or []:
                # A path (_FILE, _DIR) or a list of names (_NAMES) says where secrets are.
                where_only = env["name"].endswith(("_FILE", "_DIR", "_NAMES"))
                from_secret = "secretKeyRef" in (env.get("valueFrom") or {})
                if SECRET_NAME.search(env["name"]) and not where_only and not from_secret:
                    found.append(f"{at}: {env['name']} is not read from a Secret")
                value = str(env.get("value", ""))
                if re.search(r"://[^/\s:@]+:[^/\s@]+@", value):
                    found.append(f"{at}: {env['name']} carries credentials inline")
    return found


# ---- the script ------------------------------------------------------------------------


def test_chart_checks_pass_and_write_the_manifests(rendered: dict[str, list[Doc]]) -> None:
    for name in ("default", "production"):
        assert (ARTIFACTS / f"{name}.yaml").stat().st_size > 0
        assert rendered[name], name


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_chart_checks_fail_on_broken_input(
    broken: subprocess.CompletedProcess[str], case: str
) -> None:
    step, message = BROKEN[case]
    output = broken.stdout + broken.stderr
    assert broken.returncode != 0, output
    assert f"helm-check FAILED: {case}: {step}" in output, output
    assert message in output, output


def test_policy_check_catches_a_deployment_without_probes(
    rendered: dict[str, list[Doc]],
) -> None:
    docs = json.loads(json.dumps(rendered["default"]))  # a copy to break
    deployment = next(iter(of_kind(docs, "Deployment")))
    del deployment["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]
    deployment["spec"]["template"]["spec"]["containers"][0]["securityContext"].pop(
        "readOnlyRootFilesystem"
    )
    found = policy_violations(docs)
    assert any("readinessProbe" in f for f in found), found
    assert any("readOnlyRootFilesystem" in f for f in found), found


# ---- every workload ----------------------------------------------------------------------


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_workload_is_locked_down(rendered: dict[str, list[Doc]], case: str) -> None:
    assert policy_violations(rendered[case]) == []


@pytest.mark.parametrize("case", sorted(CASES))
def test_no_secret_is_rendered(rendered: dict[str, list[Doc]], case: str) -> None:
    docs = rendered[case]
    assert of_kind(docs, "Secret") == []
    for doc in workloads(docs):
        if doc["kind"] == "Job" and not component(doc).endswith("-migrate"):
            continue  # topics and dead-letter jobs talk to Kafka only
        for c in containers(doc, init=False):
            db = [e for e in c.get("env", []) if e["name"].endswith("_DATABASE_URL")]
            assert db, f"{doc['metadata']['name']}: no database URL"
            assert all(set(e) == {"name", "valueFrom"} for e in db)


@pytest.mark.parametrize("case", ["default", "production"])
def test_one_deployment_per_component(rendered: dict[str, list[Doc]], case: str) -> None:
    deployments = of_kind(rendered[case], "Deployment")
    assert sorted(component(d) for d in deployments) == sorted(COMPONENTS)
    for d in deployments:
        c = d["spec"]["template"]["spec"]["containers"][0]
        svc = component(d).split("-")[0]
        assert c["command"] == [f"motcua-{svc}"]
        args = c["args"]
        assert args[:3] == ["serve", "--roles", COMPONENTS[component(d)]]
        assert args[args.index("--port") + 1] == "8080"
        assert args[args.index("--host") + 1] == "0.0.0.0"
        assert "--no-migrate" in args  # the migration Job owns the schema
        assert c["ports"] == [{"name": "http", "containerPort": 8080, "protocol": "TCP"}]


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_component_has_a_service(rendered: dict[str, list[Doc]], case: str) -> None:
    docs = rendered[case]
    services = by_name(docs, "Service")
    for d in of_kind(docs, "Deployment"):
        svc = services[d["metadata"]["name"]]
        assert selects(svc["spec"]["selector"], d["spec"]["template"]["metadata"]["labels"])
        assert [p["name"] for p in svc["spec"]["ports"]] == ["http"]


# ---- scaling and disruption --------------------------------------------------------------


def test_hpa_where_enabled(rendered: dict[str, list[Doc]]) -> None:
    default = rendered["default"]
    hpas = by_name(default, "HorizontalPodAutoscaler")
    assert set(hpas) == {"motcua-intake-api"}
    hpa = hpas["motcua-intake-api"]
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "motcua-intake-api",
    }
    assert hpa["spec"]["metrics"][0]["resource"]["name"] == "cpu"
    # A scaled Deployment leaves replicas to the autoscaler (upgrades must not reset it).
    assert "replicas" not in by_name(default, "Deployment")["motcua-intake-api"]["spec"]

    prod = rendered["production"]
    assert set(by_name(prod, "HorizontalPodAutoscaler")) == {
        f"motcua-{c}" for c in ("intake-api", "workflow-api", "notify-api", "analytics-api")
    }
    scaled = by_name(prod, "ScaledObject")
    assert set(scaled) == {
        f"motcua-{c}" for c in ("workflow-consumer", "notify-worker", "analytics-consumer")
    }
    # Never an HPA and a ScaledObject (which makes its own HPA) on one Deployment.
    assert not set(scaled) & set(by_name(prod, "HorizontalPodAutoscaler"))


def test_large_numbers_render_as_integers(rendered: dict[str, list[Doc]]) -> None:
    so = by_name(rendered["features"], "ScaledObject")["motcua-intake-consumer"]
    assert {t["metadata"]["lagThreshold"] for t in so["spec"]["triggers"]} == {"1000000"}
    for case, docs in rendered.items():
        text = json.dumps(docs)
        assert not re.search(r"\d\.?\d*e\+\d", text), case


def test_keda_scales_on_kafka_lag(rendered: dict[str, list[Doc]]) -> None:
    prod = rendered["production"]
    so = by_name(prod, "ScaledObject")["motcua-workflow-consumer"]
    [trigger] = so["spec"]["triggers"]
    assert trigger["type"] == "kafka"
    meta = trigger["metadata"]
    assert meta["consumerGroup"] == "workflow"
    assert meta["topic"] == "motcua.dossiers.v1"
    assert meta["sasl"] == "scram_sha512" and meta["tls"] == "enable"
    assert all(isinstance(v, str) for v in meta.values())
    auth = by_name(prod, "TriggerAuthentication")[trigger["authenticationRef"]["name"]]
    assert {r["parameter"] for r in auth["spec"]["secretTargetRef"]} == {"password", "ca"}
    assert so["spec"]["maxReplicaCount"] <= 48  # the partition count of the production values


@pytest.mark.parametrize("case", sorted(CASES))
def test_pdb_for_every_component_with_more_than_one_replica(
    rendered: dict[str, list[Doc]], case: str
) -> None:
    docs = rendered[case]
    pdbs = of_kind(docs, "PodDisruptionBudget")
    for d in of_kind(docs, "Deployment"):
        labels = d["spec"]["template"]["metadata"]["labels"]
        covering = [p for p in pdbs if selects(p["spec"]["selector"]["matchLabels"], labels)]
        if min_replicas(docs, d) > 1:
            assert len(covering) == 1, d["metadata"]["name"]
        else:  # a PDB on a single replica would block every node drain
            assert covering == [], d["metadata"]["name"]


def test_timers_run_once(rendered: dict[str, list[Doc]]) -> None:
    for case in ("default", "production"):
        for name in ("motcua-workflow-timers", "motcua-intake-timers"):
            timers = by_name(rendered[case], "Deployment")[name]
            assert timers["spec"]["replicas"] == 1
            assert timers["spec"]["strategy"]["type"] == "Recreate"


# ---- network -----------------------------------------------------------------------------


@pytest.mark.parametrize("case", sorted(CASES))
def test_default_deny_network_policy(rendered: dict[str, list[Doc]], case: str) -> None:
    docs = rendered[case]
    deny = [
        p
        for p in of_kind(docs, "NetworkPolicy")
        if sorted(p["spec"].get("policyTypes", [])) == ["Egress", "Ingress"]
        and not p["spec"].get("ingress")
        and not p["spec"].get("egress")
    ]
    assert len(deny) == 1
    selector = deny[0]["spec"]["podSelector"]["matchLabels"]
    for doc in workloads(docs):  # every pod of the release, hook Jobs included
        assert selects(selector, doc["spec"]["template"]["metadata"]["labels"])


def test_production_egress_is_limited_to_the_platform(rendered: dict[str, list[Doc]]) -> None:
    egress = by_name(rendered["production"], "NetworkPolicy")["motcua-allow-egress"]
    for rule in egress["spec"]["egress"]:
        assert rule.get("to"), rule  # no rule open to every address


# ---- Kafka, PostgreSQL and secrets -------------------------------------------------------


def env_of(container: Doc) -> dict[str, Doc]:
    return {e["name"]: e for e in container.get("env", [])}


def mounted(doc: Doc, container: Doc, path: str) -> bool:
    mounts = {m["mountPath"] for m in container.get("volumeMounts", [])}
    return any(path.startswith(m.rstrip("/") + "/") for m in mounts)


def test_production_uses_sasl_ssl_and_postgres_tls(rendered: dict[str, list[Doc]]) -> None:
    for d in of_kind(rendered["production"], "Deployment"):
        c = d["spec"]["template"]["spec"]["containers"][0]
        svc = component(d).split("-")[0].upper()
        env = env_of(c)
        assert env[f"MOTCUA_{svc}_KAFKA_SECURITY_PROTOCOL"]["value"] == "SASL_SSL"
        assert env[f"MOTCUA_{svc}_KAFKA_SASL_USERNAME"]["value"] == f"motcua-{svc.lower()}"
        for name in (
            f"MOTCUA_{svc}_KAFKA_SASL_PASSWORD_FILE",
            f"MOTCUA_{svc}_KAFKA_SSL_CAFILE",
            "SSL_CERT_FILE",
            "PGSSLROOTCERT",
        ):
            assert mounted(d, c, env[name]["value"]), f"{d['metadata']['name']}: {name}"
        # The platform's Kafka client verifies the brokers against the cluster CA itself.
        assert env[f"MOTCUA_{svc}_KAFKA_SSL_CAFILE"]["value"] == "/etc/motcua/tls/kafka/ca.crt"
        # SSL_CERT_FILE is a bundle (system CAs + the Kafka CA) built by an init container.
        [init] = d["spec"]["template"]["spec"]["initContainers"]
        assert init["name"] == "ca-bundle"
        assert env["SSL_CERT_FILE"]["value"] in init["command"][-1]
        assert "/etc/ssl/certs/ca-certificates.crt" in init["command"][-1]
        assert env[f"MOTCUA_{svc}_ENVIRONMENT"]["value"] == "production"
        # Every service verifies tokens against the identity provider, not intake alone.
        assert env[f"MOTCUA_{svc}_JWKS_URL"]["value"].startswith("https://")
        assert env[f"MOTCUA_{svc}_JWT_ISSUER"]["value"].startswith("https://")
        assert env[f"MOTCUA_{svc}_JWT_AUDIENCE"]["value"] == "motcua"
        assert env[f"MOTCUA_{svc}_CONSUMER_GROUP"]["value"] == svc.lower()
        assert env[f"MOTCUA_{svc}_OTLP_ENDPOINT"]["value"].startswith("http")


def test_notify_reads_intake_with_one_token_per_commune(rendered: dict[str, list[Doc]]) -> None:
    # Production refused to start without MOTCUA_NOTIFY_INTAKE_TOKEN_FILE naming the commune.
    for d in of_kind(rendered["production"], "Deployment"):
        if not component(d).startswith("notify"):
            continue
        c = d["spec"]["template"]["spec"]["containers"][0]
        path = env_of(c)["MOTCUA_NOTIFY_INTAKE_TOKEN_FILE"]["value"]
        assert path.endswith("/{tenant_id}")
        assert mounted(d, c, path.replace("{tenant_id}", "quyet-thang"))
        volumes = {v["name"]: v for v in d["spec"]["template"]["spec"]["volumes"]}
        assert volumes["intake-tokens"]["secret"]["secretName"] == "motcua-notify-intake-tokens"
        assert "items" not in volumes["intake-tokens"]["secret"]  # every commune's key


def test_default_is_plain_kafka(rendered: dict[str, list[Doc]]) -> None:
    for d in of_kind(rendered["default"], "Deployment"):
        env = env_of(d["spec"]["template"]["spec"]["containers"][0])
        protocol = [v["value"] for k, v in env.items() if k.endswith("_KAFKA_SECURITY_PROTOCOL")]
        assert protocol == ["PLAINTEXT"]
        assert [v["value"] for k, v in env.items() if k.endswith("_KAFKA_BOOTSTRAP")]
        assert not [
            k
            for k in env
            if "SASL" in k or "CAFILE" in k or k in ("SSL_CERT_FILE", "PGSSLROOTCERT")
        ]


def test_kafka_tls_without_sasl_uses_the_configured_ca_file(
    rendered: dict[str, list[Doc]],
) -> None:
    """SSL only; the CA bundle named by path (caFile) wins over the secret's mount path."""
    checked = []
    for d in of_kind(rendered["features"], "Deployment"):
        c = d["spec"]["template"]["spec"]["containers"][0]
        env = env_of(c)
        svc = component(d).split("-")[0].upper()
        if f"MOTCUA_{svc}_KAFKA_BOOTSTRAP" not in env:
            continue  # no Kafka in this component
        assert env[f"MOTCUA_{svc}_KAFKA_SECURITY_PROTOCOL"]["value"] == "SSL"
        assert env[f"MOTCUA_{svc}_KAFKA_SSL_CAFILE"]["value"] == "/etc/pki/motcua/kafka-ca.pem"
        assert not [k for k in env if "SASL" in k], d["metadata"]["name"]
        checked.append(d["metadata"]["name"])
    assert "motcua-workflow-consumer" in checked and "motcua-notify-worker" in checked


def test_secret_files_are_mounted(rendered: dict[str, list[Doc]]) -> None:
    api = by_name(rendered["production"], "Deployment")["motcua-intake-api"]
    c = api["spec"]["template"]["spec"]["containers"][0]
    path = env_of(c)["MOTCUA_INTAKE_LOOKUP_SECRET_FILE"]["value"]
    assert mounted(api, c, path)
    volumes = {v["name"]: v for v in api["spec"]["template"]["spec"]["volumes"]}
    assert volumes["secret-lookup"]["secret"]["secretName"] == "motcua-intake-lookup"


# ---- hooks: migrations and topics --------------------------------------------------------


@pytest.mark.parametrize("case", ["default", "production"])
def test_migration_job_per_service_is_a_pre_install_hook(
    rendered: dict[str, list[Doc]], case: str
) -> None:
    jobs = by_name(rendered[case], "Job")
    for svc in ("intake", "workflow", "notify", "analytics"):
        job = jobs[f"motcua-{svc}-migrate"]
        notes = job["metadata"]["annotations"]
        assert notes["helm.sh/hook"] == "pre-install,pre-upgrade"
        assert "before-hook-creation" in notes["helm.sh/hook-delete-policy"]
        [c] = job["spec"]["template"]["spec"]["containers"]
        assert c["command"] == [f"motcua-{svc}"] and c["args"] == ["migrate"]
        assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
        assert not [e for e in c["env"] if "KAFKA" in e["name"]]  # the database only


def topic_names(topics: list[Doc]) -> set[str]:
    return {t["name"] for t in topics}


EXPECTED_TOPICS = {
    "motcua.dossiers.v1",
    "motcua.clock.v1",
    "motcua.notifications.v1",
    "motcua.tenants.v1",
    "motcua.dossiers.v1.dlq.workflow",
    "motcua.dossiers.v1.dlq.notify",
    "motcua.dossiers.v1.dlq.analytics",
    "motcua.clock.v1.dlq.intake",
}


def test_topics_job_provisions_every_topic(rendered: dict[str, list[Doc]]) -> None:
    docs = rendered["production"]
    cm = by_name(docs, "ConfigMap")["motcua-topics"]
    job = by_name(docs, "Job")["motcua-topics"]
    for hook in (cm, job):
        assert hook["metadata"]["annotations"]["helm.sh/hook"] == "pre-install,pre-upgrade"
    # The script's ConfigMap must exist before the Job: lower weight first.
    weight = int(cm["metadata"]["annotations"]["helm.sh/hook-weight"])
    assert weight < int(job["metadata"]["annotations"]["helm.sh/hook-weight"])
    topics = json.loads(cm["data"]["topics.json"])["topics"]
    assert topic_names(topics) == EXPECTED_TOPICS
    by_topic = {t["name"]: t for t in topics}
    assert by_topic["motcua.tenants.v1"]["config"]["cleanup.policy"] == "compact"
    for t in topics:  # Kafka wants plain integers, not 1.2096e+09
        assert re.fullmatch(r"-?\d+", t["config"]["retention.ms"]), t
        assert re.fullmatch(r"\d+", t["config"]["min.insync.replicas"]), t
    assert by_topic["motcua.dossiers.v1"]["config"]["retention.ms"] == "1209600000"
    assert by_topic["motcua.dossiers.v1"]["partitions"] == 48
    assert {t["replicationFactor"] for t in topics} == {3}
    assert "def make_plan" in cm["data"]["provision_topics.py"]


def test_strimzi_topics_replace_the_job(rendered: dict[str, list[Doc]]) -> None:
    docs = rendered["province"]
    assert "motcua-topics" not in by_name(docs, "Job")
    kafka_topics = of_kind(docs, "KafkaTopic")
    assert {t["spec"]["topicName"] for t in kafka_topics} == EXPECTED_TOPICS
    for t in kafka_topics:
        assert t["metadata"]["labels"]["strimzi.io/cluster"] == "sonla"
        assert t["metadata"]["namespace"] == "kafka"
        assert t["metadata"]["annotations"]["helm.sh/resource-policy"] == "keep"
        assert t["spec"]["replicas"] == 3
        assert re.fullmatch(r"-?\d+", t["spec"]["config"]["retention.ms"]), t


# ---- observability -----------------------------------------------------------------------


def test_prometheus_rule_has_the_alerts(rendered: dict[str, list[Doc]]) -> None:
    [rule] = of_kind(rendered["production"], "PrometheusRule")
    alerts = {r["alert"]: r for g in rule["spec"]["groups"] for r in g["rules"] if "alert" in r}
    assert set(ALERTS) <= set(alerts)
    for name, metric in ALERTS.items():
        assert metric in alerts[name]["expr"], name
    for name, alert in alerts.items():
        assert alert["labels"]["severity"] in ("warning", "critical"), name
        runbook = alert["annotations"]["runbook_url"].rsplit("/", 1)[-1]
        assert (RUNBOOKS / runbook).is_file(), f"{name}: no runbook {runbook}"
    lag = alerts["MotcuaConsumerLagHigh"]["expr"]
    assert 'group=~"analytics|intake|notify|workflow"' in lag and "sum by (group, topic)" in lag
    # The services' own gauge, exactly as the platform exposes it (name and labels).
    from motcua_platform.messaging import lag as lag_metric

    assert lag_metric.NAME in lag and {"group", "topic"} <= set(lag_metric.LABELS)


def test_service_monitor_scrapes_every_component(rendered: dict[str, list[Doc]]) -> None:
    docs = rendered["production"]
    [sm] = of_kind(docs, "ServiceMonitor")
    [endpoint] = sm["spec"]["endpoints"]
    assert endpoint["port"] == "http" and endpoint["path"] == "/metrics"
    selector = sm["spec"]["selector"]["matchLabels"]
    for d in of_kind(docs, "Deployment"):
        svc = by_name(docs, "Service")[d["metadata"]["name"]]
        assert selects(selector, svc["metadata"]["labels"]), d["metadata"]["name"]


def test_grafana_dashboards_are_provisioned(rendered: dict[str, list[Doc]]) -> None:
    docs = rendered["production"]
    boards = [
        c for c in of_kind(docs, "ConfigMap") if "grafana_dashboard" in c["metadata"]["labels"]
    ]
    files = sorted(p.name for p in (ROOT / "deploy" / "grafana").glob("*.json"))
    assert sorted(k for b in boards for k in b["data"]) == files
    ops = json.loads(
        next(b for b in boards if "motcua-operations.json" in b["data"])["data"][
            "motcua-operations.json"
        ]
    )
    exprs = " ".join(t["expr"] for p in ops["panels"] for t in p.get("targets", []))
    for metric in (
        "motcua_outbox_backlog",
        "motcua_consumer_lag_messages",
        "motcua_dead_letters_total",
        "motcua_consumer_processing_seconds_bucket",
    ):
        assert metric in exprs, metric
    assert not of_kind(rendered["default"], "ServiceMonitor")  # optional CRDs stay off


def test_every_service_trusts_only_the_configured_proxies(
    rendered: dict[str, list[Doc]],
) -> None:
    """X-Forwarded-For is believed only from the ingress' CIDRs (issue 17, point 2)."""
    for case, expected in (("production", "10.244.0.0/16"), ("province", "10.42.0.0/16")):
        seen = set()
        for doc in workloads(rendered[case]):
            for container in containers(doc, init=False):
                for name, var in env_of(container).items():
                    if name.endswith("_TRUSTED_PROXIES"):
                        assert var["value"] == expected, (case, name)
                        seen.add(name)
        services = ("INTAKE", "WORKFLOW", "NOTIFY", "ANALYTICS")
        assert seen == {f"MOTCUA_{s}_TRUSTED_PROXIES" for s in services}, (case, seen)
    for doc in workloads(rendered["default"]):  # no ingress: the peer is the client
        for container in containers(doc, init=False):
            assert not [n for n in env_of(container) if n.endswith("_TRUSTED_PROXIES")]


def test_ingress_routes_to_api_components(rendered: dict[str, list[Doc]]) -> None:
    [ingress] = of_kind(rendered["production"], "Ingress")
    services = by_name(rendered["production"], "Service")
    for rule in ingress["spec"]["rules"]:
        for path in rule["http"]["paths"]:
            backend = path["backend"]["service"]["name"]
            assert services[backend]["metadata"]["labels"].get("motcua.gov.vn/api") == "true"
    assert ingress["spec"]["tls"]


def test_dlq_replay_job_when_asked(rendered: dict[str, list[Doc]]) -> None:
    assert not [j for j in by_name(rendered["default"], "Job") if "dlq-replay" in j]
    [job] = [j for n, j in by_name(rendered["features"], "Job").items() if "dlq-replay" in n]
    assert "helm.sh/hook" not in job["metadata"].get("annotations", {})
    [c] = job["spec"]["template"]["spec"]["containers"]
    assert c["args"][:2] == ["--topic", "motcua.dossiers.v1.dlq.workflow"]
    assert "--dry-run" not in c["args"]
    assert by_name(rendered["features"], "ConfigMap")["motcua-tools"]["data"]["dlq_replay.py"]


# ---- issue 17: only public paths outside, /internal for the platform's pods ---------------

CLUSTER_ONLY = ("/internal", "/metrics", "/docs", "/redoc", "/openapi.json", "/health")


def routed(ingress: Doc, host: str | None, url_path: str) -> str | None:
    """The backend Kubernetes' path matching sends `url_path` to (longest match), if any."""
    best: tuple[int, str] | None = None
    for rule in ingress["spec"]["rules"]:
        if host is not None and rule.get("host") != host:
            continue
        for p in rule["http"]["paths"]:
            path, kind = p["path"], p["pathType"]
            assert kind in ("Prefix", "Exact"), p  # a regular expression could reach anything
            if kind == "Exact":
                hit = url_path == path
            else:
                base = path.rstrip("/")
                hit = base == "" or url_path == base or url_path.startswith(base + "/")
            if hit and (best is None or len(path) > best[0]):
                best = (len(path), p["backend"]["service"]["name"])
    return best[1] if best else None


@pytest.mark.parametrize("case", ["production", "province", "features"])
def test_ingress_routes_only_public_paths(rendered: dict[str, list[Doc]], case: str) -> None:
    [ingress] = of_kind(rendered[case], "Ingress")
    for inside in CLUSTER_ONLY:
        for url in (inside, inside + "/v1/dossiers/x/contact", inside + "/live"):
            assert routed(ingress, None, url) is None, (case, url)
    assert routed(ingress, None, "/tra-cuu/abc") == "motcua-intake-api"
    assert routed(ingress, None, "/api/v1/communes/x/dossiers") is not None


def test_production_ingress_serves_the_public_pages_and_the_dashboard(
    rendered: dict[str, list[Doc]],
) -> None:
    [ingress] = of_kind(rendered["production"], "Ingress")
    api, chiso = "api.motcua.gov.vn", "chiso.motcua.gov.vn"
    assert routed(ingress, api, "/tra-cuu") == "motcua-intake-api"
    assert routed(ingress, api, "/tra-cuu/tok/danh-gia") == "motcua-intake-api"
    assert routed(ingress, api, "/") is None
    assert routed(ingress, chiso, "/") == "motcua-analytics-api"  # redirects to the dashboard
    assert routed(ingress, chiso, "/bang-dieu-khien/static/app.js") == "motcua-analytics-api"
    assert routed(ingress, chiso, "/api/v1/ranking") == "motcua-analytics-api"
    for host in (api, chiso, "thongbao.motcua.gov.vn", "tiendo.motcua.gov.vn"):
        assert routed(ingress, host, "/openapi.json") is None
        assert routed(ingress, host, "/docs") is None


@pytest.mark.parametrize("case", sorted(CASES))
def test_api_port_only_for_the_platform_and_the_named_callers(
    rendered: dict[str, list[Doc]], case: str
) -> None:
    """NetworkPolicy is L4: the API port (hence intake's /internal contact read) answers the
    release's pods and the callers the values name, never any pod of the cluster."""
    docs = rendered[case]
    policies = by_name(docs, "NetworkPolicy")
    allow = policies["motcua-allow-api"]
    [rule] = allow["spec"]["ingress"]
    peers = rule.get("from")
    assert peers, "an empty `from` lets every address reach /internal"
    release = {"app.kubernetes.io/name": "motcua", "app.kubernetes.io/instance": "motcua"}
    assert {"podSelector": {"matchLabels": release}} in peers
    for peer in peers:
        assert peer.get("podSelector") or peer.get("namespaceSelector"), peer
        assert "ipBlock" not in peer
    if case == "production":
        assert len(peers) == 2 and peers[1]["namespaceSelector"]["matchLabels"] == {
            "kubernetes.io/metadata.name": "ingress-nginx"
        }
    else:
        assert all(p.get("podSelector") or p.get("namespaceSelector") for p in peers)
    # notify may call the platform's API components (intake's contact read), and only those.
    egress = policies["motcua-allow-egress"]["spec"]["egress"]
    [to_api] = [r for r in egress if r["ports"] == [{"port": "http", "protocol": "TCP"}]]
    assert to_api["to"] == [
        {"podSelector": {"matchLabels": release | {"motcua.gov.vn/api": "true"}}}
    ]


def test_notify_names_only_what_the_deployment_declares(rendered: dict[str, list[Doc]]) -> None:
    deployments = by_name(rendered["production"], "Deployment")
    for name in ("motcua-notify-api", "motcua-notify-worker"):
        doc = deployments[name]
        [c] = containers(doc, init=False)
        env = env_of(c)
        assert env["MOTCUA_NOTIFY_GATEWAY_HOSTS"]["value"] == (
            "sms-gateway.motcua.gov.vn,business.openapi.zalo.me"
        )
        assert env["MOTCUA_NOTIFY_SECRET_ENV_NAMES"]["value"] == ""
        folder = env["MOTCUA_NOTIFY_SECRETS_DIR"]["value"]
        assert folder == "/var/run/secrets/motcua/providers"
        assert mounted(doc, c, folder + "/sms-token")
        volumes = {v["name"]: v for v in doc["spec"]["template"]["spec"]["volumes"]}
        assert volumes["provider-secrets"]["secret"]["secretName"] == "motcua-notify-providers"
        assert env["MOTCUA_NOTIFY_INTAKE_URL"]["value"] == "http://motcua-intake-api:8080"
    default = by_name(rendered["default"], "Deployment")["motcua-notify-api"]
    [c] = containers(default, init=False)
    env = env_of(c)
    assert env["MOTCUA_NOTIFY_GATEWAY_HOSTS"]["value"] == ""  # nothing declared: nothing allowed
    assert "MOTCUA_NOTIFY_SECRETS_DIR" not in env
    intake = by_name(rendered["production"], "Deployment")["motcua-intake-api"]
    assert "MOTCUA_INTAKE_GATEWAY_HOSTS" not in env_of(containers(intake, init=False)[0])
