"""ECHO Desktop: the desktop client for Project ECHO teleECHO clinics."""

__version__ = "0.1.0"
