"""Definitions of the assemblee part of the graph (filled in by its issue)."""

import dagster as dg

defs = dg.Definitions()
