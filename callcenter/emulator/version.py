"""The Asterisk release the emulator stands for: one string for the AMI `core show version`
and the FastAGI `agi_version`, so a client sees the same Asterisk everywhere."""

ASTERISK_VERSION = "20.9.3"  # an Asterisk 20 release: AMI 9.0.0, as the banner says
