"""One Dagster partition per migration, so the UI shows per-shop status and runs one shop at a time."""

import warnings

import dagster as dg

from pipeline.migrations_file import load_migrations

# Partitioned asset checks are a preview API in 1.13; banjia relies on them (assets/checks.py).
warnings.filterwarnings(
    "ignore",
    message=".*partitions_def on an AssetCheckSpec.*",
    category=dg.PreviewWarning,
)

migration_partitions = dg.StaticPartitionsDefinition(load_migrations().keys)
