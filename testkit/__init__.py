"""Test and benchmark tooling: isolated networks, synthetic peers, virtual camera and audio.

It lives beside tests/ and bench/, outside the installed `echo_desktop` package: a wheel never
carries it, and `echo_desktop` never imports it (tests/test_package_boundary.py).
"""
