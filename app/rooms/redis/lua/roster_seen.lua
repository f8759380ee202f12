-- A follower seen in a room: KEYS = the room's record, its last-seen hash, its open-streams hash;
-- ARGV = follower, time, change in open streams, TTL. A room that has ended is left as it is, so a stream
-- closing after DELETE /api/rooms/{code} does not write the class list back.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('EXPIRE', KEYS[2], ARGV[4])
local live = tonumber(ARGV[3])
if live ~= 0 then
  redis.call('HINCRBY', KEYS[3], ARGV[1], live)
  redis.call('EXPIRE', KEYS[3], ARGV[4])
end
return 1
