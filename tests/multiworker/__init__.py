"""Worker processes and the sandbox server for the several-workers test (issue 17)."""
