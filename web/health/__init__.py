"""``/healthz``: for load balancers and monitors, without signing in; says nothing about anyone."""
