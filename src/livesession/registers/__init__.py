"""Registers of processing (GDPR art. 30) generated from the live configuration, and the
compliance evidence of each client (issue 6 §3, §7; P3.2, P6.6)."""
