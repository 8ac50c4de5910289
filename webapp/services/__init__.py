"""Use-cases: each takes the session first and the rest keyword-only; add/flush, never commit."""
