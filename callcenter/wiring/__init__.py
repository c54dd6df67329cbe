"""Adapters that let the web pages read and write through the store and the runtime."""
