"""Speech for the IVR: Vosk phrase recognition and prompt synthesis for Asterisk."""
