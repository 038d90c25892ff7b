# Italian dates as Italians write them: "2 dicembre 2026", months and weekdays in lower case
# (Django's Italian catalogue capitalises them; locale/it overrides those names).
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
