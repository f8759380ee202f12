-- KEYS[1] tally hash; ARGV[1] a dead process: its shares leave the aggregates. nil if it held none here.
local suffix = '@' .. ARGV[1]
local all = redis.call('HGETALL', KEYS[1])
local dropped = false
for i = 1, #all, 2 do
  local at = string.find(all[i], suffix, 1, true)
  if at and at + #suffix - 1 == #all[i] then
    local name = string.sub(all[i], 1, at - 1)
    local total = redis.call('HINCRBY', KEYS[1], name, -tonumber(all[i + 1]))
    if total < 0 then redis.call('HSET', KEYS[1], name, 0) end
    redis.call('HDEL', KEYS[1], all[i])
    dropped = true
  end
end
if not dropped then return nil end
redis.call('HINCRBY', KEYS[1], 'v', 1)
return tally(KEYS[1])
