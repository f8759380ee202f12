-- Shared by every counts script: tally(key) answers {v, name, value, ...} of a room's aggregates (the hash
-- fields without '@', which are the processes' shares, and without 'v').
local function tally(key)
  local out = {tonumber(redis.call('HGET', key, 'v') or '0')}
  local all = redis.call('HGETALL', key)
  for i = 1, #all, 2 do
    if all[i] ~= 'v' and not string.find(all[i], '@', 1, true) then
      out[#out + 1] = all[i]
      out[#out + 1] = tonumber(all[i + 1])
    end
  end
  return out
end
