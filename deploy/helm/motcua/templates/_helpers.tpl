{{/* Names ---------------------------------------------------------------------------- */}}

{{- define "motcua.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "motcua.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "motcua.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels ---------------------------------------------------------------------------- */}}

{{- define "motcua.selectorLabels" -}}
app.kubernetes.io/name: {{ include "motcua.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "motcua.labels" -}}
helm.sh/chart: {{ include "motcua.chart" . }}
{{ include "motcua.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: motcua
{{- end -}}

{{/*
Component context: dict "root" $ "svcName" "intake" "svc" <service values>
                        "name" "api" "c" <component merged with componentDefaults>
*/}}
{{- define "motcua.componentName" -}}
{{- printf "%s-%s-%s" (include "motcua.fullname" .root) .svcName .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "motcua.componentSelectorLabels" -}}
{{ include "motcua.selectorLabels" .root }}
app.kubernetes.io/component: {{ printf "%s-%s" .svcName .name }}
{{- end -}}

{{- define "motcua.componentLabels" -}}
{{ include "motcua.labels" .root }}
app.kubernetes.io/component: {{ printf "%s-%s" .svcName .name }}
motcua.gov.vn/service: {{ .svcName }}
motcua.gov.vn/metrics: "true"
{{- if has "api" .c.roles }}
motcua.gov.vn/api: "true"
{{- end }}
{{- end -}}

{{/* The merged component: componentDefaults overwritten by the component's own values. */}}
{{- define "motcua.mergeComponent" -}}
{{- $merged := mergeOverwrite (deepCopy .root.Values.componentDefaults) (deepCopy .component) -}}
{{- toYaml $merged -}}
{{- end -}}

{{/* Images ---------------------------------------------------------------------------- */}}

{{/* dict "root" $ "svc" <service values> */}}
{{- define "motcua.image" -}}
{{- $registry := .root.Values.image.registry -}}
{{- $repo := required "services.<svc>.image.repository is required" .svc.image.repository -}}
{{- $tag := .svc.image.tag | default .root.Values.image.tag | default .root.Chart.AppVersion -}}
{{- if $registry }}{{ $registry }}/{{ end }}{{ $repo }}
{{- if .svc.image.digest }}@{{ .svc.image.digest }}{{ else }}:{{ $tag }}{{ end }}
{{- end -}}

{{- define "motcua.imagePullSecrets" -}}
{{- with .Values.image.pullSecrets -}}
imagePullSecrets:
{{- range . }}
  - name: {{ . }}
{{- end }}
{{- end }}
{{- end -}}

{{/* Kafka and PostgreSQL settings --------------------------------------------------- */}}

{{- define "motcua.envPrefix" -}}
{{- printf "MOTCUA_%s_" (upper .) -}}
{{- end -}}

{{- define "motcua.kafkaTls" -}}
{{- if has .Values.global.kafka.securityProtocol (list "SSL" "SASL_SSL") }}true{{ end -}}
{{- end -}}

{{- define "motcua.kafkaSasl" -}}
{{- if eq .Values.global.kafka.securityProtocol "SASL_SSL" }}true{{ end -}}
{{- end -}}

{{/* dict "root" $ "svcName" .. "svc" .. -> {username, existingSecret, passwordKey} as YAML */}}
{{- define "motcua.saslFor" -}}
{{- $g := .root.Values.global.kafka.sasl -}}
{{- $own := dict -}}
{{- if and .svc.kafka .svc.kafka.sasl }}{{ $own = .svc.kafka.sasl }}{{ end -}}
username: {{ $own.username | default $g.username | default (printf "motcua-%s" .svcName) | quote }}
existingSecret: {{ $own.existingSecret | default $g.existingSecret | quote }}
passwordKey: {{ $own.passwordKey | default $g.passwordKey | default "password" | quote }}
{{- end -}}

{{- define "motcua.kafkaPasswordDir" -}}/var/run/secrets/motcua/kafka{{- end -}}
{{- define "motcua.kafkaCaDir" -}}/etc/motcua/tls/kafka{{- end -}}
{{- define "motcua.postgresCaDir" -}}/etc/motcua/tls/postgres{{- end -}}
{{- define "motcua.caBundlePath" -}}/tmp/tls/ca-bundle.pem{{- end -}}

{{/* The Kafka CA file in the pod: global.kafka.tls.caFile, else the mounted caSecret's key;
empty: the image's system trust store. Only meaningful with SSL or SASL_SSL. */}}
{{- define "motcua.kafkaCaFile" -}}
{{- $tls := .Values.global.kafka.tls -}}
{{- if $tls.caFile -}}{{ $tls.caFile }}
{{- else if $tls.caSecret -}}{{ printf "%s/%s" (include "motcua.kafkaCaDir" .) $tls.caKey }}
{{- end -}}
{{- end -}}

{{/*
Init container that joins the image's system CAs and the Kafka CA into one bundle under /tmp
(the root file system is read-only). dict "root" $ "svc" <service values>; renders nothing
unless Kafka uses TLS with a CA secret.
*/}}
{{- define "motcua.caBundleInit" -}}
{{- $g := .root.Values.global -}}
{{- if and (include "motcua.kafkaTls" .root) $g.kafka.tls.caSecret -}}
- name: ca-bundle
  image: {{ include "motcua.image" (dict "root" .root "svc" .svc) | quote }}
  imagePullPolicy: {{ .root.Values.image.pullPolicy }}
  command:
    - sh
    - -c
    - >-
      mkdir -p /tmp/tls &&
      { cat /etc/ssl/certs/ca-certificates.crt 2>/dev/null || true;
      cat {{ include "motcua.kafkaCaDir" . }}/{{ $g.kafka.tls.caKey }}; } > {{ include "motcua.caBundlePath" . }}
  resources:
    requests: {cpu: 10m, memory: 16Mi}
    limits: {cpu: 100m, memory: 64Mi}
  securityContext:
    {{- toYaml .root.Values.containerSecurityContext | nindent 4 }}
  volumeMounts:
    - name: tmp
      mountPath: /tmp
    - name: kafka-ca
      mountPath: {{ include "motcua.kafkaCaDir" . }}
      readOnly: true
{{- end -}}
{{- end -}}

{{/*
Refuses plain values for anything that looks like a secret.
dict "where" "services.intake.env" "name" "X"
*/}}
{{- define "motcua.providersDir" -}}
{{- (.svc.providers | default dict).secretsDir | default "/var/run/secrets/motcua/providers" -}}
{{- end -}}

{{- define "motcua.refuseSecretName" -}}
{{- if regexMatch "(?i)(PASSWORD|PASSWD|SECRET|TOKEN|PRIVATE|CREDENTIAL|DATABASE_URL|_DSN$|API_KEY)" .name -}}
{{- fail (printf "%s: %s looks like a secret; reference a Secret (valueFrom.secretKeyRef) instead of a plain value" .where .name) -}}
{{- end -}}
{{- end -}}

{{/*
Environment of a motcua process.
dict "root" $ "svcName" "intake" "svc" <service values> "kafka" true|false
     "component" "api" (optional) "extraEnv" <list> (optional) "sasl" <dict> (optional override)
*/}}
{{- define "motcua.env" -}}
{{- $root := .root -}}
{{- $p := include "motcua.envPrefix" .svcName -}}
{{- $g := $root.Values.global -}}
- name: {{ $p }}ENVIRONMENT
  value: {{ $g.environment | quote }}
- name: {{ $p }}TRANSPORT
  value: kafka
{{- $auth := $g.auth | default dict }}
{{- if eq $g.environment "production" }}
{{- $_ := required "global.auth.jwksUrl (https) is required in production" $auth.jwksUrl }}
{{- $_ := required "global.auth.issuer is required in production" $auth.issuer }}
{{- $_ := required "global.auth.audience is required in production" $auth.audience }}
{{- end }}
{{- with $auth.jwksUrl }}
- name: {{ $p }}JWKS_URL
  value: {{ . | quote }}
{{- end }}
{{- with $auth.issuer }}
- name: {{ $p }}JWT_ISSUER
  value: {{ . | quote }}
{{- end }}
{{- with $auth.audience }}
- name: {{ $p }}JWT_AUDIENCE
  value: {{ . | quote }}
{{- end }}
{{- if and $root.Values.ingress.enabled (not $g.trustedProxies) }}
{{- fail "global.trustedProxies (the ingress controller's CIDRs) is required with the ingress: without it every citizen shares one rate-limit bucket" }}
{{- end }}
{{- with $g.trustedProxies }}
- name: {{ $p }}TRUSTED_PROXIES
  value: {{ join "," . | quote }}
{{- end }}
- name: {{ $p }}LOG_LEVEL
  value: {{ $g.logLevel | quote }}
- name: {{ $p }}LOG_JSON
  value: "true"
- name: {{ $p }}DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ required (printf "services.%s.database.existingSecret is required" .svcName) .svc.database.existingSecret }}
      key: {{ .svc.database.key | default "url" }}
{{- if $g.postgres.tls.caSecret }}
- name: PGSSLROOTCERT
  value: {{ printf "%s/%s" (include "motcua.postgresCaDir" .) $g.postgres.tls.caKey | quote }}
{{- end }}
{{- if .kafka }}
- name: {{ $p }}KAFKA_BOOTSTRAP
  value: {{ required "global.kafka.bootstrap is required" $g.kafka.bootstrap | quote }}
- name: {{ $p }}KAFKA_SECURITY_PROTOCOL
  value: {{ $g.kafka.securityProtocol | quote }}
- name: {{ $p }}CONSUMER_GROUP
  value: {{ .svc.consumerGroup | default .svcName | quote }}
{{- if include "motcua.kafkaSasl" $root }}
{{- $sasl := .sasl | default (include "motcua.saslFor" . | fromYaml) }}
{{- $_ := required (printf "SASL_SSL needs a password Secret for %s (services.%s.kafka.sasl.existingSecret or global.kafka.sasl.existingSecret)" .svcName .svcName) $sasl.existingSecret }}
- name: {{ $p }}KAFKA_SASL_USERNAME
  value: {{ $sasl.username | quote }}
- name: {{ $p }}KAFKA_SASL_PASSWORD_FILE
  value: {{ printf "%s/password" (include "motcua.kafkaPasswordDir" .) | quote }}
{{- end }}
{{- if include "motcua.kafkaTls" $root }}
{{- with include "motcua.kafkaCaFile" $root }}
# The brokers' CA bundle, verified by the platform's Kafka client (kafka_ssl_cafile).
- name: {{ $p }}KAFKA_SSL_CAFILE
  value: {{ . | quote }}
{{- end }}
{{- end }}
{{- if and (include "motcua.kafkaTls" $root) $g.kafka.tls.caSecret }}
# The system CAs plus the brokers' CA, written by the ca-bundle init container: Python's
# default TLS context (other Kafka clients, HTTPS clients such as the JWKS fetch) trusts both.
- name: SSL_CERT_FILE
  value: {{ include "motcua.caBundlePath" . | quote }}
{{- end }}
{{- end }}
{{- if $g.otlpEndpoint }}
- name: {{ $p }}OTLP_ENDPOINT
  value: {{ $g.otlpEndpoint | quote }}
{{- end }}
- name: OTEL_SERVICE_NAME
  value: {{ printf "motcua-%s" .svcName | quote }}
- name: OTEL_RESOURCE_ATTRIBUTES
  value: {{ printf "service.namespace=motcua,deployment.environment=%s,motcua.component=%s" $g.environment (.component | default "job") | quote }}
- name: POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
{{- range .svc.secretFiles }}
- name: {{ .env }}
  value: {{ printf "/var/run/secrets/motcua/%s/%s" .name .key | quote }}
{{- end }}
{{- if eq .svcName "notify" }}
{{- $pv := .svc.providers | default dict }}
# What communes' settings may name (issue 17): provider secrets only as files of the mounted
# providers Secret or by the declared environment names; gateways only on these hosts.
{{- if $pv.existingSecret }}
- name: {{ $p }}SECRETS_DIR
  value: {{ include "motcua.providersDir" . | quote }}
{{- end }}
- name: {{ $p }}SECRET_ENV_NAMES
  value: {{ join "," ($pv.secretEnvNames | default list) | quote }}
- name: {{ $p }}GATEWAY_HOSTS
  value: {{ join "," ($pv.gatewayHosts | default list) | quote }}
# Contact data at send time: intake's API component, inside the cluster (never the ingress).
- name: {{ $p }}INTAKE_URL
  value: {{ printf "http://%s:8080" (include "motcua.componentName" (dict "root" $root "svcName" "intake" "name" "api")) | quote }}
{{- $it := .svc.intakeTokens | default dict }}
{{- if eq $g.environment "production" }}
{{- $_ := required "services.notify.intakeTokens.existingSecret is required in production (one service:notify token per commune, keyed by commune id)" $it.existingSecret }}
{{- end }}
{{- if $it.existingSecret }}
# One token per commune (intake binds the contact read to it): the file named by the commune.
- name: {{ $p }}INTAKE_TOKEN_FILE
  value: "/var/run/secrets/motcua/intake-tokens/{tenant_id}"
{{- end }}
{{- end }}
{{- range $name, $value := .svc.env }}
{{- include "motcua.refuseSecretName" (dict "where" "env" "name" $name) }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- range .extraEnv }}
{{- if hasKey . "value" }}
{{- include "motcua.refuseSecretName" (dict "where" "extraEnv" "name" .name) }}
{{- end }}
- {{ toYaml . | nindent 2 | trim }}
{{- end }}
{{- end -}}

{{/*
Volumes and mounts: dict "root" $ "svcName" .. "svc" .. "kafka" bool
     "sasl" <dict> (optional override) "noPostgres" true (optional: no PostgreSQL CA)
*/}}
{{- define "motcua.volumeMounts" -}}
{{- $g := .root.Values.global -}}
- name: tmp
  mountPath: /tmp
{{- if and $g.postgres.tls.caSecret (not .noPostgres) }}
- name: postgres-ca
  mountPath: {{ include "motcua.postgresCaDir" . }}
  readOnly: true
{{- end }}
{{- range .svc.secretFiles }}
- name: {{ printf "secret-%s" .name }}
  mountPath: {{ printf "/var/run/secrets/motcua/%s" .name }}
  readOnly: true
{{- end }}
{{- if and (eq .svcName "notify") (.svc.providers | default dict).existingSecret }}
- name: provider-secrets
  mountPath: {{ include "motcua.providersDir" . }}
  readOnly: true
{{- end }}
{{- if and (eq .svcName "notify") (.svc.intakeTokens | default dict).existingSecret }}
- name: intake-tokens
  mountPath: /var/run/secrets/motcua/intake-tokens
  readOnly: true
{{- end }}
{{- if .kafka }}
{{- if include "motcua.kafkaSasl" .root }}
- name: kafka-sasl
  mountPath: {{ include "motcua.kafkaPasswordDir" . }}
  readOnly: true
{{- end }}
{{- if and (include "motcua.kafkaTls" .root) $g.kafka.tls.caSecret }}
- name: kafka-ca
  mountPath: {{ include "motcua.kafkaCaDir" . }}
  readOnly: true
{{- end }}
{{- end }}
{{- end -}}

{{- define "motcua.volumes" -}}
{{- $g := .root.Values.global -}}
- name: tmp
  emptyDir:
    sizeLimit: 64Mi
{{- if and $g.postgres.tls.caSecret (not .noPostgres) }}
- name: postgres-ca
  secret:
    secretName: {{ $g.postgres.tls.caSecret }}
    defaultMode: 0444
    items:
      - key: {{ $g.postgres.tls.caKey }}
        path: {{ $g.postgres.tls.caKey }}
{{- end }}
{{- range .svc.secretFiles }}
- name: {{ printf "secret-%s" .name }}
  secret:
    secretName: {{ .existingSecret }}
    defaultMode: 0440
    items:
      - key: {{ .key }}
        path: {{ .key }}
{{- end }}
{{- with and (eq .svcName "notify") (.svc.providers | default dict).existingSecret }}
# The providers' secrets (SMS/Zalo tokens, SMTP passwords): the only files file:/… may name.
- name: provider-secrets
  secret:
    secretName: {{ . }}
    defaultMode: 0440
{{- end }}
{{- with and (eq .svcName "notify") (.svc.intakeTokens | default dict).existingSecret }}
# notify's service tokens for intake, one key per commune id.
- name: intake-tokens
  secret:
    secretName: {{ . }}
    defaultMode: 0440
{{- end }}
{{- if .kafka }}
{{- if include "motcua.kafkaSasl" .root }}
{{- $sasl := .sasl | default (include "motcua.saslFor" . | fromYaml) }}
- name: kafka-sasl
  secret:
    secretName: {{ $sasl.existingSecret }}
    defaultMode: 0440
    items:
      - key: {{ $sasl.passwordKey }}
        path: password
{{- end }}
{{- if and (include "motcua.kafkaTls" .root) $g.kafka.tls.caSecret }}
- name: kafka-ca
  secret:
    secretName: {{ $g.kafka.tls.caSecret }}
    defaultMode: 0444
    items:
      - key: {{ $g.kafka.tls.caKey }}
        path: {{ $g.kafka.tls.caKey }}
{{- end }}
{{- end }}
{{- end -}}

{{/* Topics ------------------------------------------------------------------------------ */}}

{{/* The full topic list (main topics, then dead-letter topics) as a YAML list. */}}
{{- define "motcua.topicList" -}}
{{- $t := .Values.topics -}}
{{- $known := list -}}
{{- range $t.items }}{{ $known = append $known .name }}{{ end -}}
{{- range $t.items }}
{{- $config := dict "retention.ms" (int64 $t.retentionMs | toString) "min.insync.replicas" (int64 $t.minInsyncReplicas | toString) -}}
{{- $config = mergeOverwrite $config (.config | default dict) }}
- name: {{ .name }}
  partitions: {{ .partitions | default $t.partitions | int }}
  replicationFactor: {{ .replicationFactor | default $t.replicationFactor | int }}
  config: {{- toYaml $config | nindent 4 }}
{{- end }}
{{- if $t.deadLetters.enabled }}
{{- $seen := dict }}
{{- range $svcName, $svc := .Values.services }}
{{- if $svc.enabled }}
{{- range $svc.consumes }}
{{- if not (has . $known) }}
{{- fail (printf "services.%s.consumes: %s is not in topics.items" $svcName .) }}
{{- end }}
{{- $dlq := printf "%s.dlq.%s" . ($svc.consumerGroup | default $svcName) }}
{{- if not (hasKey $seen $dlq) }}
{{- $_ := set $seen $dlq true }}
- name: {{ $dlq }}
  partitions: {{ $t.deadLetters.partitions | int }}
  replicationFactor: {{ $t.replicationFactor | int }}
  config:
    retention.ms: {{ int64 $t.deadLetters.retentionMs | toString | quote }}
    min.insync.replicas: {{ int64 $t.minInsyncReplicas | toString | quote }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- end -}}

{{/* Hook annotations of the pre-install / pre-upgrade Jobs. */}}
{{- define "motcua.hookAnnotations" -}}
helm.sh/hook: pre-install,pre-upgrade
helm.sh/hook-weight: {{ . | quote }}
helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
{{- end -}}
