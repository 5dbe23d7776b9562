"""Qt widgets of ECHO Desktop: the join screen, the call screen and the main window.

The UI talks only to echo_desktop.session (ClinicSession, models, phases, ports, errors). It never
imports the network or media layers, so it can be driven by a fake engine in tests.
"""
