"""nupes-warehouse: Dagster code location loading the Assemblée nationale and poll feeds into DuckDB."""
