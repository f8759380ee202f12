-- KEYS[1] the processes' heartbeats (sorted set, score = the Redis time by which each must beat again); ARGV:
-- this process, its timeout in seconds. Beats for this process and claims those past their own deadline (each
-- process states its own, so processes with different settings judge each other right); ZREM makes exactly
-- one live process the reaper of each.
local now = redis.call('TIME')
local t = tonumber(now[1]) + tonumber(now[2]) / 1000000
redis.call('ZADD', KEYS[1], t + tonumber(ARGV[2]), ARGV[1])
local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. t)
local claimed = {}
for _, p in ipairs(dead) do
  if redis.call('ZREM', KEYS[1], p) == 1 then claimed[#claimed + 1] = p end
end
return claimed
