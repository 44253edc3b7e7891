"""Evaluation on public Swedish data sets (``make eval``); not part of the served product."""
