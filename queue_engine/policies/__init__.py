"""Decision rules: entry by mode, the 40-second guard, overflow choice, callback numbers."""
