"""Intake: the commune desk (clerks) and the citizen's window."""
