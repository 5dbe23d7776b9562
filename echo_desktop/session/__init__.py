"""Session layer: domain models, call phases, events, errors and ports.

Plain Python only. Nothing here imports Qt, aiortc or av, so the same logic runs under the
desktop UI, the headless probe and the tests (with fakes at the ports).
"""
