"""Matching engine (pure library): organization/issue profiles → scores, rankings, team proposals.

It never imports Flask or the database; the web app converts rows to its plain dataclasses."""
