"""One Dagster partition per migration, so the UI shows per-shop status and runs one shop at a time."""

import dagster as dg

from pipeline.migrations_file import load_migrations

migration_partitions = dg.StaticPartitionsDefinition(load_migrations().keys)
