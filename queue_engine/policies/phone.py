"""Callback number validation with `phonenumbers`: region, prefix and no premium rate."""

from __future__ import annotations

from functools import lru_cache

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from queue_engine.config import PhonePolicy
from queue_engine.errors import InvalidCallbackNumber

_REFUSED_TYPES = frozenset({PhoneNumberType.PREMIUM_RATE, PhoneNumberType.SHARED_COST})


@lru_cache(maxsize=65_536)
def validate_number(number: str, policy: PhonePolicy) -> str:
    """Return the number in E.164 form, or raise InvalidCallbackNumber saying why."""
    try:
        parsed = phonenumbers.parse(number, policy.default_region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidCallbackNumber("number cannot be parsed", number=number) from exc
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidCallbackNumber("number is not valid", number=number)
    region = phonenumbers.region_code_for_number(parsed)
    if region not in policy.allowed_regions:
        raise InvalidCallbackNumber("region not allowed", number=number, region=region)
    if policy.forbid_premium and phonenumbers.number_type(parsed) in _REFUSED_TYPES:
        raise InvalidCallbackNumber("premium-rate number", number=number)
    e164 = phonenumbers.format_number(parsed, PhoneNumberFormat.E164)
    if policy.allowed_prefixes and not e164.startswith(policy.allowed_prefixes):
        raise InvalidCallbackNumber("prefix not allowed", number=number)
    return e164
