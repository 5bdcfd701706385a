"""Notify: every message the friendly government sends."""
