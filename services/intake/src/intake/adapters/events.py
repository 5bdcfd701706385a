"""Intake's events into its outbox, in the caller's transaction (the platform's stager)."""

from __future__ import annotations

from motcua_platform.messaging.outbox import EventStager

from intake.adapters.tables import outbox

PRODUCER = "intake"
EVENTS = EventStager(producer=PRODUCER, table=outbox)
stage_event = EVENTS.stage_event
event_row = EVENTS.event_row
