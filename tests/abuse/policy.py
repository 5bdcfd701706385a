"""Who may call which operation: the one declared table the authorisation matrix checks.

Each operation of every service's OpenAPI maps to a rule: the principals allowed and whether
they are bound to their own commune ("own") or may read any commune ("any"). Anyone not listed
must be refused (403; 401 without a valid token). A test fails if an operation appears in an
OpenAPI and not here, or here and in no OpenAPI, so the table follows the code.
"""

from __future__ import annotations

from typing import Literal

Access = Literal["own", "any"]
Rule = dict[str, Access]

PUBLIC: Rule = {}  # marker: no token needed (compared by identity)

# The principals of the matrix (tokens.good_tokens); "none" sends no token.
ROLES = ("clerk", "leader", "monitor", "operator", "service:notify", "unknown-role")

STAFF: Rule = {"clerk": "own", "leader": "own"}
READ: Rule = {**STAFF, "monitor": "any"}  # intake and workflow: reads of the desk's records
NOTIFY_READ: Rule = {**STAFF, "monitor": "any", "operator": "any"}
ANALYTICS: Rule = {**STAFF, "monitor": "any", "operator": "any"}
# Letters print the applicant's name, ID number and address: the desk only, no monitor.
LETTERS: Rule = STAFF
LEADER: Rule = {"leader": "own"}
OPERATOR: Rule = {"operator": "any"}

POLICY: dict[str, Rule] = {
    # intake
    "intake GET /health/live": PUBLIC,
    "intake GET /health/ready": PUBLIC,
    "intake POST /api/v1/communes/{tenant_id}/dossiers": STAFF,
    "intake GET /api/v1/communes/{tenant_id}/dossiers": READ,
    "intake GET /api/v1/communes/{tenant_id}/dossiers/{dossier_id}": READ,
    "intake GET /api/v1/communes/{tenant_id}/procedures": READ,
    "intake POST /api/v1/communes/{tenant_id}/dossiers/preview": STAFF,
    "intake POST /api/v1/communes/{tenant_id}/dossiers/{dossier_id}/accept": STAFF,
    "intake POST /api/v1/communes/{tenant_id}/dossiers/{dossier_id}/supplement-request": STAFF,
    "intake POST /api/v1/communes/{tenant_id}/dossiers/{dossier_id}/supplement-received": STAFF,
    "intake POST /api/v1/communes/{tenant_id}/dossiers/{dossier_id}/refuse": STAFF,
    "intake POST /api/v1/communes/{tenant_id}/dossiers/{dossier_id}/transfer": STAFF,
    "intake POST /api/v1/communes/{tenant_id}/dossiers/{dossier_id}/decision": LEADER,
    "intake POST /api/v1/communes/{tenant_id}/dossiers/{dossier_id}/result-ready": STAFF,
    "intake POST /api/v1/communes/{tenant_id}/dossiers/{dossier_id}/result-returned": STAFF,
    "intake POST /api/v1/communes/{tenant_id}/dossiers/{dossier_id}/withdraw": STAFF,
    "intake GET /api/v1/communes/{tenant_id}/dossiers/{dossier_id}/history": READ,
    "intake GET /api/v1/communes/{tenant_id}/dossiers/{dossier_id}/audit": READ,
    "intake GET /api/v1/communes/{tenant_id}/dossiers/{dossier_id}/receipt": LETTERS,
    "intake GET /api/v1/communes/{tenant_id}/dossiers/{dossier_id}/receipt.pdf": LETTERS,
    "intake GET /api/v1/communes/{tenant_id}/dossiers/{dossier_id}/supplement-request.pdf": LETTERS,
    "intake GET /api/v1/communes/{tenant_id}/dossiers/{dossier_id}/refusal.pdf": LETTERS,
    "intake POST /api/v1/communes/{tenant_id}/dossiers/{dossier_id}/satisfaction": STAFF,
    "intake GET /api/v1/communes/{tenant_id}/duty-roster": READ,
    "intake PUT /api/v1/communes/{tenant_id}/duty-roster": LEADER,
    "intake PUT /api/v1/communes/{tenant_id}/dossiers/{dossier_id}/ceremony": STAFF,
    "intake GET /api/v1/communes/{tenant_id}/dossiers/{dossier_id}/ceremony": READ,
    "intake GET /api/v1/tenants": {"operator": "any", "monitor": "any"},
    "intake POST /api/v1/tenants/merge": OPERATOR,
    "intake PUT /api/v1/tenants/{tenant_id}": OPERATOR,
    "intake GET /api/v1/tenants/{tenant_id}": {**READ, "operator": "any"},
    # Bound to the commune: notify's token for one commune never reads another's contacts.
    "intake GET /internal/v1/communes/{tenant_id}/dossiers/{dossier_id}/contact": {
        "service:notify": "own"
    },
    "intake GET /internal/v1/communes/{tenant_id}/dossiers/{dossier_id}/missing-items": {
        "service:notify": "own"
    },
    "intake GET /tra-cuu/{token}": PUBLIC,
    "intake GET /tra-cuu": PUBLIC,
    "intake POST /tra-cuu/{token}/danh-gia": PUBLIC,
    # workflow
    "workflow GET /health/live": PUBLIC,
    "workflow GET /health/ready": PUBLIC,
    "workflow GET /api/v1/communes/{tenant_id}/dossiers/{dossier_id}/clock": READ,
    "workflow GET /api/v1/communes/{tenant_id}/worklist": READ,
    "workflow GET /api/v1/worklist": {"monitor": "any"},
    "workflow POST /api/v1/communes/{tenant_id}/dossiers/{dossier_id}/apology": STAFF,
    "workflow GET /api/v1/communes/{tenant_id}/escalations": READ,
    "workflow POST /api/v1/communes/{tenant_id}/escalations/{escalation_id}/ack": LEADER,
    "workflow POST /api/v1/calendar/changes": OPERATOR,
    # notify
    "notify GET /health/live": PUBLIC,
    "notify GET /health/ready": PUBLIC,
    "notify GET /api/v1/communes/{tenant_id}/dossiers/{dossier_id}/notifications": NOTIFY_READ,
    "notify PUT /api/v1/communes/{tenant_id}/dossiers/{dossier_id}/preference": STAFF,
    "notify GET /api/v1/communes/{tenant_id}/print-queue": NOTIFY_READ,
    "notify GET /api/v1/communes/{tenant_id}/print-queue/{delivery_id}/pdf": STAFF,
    "notify POST /api/v1/communes/{tenant_id}/print-queue/{delivery_id}/printed": STAFF,
    "notify GET /api/v1/communes/{tenant_id}/templates": NOTIFY_READ,
    "notify GET /api/v1/communes/{tenant_id}/templates/{kind}/{channel}": NOTIFY_READ,
    "notify PUT /api/v1/communes/{tenant_id}/templates/{kind}/{channel}": OPERATOR,
    "notify POST /api/v1/communes/{tenant_id}/templates/{kind}/{channel}/preview": NOTIFY_READ,
    "notify GET /api/v1/communes/{tenant_id}/notify-settings": OPERATOR,
    "notify PUT /api/v1/communes/{tenant_id}/notify-settings": OPERATOR,
    "notify GET /api/v1/communes/{tenant_id}/notify-rules": NOTIFY_READ,
    # the provider's callback carries its own shared secret (X-Callback-Token), no bearer
    "notify POST /api/v1/provider-callbacks/{tenant_id}/{channel}": PUBLIC,
    # analytics: the commune is a query parameter (`commune`, or `tenant_id` below)
    "analytics GET /health/live": PUBLIC,
    "analytics GET /health/ready": PUBLIC,
    "analytics GET /api/v1/indicators": ANALYTICS,
    "analytics GET /api/v1/indicators/timeseries": ANALYTICS,
    "analytics GET /api/v1/ranking": ANALYTICS,
    "analytics GET /api/v1/late-dossiers": ANALYTICS,
    "analytics GET /api/v1/breakdown": ANALYTICS,
    "analytics GET /api/v1/export.csv": ANALYTICS,
    "analytics GET /api/v1/clock": PUBLIC,
    "analytics GET /api/v1/communes": ANALYTICS,
    "analytics GET /api/v1/indicators/received": ANALYTICS,
}

# Where an operation names the commune it reads or changes.
COMMUNE_PARAMETERS = ("tenant_id", "commune")

# Refusals an allowed principal may still get from the domain for this one request (the
# matrix sends made-up bodies to a dossier that is only registered): not authorisation.
DOMAIN_REFUSALS = frozenset(
    {
        "dossier.other_unit_step",
        "apology.not_resolving_official",
        "search.personal_data_forbidden",
    }
)


def key(service: str, method: str, path: str) -> str:
    return f"{service} {method.upper()} {path}"


def is_public(rule: Rule) -> bool:
    return rule is PUBLIC


def access(rule: Rule, principal: str) -> Access | None:
    """`principal` is a good token's name (`clerk@own`, `monitor`, ...) or "none"."""
    return rule.get(principal.split("@", 1)[0])
