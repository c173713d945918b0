"""The words a time is written in: day and month names, units, zones, parts of the day, typos."""

from __future__ import annotations

SPELLINGS = {
    "tmrw": "tomorrow", "tmr": "tomorrow", "tmrow": "tomorrow", "2moro": "tomorrow", "2morrow": "tomorrow",
    "tomorow": "tomorrow", "tommorow": "tomorrow", "tommorrow": "tomorrow", "tomorrw": "tomorrow",
    "tomm": "tomorrow", "tmw": "tomorrow", "tomo": "tomorrow", "morrow": "tomorrow", "tomorrows": "tomorrow",
    "tmrrw": "tomorrow", "tomorroe": "tomorrow",
    "tdy": "today", "2day": "today", "todays": "today", "tonite": "tonight", "2nite": "tonight", "tonigth": "tonight",
    "ystrdy": "yesterday", "yday": "yesterday",
    "nxt": "next", "thru": "through", "til": "till", "untill": "until", "b4": "before",
    "wendsday": "wednesday", "wensday": "wednesday", "wednsday": "wednesday", "wedensday": "wednesday",
    "wednessday": "wednesday", "wedsday": "wednesday",
    "thrusday": "thursday", "thursay": "thursday", "thurday": "thursday", "thusday": "thursday",
    "tuseday": "tuesday", "teusday": "tuesday", "tuesay": "tuesday", "fryday": "friday", "firday": "friday",
    "fridy": "friday", "saturady": "saturday", "satruday": "saturday", "sunady": "sunday", "monady": "monday",
    "mondy": "monday",
    "arvo": "afternoon", "aft": "afternoon", "afternon": "afternoon", "eve": "evening", "evng": "evening",
    "nite": "night", "mornin": "morning", "mrng": "morning", "morn": "morning", "noonish": "noon",
    "midnite": "midnight", "lunchtime": "lunch",
    "oclock": "oclock", "approx": "approximately", "abt": "about",
}

WEEKDAYS = {
    "monday": 0, "mon": 0, "tuesday": 1, "tue": 1, "tues": 1, "tu": 1, "wednesday": 2, "wed": 2, "weds": 2,
    "thursday": 3, "thu": 3, "thur": 3, "thurs": 3, "thr": 3, "friday": 4, "fri": 4,
    "saturday": 5, "sat": 5, "sunday": 6, "sun": 6,
}
WEEKDAY_PLURALS = {name + "s": day for name, day in WEEKDAYS.items() if len(name) > 3}
WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
    "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9,
    "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}

# A duration's unit and what it counts: elapsed time (C9) or calendar steps.
UNITS = {
    "s": "seconds", "sec": "seconds", "secs": "seconds", "second": "seconds", "seconds": "seconds",
    "m": "minutes", "min": "minutes", "mins": "minutes", "minute": "minutes", "minutes": "minutes", "mn": "minutes",
    "'": "minutes",
    "h": "hours", "hr": "hours", "hrs": "hours", "hour": "hours", "hours": "hours",
    "d": "days", "day": "days", "days": "days",
    "w": "weeks", "wk": "weeks", "wks": "weeks", "week": "weeks", "weeks": "weeks",
    "fortnight": "fortnights", "fortnights": "fortnights",
    "mo": "months", "mos": "months", "month": "months", "months": "months",
    "y": "years", "yr": "years", "yrs": "years", "year": "years", "years": "years",
}
ELAPSED_UNITS = {"seconds", "minutes", "hours"}

# C10: a zone word names a region, whichever offset is in force there on the day.
ZONES = {
    "pt": "America/Los_Angeles", "pst": "America/Los_Angeles", "pdt": "America/Los_Angeles",
    "pacific": "America/Los_Angeles",
    "et": "America/New_York", "est": "America/New_York", "edt": "America/New_York", "eastern": "America/New_York",
    "ct": "America/Chicago", "cst": "America/Chicago", "cdt": "America/Chicago", "central": "America/Chicago",
    "mt": "America/Denver", "mst": "America/Denver", "mdt": "America/Denver", "mountain": "America/Denver",
    "gmt": "UTC", "utc": "UTC", "z": "UTC", "bst": "Europe/London", "uk": "Europe/London",
    "ist": "Asia/Kolkata", "cet": "Europe/Paris", "cest": "Europe/Paris", "sgt": "Asia/Singapore",
    "aest": "Australia/Sydney", "aedt": "Australia/Sydney",
    "jst": "Asia/Tokyo", "hkt": "Asia/Hong_Kong", "hst": "Pacific/Honolulu", "akst": "America/Anchorage",
    "akdt": "America/Anchorage", "nzst": "Pacific/Auckland", "nzdt": "Pacific/Auckland", "msk": "Europe/Moscow",
    "awst": "Australia/Perth",
}
# The abbreviations that name one half of a zone's year; said in the other half they still mean the region.
STANDARD_ABBREVIATIONS = {"pst", "est", "cst", "mst", "aest", "cet", "nzst", "akst"}
DAYLIGHT_ABBREVIATIONS = {"pdt", "edt", "cdt", "mdt", "aedt", "cest", "bst", "nzdt", "akdt"}

# C8: parts of the day and the hour each stands for.
PART_HOURS = {"morning": 9, "noon": 12, "lunch": 12, "afternoon": 15, "evening": 18, "tonight": 20,
              "night": 20, "midnight": 0, "eod": 17}
PM_PARTS = {"afternoon", "evening", "tonight", "night"}

# C15: words that say there is no usable time.
NO_TIME = {"asap", "whenever", "soon", "later", "tbd", "tba", "na", "someday", "sometime", "eventually",
           "unknown", "none", "never", "anytime", "shortly", "soonish"}

# Words that may stand around a time without changing it.
FILLERS = {"at", "on", "by", "due", "around", "about", "approximately", "roughly", "circa", "the", "for",
           "before", "and", "starting", "sharp", "exactly"}
# Fillers after which a bare hour is a time of day: `at 4`, `by 5`.
AT_WORDS = {"at", "by", "around", "about", "approximately", "roughly", "circa", "before"}

EOD_HOUR = 17
DEFAULT_HOUR = 9

# Month names in the other languages dateparser reads behind the grammar (es, fr, de, it, pt, nl).
FOREIGN_MONTHS = set("""
enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre noviembre diciembre
janvier février fevrier mars avril mai juin juillet août aout septembre octobre novembre décembre decembre
januar jänner februar märz maerz april mai juni juli august september oktober november dezember
gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre
janeiro fevereiro março marco abril maio junho julho agosto setembro outubro novembro dezembro
januari februari maart april mei juni juli augustus september oktober november december
""".split())
FOREIGN_LANGUAGES = ["en", "es", "fr", "de", "it", "pt", "nl"]
