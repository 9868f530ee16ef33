"""Security incidents seen by the operator (issue 5 §7), the base of the breach register
(issue 8, GDPR art. 33.5)."""
