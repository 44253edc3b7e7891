"""Sök at query time: search, answers, the web surfaces and the CLI (see docs/architecture.md)."""
