"""The Audit window (SEC-5)."""
