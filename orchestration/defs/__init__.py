"""Dagster definitions, one package per source (assemblee, polls), plus dbt and operations."""
