"""Service defaults with no domain types: settings, database, outbox, transports, health."""
