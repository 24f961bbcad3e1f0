"""Dagster wiring only: the code location (`assets.definitions.defs`), resources, partitions, checks,
jobs, schedules and the sensor. Nothing outside this package imports it; each asset calls one stage
function of `pipeline/` and turns its result into metadata (`assets.metadata`)."""
