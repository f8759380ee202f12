-- KEYS[1] tally hash.
return tally(KEYS[1])
