"""The lobby: the subscribed programs' upcoming sessions, reminders, and subscribing to programs.

These views read the schedule through `echo_desktop.schedule.ports.ScheduleSource` and its plain
values (`echo_desktop.schedule.lobby`); they never import a feed parser, the network or storage.
"""
