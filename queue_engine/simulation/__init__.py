"""Discrete-event simulation of a contact-center day, in virtual time, through the policies."""
