-- KEYS[1] tally hash, KEYS[2] the process's set of rooms where it holds shares; ARGV: name, delta, process,
-- ttl seconds, code. Increments commute, so a process's joins and leaves need no ordering among themselves.
local share, delta = ARGV[1] .. '@' .. ARGV[3], tonumber(ARGV[2])
local mine = redis.call('HINCRBY', KEYS[1], share, delta)
if mine <= 0 then
  redis.call('HDEL', KEYS[1], share)
  redis.call('SREM', KEYS[2], ARGV[5])
  delta = delta - mine  -- the share had been dropped (the process was taken for dead): never count below it
else
  redis.call('SADD', KEYS[2], ARGV[5])
  redis.call('EXPIRE', KEYS[2], ARGV[4])
end
if delta ~= 0 then
  local total = redis.call('HINCRBY', KEYS[1], ARGV[1], delta)
  if total < 0 then redis.call('HSET', KEYS[1], ARGV[1], 0) end
end
redis.call('HINCRBY', KEYS[1], 'v', 1)
redis.call('EXPIRE', KEYS[1], ARGV[4])
return tally(KEYS[1])
