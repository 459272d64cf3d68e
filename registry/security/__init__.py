"""Cross-cutting protections: staff sessions and two-factor authentication, rate limits,
honeypots and upload limits. Kept together so a reviewer can audit them in one place."""
