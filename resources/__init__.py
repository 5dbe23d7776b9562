"""The app's data files: the local hub's Janus config (janus/) and the menu entry (desktop/).

This top-level folder is installed as the package `echo_desktop.resources` (pyproject.toml maps
it), so code finds the files with `importlib.resources.files("echo_desktop.resources")` in a
checkout, an editable install and a wheel alike. This file makes it a regular package, which an
editable install needs to import it under that name.
"""
