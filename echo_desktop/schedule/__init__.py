"""The clinic schedule: programs' sessions, their recurrences, and the iCalendar feeds that carry them.

Plain Python over icalendar and recurring-ical-events (no Qt, no network, no disk): the hub builds
feeds with `feed`, the client reads any feed (the hub's, Outlook's, Google's) with `occurrences`.
"""
