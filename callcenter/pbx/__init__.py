"""The Asterisk adapter: AMI client (`ami.AmiClient`) and FastAGI server (`agi_server.AgiServer`).

It turns the wire into typed facts (`facts`, `snapshots`) and executes typed actions
(`ami_actions`); the wiring connects facts to `queue_engine`. Nothing here is built at import.
"""
