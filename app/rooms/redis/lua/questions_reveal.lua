-- KEYS: question, answers. Marks it revealed and reads the answers in one step, so none is counted after it.
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
redis.call('HSET', KEYS[1], 'revealed', '1')
return {redis.call('HGET', KEYS[1], 'record'), redis.call('HVALS', KEYS[2])}
