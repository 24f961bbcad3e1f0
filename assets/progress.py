"""A stage's progress wired to Dagster's run log and the console (`pipeline.progress`)."""

import dagster as dg

from pipeline.console_progress import ConsoleProgressSink, console_for
from pipeline.progress import Progress, ProgressUpdate
from pipeline.settings import load_settings


def stage_progress(context: dg.AssetExecutionContext, stage: str) -> Progress:
    """The `Progress` a stage advances: each batch is a line in the run's log (the Dagster UI and
    `dagster asset materialize`'s output) and a bar on the console."""
    log = context.log

    def to_run_log(update: ProgressUpdate) -> None:
        log.info(update.line())

    console = ConsoleProgressSink(console_for(load_settings().progress_fd))
    return Progress(stage, context.partition_key, sinks=[to_run_log, console])
