"""The live runtime: feeds `queue_engine` with facts from Asterisk and carries out its decisions."""
