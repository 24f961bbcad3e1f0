"""The domain, pure: the canonical listing, migrations configuration, source identities, category
matching, SKU matrix, pricing, titles, drafts, image rules, the supply-report decision, compliance
arithmetic and China's clock. No I/O, no dagster, nothing else of the project. Import from the
module that defines a name; this package re-exports nothing."""
