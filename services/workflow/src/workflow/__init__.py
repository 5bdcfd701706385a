"""Workflow: the statutory clock running for every open dossier."""
