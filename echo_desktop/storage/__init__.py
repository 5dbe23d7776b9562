"""Files on the user's disk: settings now; the schedule cache and case drafts later."""
