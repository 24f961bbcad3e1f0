"""Talking to platforms, nothing else: one folder per platform (client, signing, wire models,
errors, parse and, for a source, its `SourceConnector`), `sources` (the registry of source
platforms), `http` (what every client shares: timeouts, rate limits, retries, redaction), `fetch`
(source files), `platforms` (endpoints and client builders), `publisher` (what a publishing backend
offers). No state: nothing here imports `store/` or `pipeline/`. This package re-exports nothing."""
