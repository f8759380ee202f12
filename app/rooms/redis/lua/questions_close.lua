-- KEYS: question. Marks it closed in one step, so no answer is taken after it; false for an unknown question.
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'closed', '1')
return 1
