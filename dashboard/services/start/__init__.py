"""What each role's start page lists: what needs the person now, most urgent first."""
