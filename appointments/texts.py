"""What the borrower reads about appointments (short, plain ASCII, one question last)."""

from datetime import datetime
from zoneinfo import ZoneInfo


def when(moment: datetime, zone: ZoneInfo, language: str = "en") -> str:
    local = moment.astimezone(zone)
    clock = local.strftime("%-I:%M %p") if language == "en" else local.strftime("%-H:%M")
    day = local.strftime("%a %b %-d")
    if language == "es":
        days = ["lun", "mar", "mie", "jue", "vie", "sab", "dom"]
        day = f"{days[local.weekday()]} {local.day}/{local.month}"
    return f"{day}, {clock}"


def zone_name(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Z")


def offer(slots, zone: ZoneInfo, language: str, who: str) -> str:
    options = " ".join(f"{i}) {when(s.starts_at, zone, language)}" for i, s in enumerate(slots, start=1))
    tz = zone_name(slots[0].starts_at, zone)
    if language == "es":
        return f"Puedo agendar una llamada con {who}. {options} ({tz}). Responda 1, 2 o 3, u otra hora. Cual le queda mejor?"
    return f"I can set up a call with {who}. {options} ({tz}). Reply 1, 2 or 3, or name another time. Which works best?"


def no_slots(language: str) -> str:
    if language == "es":
        return "No tengo horarios libres pronto; un oficial de prestamos le escribira para acordar una hora."
    return "I don't have an open time soon; a loan officer will text you to find one."


def not_free(zone: ZoneInfo, language: str) -> str:
    if language == "es":
        return "Esa hora no esta libre."
    return "That time isn't open."


def booked(appointment, zone: ZoneInfo, language: str) -> str:
    at = when(appointment.starts_at, zone, language)
    tz = zone_name(appointment.starts_at, zone)
    name = appointment.officer.name
    if language == "es":
        return f"Listo: {name} le llamara el {at} {tz}. Para cambiar la hora, escriba otra; para cancelar, escriba 'cancelar la cita'."
    return f"You're booked: {name} will call you {at} {tz}. To move it, text a new time; to cancel, text 'cancel the appointment'."


def cancelled(language: str) -> str:
    if language == "es":
        return "Su cita esta cancelada. Escriba cuando quiera agendar otra."
    return "Your appointment is cancelled. Text us anytime to set up another."


def reminder(appointment, zone: ZoneInfo, language: str, *, hours: int) -> str:
    at = when(appointment.starts_at, zone, language)
    tz = zone_name(appointment.starts_at, zone)
    name = appointment.officer.name
    if language == "es":
        lead_in = "Recordatorio" if hours >= 24 else "En una hora"
        return f"{lead_in}: {name} le llamara el {at} {tz}. Para cambiar la hora, escriba otra."
    lead_in = "Reminder" if hours >= 24 else "In an hour"
    return f"{lead_in}: {name} will call you {at} {tz}. Need another time? Just text it."
