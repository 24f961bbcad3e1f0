"""banjia's console command (`banjia ...`). The pipeline itself runs under Dagster's own CLIs."""
