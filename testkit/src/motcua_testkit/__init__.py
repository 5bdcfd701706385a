"""Test helpers for every package: dev-only (the root's dev group depends on it; no service
package does), so none of it ships in an image. One module per package it serves:
``platform`` (recording publisher, SQLite tables), ``intake``, ``workflow``, ``notify``,
``analytics``, and ``standins`` (stand-in SMS/Zalo/SMTP servers for notify's tests)."""
