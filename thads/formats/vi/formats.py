# Django's own "vi" formats define no input formats, so a date typed in the
# Vietnamese admin as 01/02/2026 would be read month first. Dates here are
# day first (dd/mm/yyyy), as everywhere in Vietnam.
from django.conf.locale.vi.formats import *  # noqa: F403

DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
DATETIME_INPUT_FORMATS = ["%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M:%S"]
# Shown dates as in Vietnamese tables (dd/mm/yyyy): Django's "d-m-Y" is not how a
# date is written here, and its long "Ngày 30 tháng 12 năm 2022" (with the time
# before it) took a third of an admin list's width.
DATE_FORMAT = "d/m/Y"
DATETIME_FORMAT = "d/m/Y H:i"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
