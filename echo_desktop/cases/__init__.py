"""Cases: the ECHO case form, the de-identification guard, and a case's way through review.

Plain Python (no Qt, no I/O; clocks and ids injected). The guard is `cases.deid`.
"""
