-- KEYS[1] tally hash, KEYS[2] the process's room set; ARGV: name, process, its share now, ttl seconds, code.
-- At each beat: sets the share to what the process holds (so a share dropped while the process was alive but
-- silent comes back whole) and moves the aggregate by the difference; answers {changed, v, ...}.
local share, n = ARGV[1] .. '@' .. ARGV[2], tonumber(ARGV[3])
local old = tonumber(redis.call('HGET', KEYS[1], share) or '0')
if n > 0 then
  redis.call('HSET', KEYS[1], share, n)
  redis.call('SADD', KEYS[2], ARGV[5])
  redis.call('EXPIRE', KEYS[2], ARGV[4])
else
  redis.call('HDEL', KEYS[1], share)
end
local changed = 0
if n ~= old then
  local total = redis.call('HINCRBY', KEYS[1], ARGV[1], n - old)
  if total < 0 then redis.call('HSET', KEYS[1], ARGV[1], 0) end
  redis.call('HINCRBY', KEYS[1], 'v', 1)
  changed = 1
end
redis.call('EXPIRE', KEYS[1], ARGV[4])
local out = tally(KEYS[1])
table.insert(out, 1, changed)
return out
