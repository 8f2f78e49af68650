"""Usage metering: counters per team, billing period and metric, against the plan's limits."""
