"""Keeping local data in step with the hubs: the schedule's source over the program service's
client (net) and the cache (storage). No Qt and no media here; the app wires it to the lobby."""
