"""Auto-informing: outbound notification calls (and e-mails) to a list of citizens.

`policy` decides (pure, time injected); `campaign_file` reads a campaign; `runner` places the calls
over AMI and records every attempt; `mail` sends the same message by e-mail.
"""
