"""Intake's integration events translated into workflow's facts, in one place."""

from __future__ import annotations

from collections.abc import Mapping

from motcua_contracts.events import dossiers_v1 as dv
from motcua_contracts.events import dossiers_v2 as dv2
from pydantic import BaseModel

from workflow.domain.facts import Fact, Received


def received(event: dv.DossierReceived) -> Received:
    return Received(
        dossier_code=event.dossier_code,
        procedure_code=event.procedure_code,
        procedure_version=event.procedure_version,
        channel=event.channel.value,
        received_at=event.received_at,
        due_at=event.due_at,
        resolving_tenant_id=event.resolving_tenant_id,
        verification=event.verification_required,
    )


def fact(event: BaseModel) -> Fact:
    """Every lifecycle event but DossierReceived."""
    if isinstance(event, dv.DossierAccepted):
        return Fact("accepted", event.accepted_at)
    if isinstance(event, dv.SupplementRequested | dv2.SupplementRequested):
        return Fact("paused", event.requested_at)
    if isinstance(event, dv.SupplementReceived):
        return Fact("resumed", event.received_at)
    if isinstance(event, dv.DossierRefused):
        return Fact("refused", event.refused_at)
    if isinstance(event, dv.DossierTransferred):
        return Fact(
            "transferred",
            event.transferred_at,
            step_key=event.step_key,
            holder_id=event.to_official_id,
            holder_unit_id=event.to_unit_id,
        )
    if isinstance(event, dv.DecisionMade):
        return Fact("decided", event.decided_at)
    if isinstance(event, dv.ResultReady):
        return Fact("completed", event.ready_at)
    if isinstance(event, dv.DossierWithdrawn):
        return Fact("withdrawn", event.withdrawn_at)
    if isinstance(event, dv.ResultReturned):
        return Fact("noted", event.returned_at)
    if isinstance(event, dv.SatisfactionRated):
        return Fact("noted", event.rated_at)
    raise TypeError(f"not a lifecycle event: {type(event).__name__}")


# A model, or the models of each version a consumer still reads (by schema_version).
LIFECYCLE: dict[str, type[BaseModel] | Mapping[int, type[BaseModel]]] = {
    "DossierAccepted": dv.DossierAccepted,
    # v2 carries the count of missing items, no free text (issue 17); workflow reads the moment.
    "SupplementRequested": {1: dv.SupplementRequested, 2: dv2.SupplementRequested},
    "SupplementReceived": dv.SupplementReceived,
    "DossierRefused": dv.DossierRefused,
    "DossierTransferred": dv.DossierTransferred,
    "DecisionMade": dv.DecisionMade,
    "ResultReady": dv.ResultReady,
    "ResultReturned": dv.ResultReturned,
    "DossierWithdrawn": dv.DossierWithdrawn,
    "SatisfactionRated": dv.SatisfactionRated,
}
