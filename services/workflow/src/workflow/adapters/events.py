"""Workflow's events into its outbox, in the caller's transaction (the platform's stager)."""

from __future__ import annotations

from motcua_platform.messaging.outbox import EventStager, Outgoing

from workflow.adapters.tables import outbox

PRODUCER = "workflow"
NATIONAL = "national"  # tenant id of events about the whole country's calendar
EVENTS = EventStager(producer=PRODUCER, table=outbox)
stage_event = EVENTS.stage_event
stage_events = EVENTS.stage_events

__all__ = ["NATIONAL", "PRODUCER", "Outgoing", "stage_event", "stage_events"]
