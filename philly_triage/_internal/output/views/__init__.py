"""Human views of triage's results, printed with rich."""
