"""Names shared with `asterisk_conf/extensions.conf`: contexts, AGI routes and variables.

The dialplan and the engine meet only through these; a test checks that each context named here
exists in the shipped extensions.conf.
"""

from __future__ import annotations

CALLBACK_OFFER_CONTEXT = "cc-callback-offer"  # Redirect target: offer a callback (AGI inside)
OVERFLOW_OUT_CONTEXT = "cc-overflow-out"  # Redirect target: Dial the partner trunk
CALLBACK_OUT_CONTEXT = "cc-callback-out"  # Originate (operator-first): operator leg, Dial citizen
CALLBACK_IN_CONTEXT = "cc-callback-in"  # Originate (citizen-first): the citizen answered, Queue()
TRANSFER_CONTEXT = "cc-transfer"  # Redirect target: blind transfer to an agency number
CONTEXTS = (
    CALLBACK_OFFER_CONTEXT,
    OVERFLOW_OUT_CONTEXT,
    CALLBACK_OUT_CONTEXT,
    CALLBACK_IN_CONTEXT,
    TRANSFER_CONTEXT,
)

# Variables the entry route sets for the dialplan.
ACTION = "CC_ACTION"  # queue | ivr | hangup
QUEUE = "CC_QUEUE"
PRIORITY = "CC_PRIO"
QUEUE_TIMEOUT = "CC_TIMEOUT"
ANNOUNCE = "CC_ANNOUNCE"
TOPIC = "CC_TOPIC"
# Variables for the Redirect / Originate targets (a citizen-first callback also gets QUEUE and
# PRIORITY: the queue and the place the citizen takes once they answer).
CALLBACK_ID = "CC_CALLBACK_ID"
CALLBACK_NUMBER = "CC_CALLBACK_NUMBER"
PARTNER_TRUNK = "CC_PARTNER_TRUNK"
PARTNER_NUMBER = "CC_PARTNER_NUMBER"
PARTNER_CONTEXT = "CC_CONTEXT"
HANDOFF = "CC_HANDOFF"
HOPS = "CC_HOPS"
TRANSFER_NUMBER = "CC_TRANSFER_NUMBER"
