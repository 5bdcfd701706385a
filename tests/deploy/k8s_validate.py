"""Validate rendered Kubernetes manifests offline; write them as JSON for the chart tests.

Run by scripts/helm-check.sh with the Python of .cache/tools/kv-venv, which holds the PyPI
package kubernetes-validate (the Kubernetes JSON schemas ship inside its wheel, so nothing is
downloaded here) and so PyYAML and jsonschema:

    python k8s_validate.py --kube-version 1.31.0 --json-out out.json rendered.yaml

Built-in kinds are checked against the strict schemas (unknown fields are errors). The custom
resources the chart renders (ServiceMonitor, PrometheusRule, KEDA ScaledObject and
TriggerAuthentication, Strimzi KafkaTopic) have no schema there: they are checked against the
smaller schemas in crd_schemas.json beside this file. Any other kind is an error, never a skip.
Also checked: names and label values are valid, no object is rendered twice.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import yaml
from referencing import Registry, Resource

HERE = Path(__file__).resolve().parent
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$")
# Kinds whose names become DNS labels (Service names are host names).
LABEL_NAMED_KINDS = {"Service", "Namespace"}


class Validator:
    def __init__(self, kube_version: str) -> None:
        root = Path(kubernetes_validate.__file__).resolve().parent / "kubernetes-json-schema"
        self.schema_dir = root / f"v{kube_version}-local-strict"
        if not self.schema_dir.is_dir():
            have = sorted(p.name for p in root.iterdir() if p.name.endswith("-local-strict"))
            raise SystemExit(f"no schemas for Kubernetes {kube_version}; the package has {have}")
        definitions = json.loads((self.schema_dir / "_definitions.json").read_text())
        self.registry: Registry = Resource.from_contents(definitions) @ Registry()
        self.crd_schemas: dict[str, Any] = json.loads((HERE / "crd_schemas.json").read_text())
        self._cache: dict[str, jsonschema.protocols.Validator | None] = {}

    def _validator_for(self, api_version: str, kind: str) -> jsonschema.protocols.Validator | None:
        key = f"{api_version}/{kind}"
        if key not in self._cache:
            schema = self.crd_schemas.get(key)
            if schema is None:
                # apps/v1 -> apps-v1, networking.k8s.io/v1 -> networking-v1, v1 -> v1
                group_version = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
                path = self.schema_dir / f"{kind.lower()}-{group_version}.json"
                schema = json.loads(path.read_text()) if path.is_file() else None
            self._cache[key] = (
                None
                if schema is None
                else jsonschema.Draft202012Validator(schema, registry=self.registry)
            )
        return self._cache[key]

    def check(self, doc: dict[str, Any]) -> list[str]:
        api_version, kind = doc.get("apiVersion"), doc.get("kind")
        meta = doc.get("metadata") or {}
        where = f"{kind}/{meta.get('name')}"
        if not isinstance(api_version, str) or not isinstance(kind, str):
            return [f"{where}: apiVersion and kind are required"]
        validator = self._validator_for(api_version, kind)
        if validator is None:
            return [f"{where}: no schema for {api_version} {kind} (not a known kind or CRD)"]
        errors = [
            f"{where}: {'.'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message}"
            for e in sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
        ]
        errors += self._names(doc, where)
        return errors

    @staticmethod
    def _names(doc: dict[str, Any], where: str) -> list[str]:
        meta = doc.get("metadata") or {}
        name = meta.get("name")
        errors = []
        pattern = DNS_LABEL if doc.get("kind") in LABEL_NAMED_KINDS else DNS_SUBDOMAIN
        if not isinstance(name, str) or not pattern.match(name):
            errors.append(f"{where}: metadata.name {name!r} is not a valid name")
        labels = dict(meta.get("labels") or {})
        template = (doc.get("spec") or {}).get("template") or {}
        labels.update((template.get("metadata") or {}).get("labels") or {})
        for key, value in labels.items():
            if not isinstance(value, str) or not LABEL_VALUE.match(value):
                errors.append(f"{where}: label {key}={value!r} is not a valid label value")
        return errors


def load_documents(path: Path) -> list[dict[str, Any]]:
    docs = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]
    bad = [d for d in docs if not isinstance(d, dict)]
    if bad:
        raise SystemExit(f"{path}: a document is not a mapping: {bad[0]!r}")
    return docs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("manifest", type=Path)
    parser.add_argument("--kube-version", default="1.31.0")
    parser.add_argument("--json-out", type=Path, help="write the documents as one JSON list")
    args = parser.parse_args(argv)

    try:
        docs = load_documents(args.manifest)
    except yaml.YAMLError as exc:
        print(f"{args.manifest}: not valid YAML: {exc}", file=sys.stderr)
        return 1
    validator = Validator(args.kube_version)
    errors: list[str] = []
    seen: set[tuple[str, str, str]] = set()
    for doc in docs:
        errors += validator.check(doc)
        meta = doc.get("metadata") or {}
        key = (str(doc.get("kind")), str(meta.get("namespace", "")), str(meta.get("name")))
        if key in seen:
            errors.append(f"{key[0]}/{key[2]}: rendered twice")
        seen.add(key)
    if args.json_out:
        args.json_out.write_text(json.dumps(docs, indent=1, ensure_ascii=False), encoding="utf-8")
    for error in errors:
        print(f"  INVALID {args.manifest.name}: {error}", file=sys.stderr)
    kinds = sorted({str(d.get("kind")) for d in docs})
    print(f"  {args.manifest.name}: {len(docs)} objects ({', '.join(kinds)}), {len(errors)} errors")
    return 1 if errors or not docs else 0


if __name__ == "__main__":
    sys.exit(main())
