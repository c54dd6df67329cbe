"""A compact Asterisk 20 stand-in: an AMI server, a FastAGI client and an app_queue model."""
