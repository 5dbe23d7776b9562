"""The local hub: the project's own Janus, started and stopped by ECHO Desktop."""
