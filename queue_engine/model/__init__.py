"""Domain model: calls, queues, operators, callbacks, partners and the schedule."""
