"""Prompts played outside the IVR menus, with their Russian text: the one place they are written.

The engine's AGI routes (callback offer) and the shipped dialplan (`asterisk_conf/extensions.conf`:
the emergency announcement, the callback greeting, the notification fallback) play these by id,
under the configured `sound_prefix`, like the menus' prompts. `callcenter prompts build`
synthesises them with the menus' prompts; a menu may not use one of these ids.

Sounds Asterisk ships itself (core sounds) are never built: `ASTERISK_SOUNDS` names those the
engine or the dialplan may rely on.
"""

from __future__ import annotations

from collections.abc import Mapping

# The callback offer a waiting caller hears when no operator will be free in time
# (`callcenter.runtime.agi_routes.EngineRoutes.callback_offer`).
CALLBACK_OFFER = "cc-callback-offer"
CALLBACK_ENTER_NUMBER = "cc-callback-enter-number"
CALLBACK_CONFIRMED = "cc-callback-confirmed"
CALLBACK_INVALID_NUMBER = "cc-callback-invalid-number"
# The citizen answered a citizen-first callback (the dialplan's `cc-callback-in`): played before
# they wait for the next free operator.
CALLBACK_GREETING = "cc-callback-greeting"
# `queue_engine.policies.entry.EMERGENCY_PROMPT`: played by the dialplan (CC_ANNOUNCE) when the
# supervisor's own announcement text cannot be synthesised.
EMERGENCY = "emergency"
# `callcenter.notify.campaign_file`: a campaign's default prompt, played (CC_NOTIFY_PROMPT) when
# its message cannot be synthesised.
NOTIFY = "notify"

SYSTEM_PROMPTS: Mapping[str, str] = {
    CALLBACK_OFFER: (
        "Все операторы сейчас заняты. Чтобы оператор перезвонил вам на этот номер, нажмите один. "
        "Чтобы указать другой номер, нажмите два. Чтобы остаться на линии, ничего не нажимайте."
    ),
    CALLBACK_ENTER_NUMBER: (
        "Введите номер телефона для обратного звонка вместе с кодом города и нажмите решётку."
    ),
    CALLBACK_CONFIRMED: (
        "Ваша заявка на обратный звонок принята. Оператор перезвонит вам в течение десяти минут. "
        "До свидания!"
    ),
    CALLBACK_INVALID_NUMBER: (
        "Не удалось принять этот номер для обратного звонка. Пожалуйста, оставайтесь на линии, "
        "оператор ответит вам."
    ),
    CALLBACK_GREETING: (
        "Здравствуйте! Вам перезванивает единый контактный центр, ожидайте ответа оператора."
    ),
    EMERGENCY: (
        "Внимание! В регионе введён режим чрезвычайной ситуации. Официальная информация "
        "публикуется на портале государственных услуг. Оставайтесь на линии."
    ),
    NOTIFY: (
        "Здравствуйте! Это единый контакт-центр государственных услуг. Для вас есть новое "
        "уведомление. Подробности в личном кабинете на портале государственных услуг."
    ),
}

# Asterisk's core sounds (the asterisk-core-sounds package): installed with Asterisk, not built.
# An entry ending in "/" covers a directory of them.
ASTERISK_SOUNDS = ("beep", "digits/", "letters/")


def is_asterisk_sound(name: str) -> bool:
    return any(name.startswith(s) if s.endswith("/") else name == s for s in ASTERISK_SOUNDS)
