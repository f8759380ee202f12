-- KEYS: question, answers, rate; ARGV: follower, value, max answers, rate limit, rate window, ttl
if redis.call('EXISTS', KEYS[1]) == 0 then return 'missing' end
if redis.call('HGET', KEYS[1], 'revealed') == '1' then return 'revealed' end
if redis.call('HGET', KEYS[1], 'closed') == '1' then return 'closed' end
local n = redis.call('INCR', KEYS[3])
if n == 1 then redis.call('EXPIRE', KEYS[3], ARGV[5]) end
if n > tonumber(ARGV[4]) then return 'too fast' end
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 and redis.call('HLEN', KEYS[2]) >= tonumber(ARGV[3]) then
  return 'full'
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('EXPIRE', KEYS[2], ARGV[6])
return 'ok'
