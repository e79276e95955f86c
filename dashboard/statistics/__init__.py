"""Official statistics from Statistics Norway (SSB): reading JSON-stat 2.0 and SSB's CSV,
fetching from PxWebApi v2, and importing an indicator's whole-country series (issue 19)."""
