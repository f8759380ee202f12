-- KEYS[1] tally hash; ARGV: name, delta, ttl seconds. A plain count (not held by a process).
local total = redis.call('HINCRBY', KEYS[1], ARGV[1], ARGV[2])
if total < 0 then redis.call('HSET', KEYS[1], ARGV[1], 0) end
redis.call('HINCRBY', KEYS[1], 'v', 1)
redis.call('EXPIRE', KEYS[1], ARGV[3])
return tally(KEYS[1])
