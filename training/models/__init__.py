"""Lip-sync models: streaming generator (log-mel -> lips-v1) and the speech-mesh encoders (issue #5)."""
