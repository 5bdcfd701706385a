"""Standalone mode: all four services in one process, embedded database, in-process bus."""
