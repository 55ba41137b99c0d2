"""Administrator pages: users, scheduler jobs (last/next run, errors) and failed deliveries."""
