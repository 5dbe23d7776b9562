"""The hub's program service: the authority for everything that is not media.

Programs, their sessions, people and their roles (and later cases and the live room) live here.
`store` holds every line of SQL, so that PostgreSQL can replace the embedded SQLite when a hub
outgrows one machine; `tokens` makes and checks the bearer tokens, which are stored hashed.
"""
