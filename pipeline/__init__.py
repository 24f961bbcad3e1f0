"""The stages as plain functions, one module per stage: `extract`, `normalize`, `categories`,
`drafts`, `media`, `videos`, `publish` (with `publish_run`, the exactly-once run and the report
outbox), `report`, `review`, `migration_report`. Each takes a migration and keyword-only state and
clients and returns a `pipeline.results.StageResult`. `pipeline.clients.Platforms` builds every
client; `pipeline.settings` is the one reader of `BANJIA_*`. Import from the module that defines a
name; this package re-exports nothing."""
