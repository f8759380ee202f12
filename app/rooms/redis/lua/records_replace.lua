-- KEYS[1] record, KEYS[2] channel; ARGV: expected version, record, message, ttl seconds.
-- Write and publish happen in one step: no other write can slip between them, so messages keep write order.
local v = redis.call('HGET', KEYS[1], 'version')
if not v then return -1 end
if tonumber(v) ~= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'record', ARGV[2], 'version', tonumber(v) + 1)
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('PUBLISH', KEYS[2], ARGV[3])
return 1
