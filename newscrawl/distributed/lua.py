"""The Redis Lua scripts of the shared frontier: each runs as one step, so workers never see half of it."""

# Take the first request of the queue into this worker's in-flight hash, in one step.
# KEYS: queue, inflight hash, sequence counter. Returns {field, request} or nil.
POP = """
local item = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #item == 0 then return false end
redis.call('ZREM', KEYS[1], item[1])
local field = redis.call('INCR', KEYS[3]) .. ':' .. item[2]
redis.call('HSET', KEYS[2], field, item[1])
return {field, item[1]}
"""

# Mark a request seen and queue it in one step. Two commands (scrapy-redis's SADD, then ZADD) leave a
# window where a worker killed between them has marked a request seen that is in no queue: lost for good.
# KEYS: seen set, queue. ARGV: fingerprint ('' for dont_filter), score, request, the seen set's TTL in ms
# (pushed back at each add, so the set never lives without one: newscrawl/distributed/dupefilter.py).
ENQUEUE = """
if ARGV[1] ~= '' then
  if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
return 1
"""

# A worker leaves: drop its heartbeat and in-flight hash (already settled or put back) and its name.
# If that leaves the frontier empty (nothing queued, no live worker, nothing in flight at a dead one),
# the crawl is over: its seen set, sequence counter and the names of dead workers go too. Else the
# seen set and counter get their TTL once more: they expire that long after the last worker left.
# KEYS: workers set, queue, seen set, sequence counter, this worker's heartbeat, its in-flight hash.
# ARGV: the heartbeat and in-flight key names less the worker id, this worker, the seen set's TTL in ms.
# Returns 1 when the crawl ended.
LEAVE = """
redis.call('DEL', KEYS[5], KEYS[6])
redis.call('SREM', KEYS[1], ARGV[3])
local over = redis.call('ZCARD', KEYS[2]) == 0
if over then
  for _, worker in ipairs(redis.call('SMEMBERS', KEYS[1])) do
    if redis.call('EXISTS', ARGV[1] .. worker) == 1 or redis.call('EXISTS', ARGV[2] .. worker) == 1 then
      over = false
      break
    end
  end
end
if not over then
  redis.call('PEXPIRE', KEYS[3], ARGV[4])
  redis.call('PEXPIRE', KEYS[4], ARGV[4])
  return 0
end
redis.call('DEL', KEYS[1], KEYS[3], KEYS[4])
return 1
"""

# Push back the in-flight requests of every worker whose heartbeat expired, and forget the worker.
# KEYS: workers set, queue. ARGV: the heartbeat and in-flight key names less the worker id
# (FrontierKeys.alive(""), .inflight("")). Returns how many requests went back.
RECOVER = """
local recovered = 0
for _, worker in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', ARGV[1] .. worker) == 0 then
    local inflight = ARGV[2] .. worker
    local entries = redis.call('HGETALL', inflight)
    for i = 1, #entries, 2 do
      local score = string.match(entries[i], ':(.*)$')
      redis.call('ZADD', KEYS[2], score, entries[i + 1])
      recovered = recovered + 1
    end
    redis.call('DEL', inflight)
    redis.call('SREM', KEYS[1], worker)
  end
end
return recovered
"""

# The shared frontier's state, from one worker's point of view.
# KEYS: queue, workers set. ARGV: the heartbeat and in-flight key names less the worker id, this worker.
# Returns {queued, others' in-flight, live workers}.
STATE = """
local others, live = 0, 0
for _, worker in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  if redis.call('EXISTS', ARGV[1] .. worker) == 1 then live = live + 1 end
  if worker ~= ARGV[3] then others = others + redis.call('HLEN', ARGV[2] .. worker) end
end
return {redis.call('ZCARD', KEYS[1]), others, live}
"""

# Put entries of this worker's in-flight hash back in the queue (a worker closing with work undone).
# KEYS: inflight hash, queue. ARGV: fields.
REQUEUE = """
local n = 0
for _, field in ipairs(ARGV) do
  local request = redis.call('HGET', KEYS[1], field)
  if request then
    redis.call('ZADD', KEYS[2], string.match(field, ':(.*)$'), request)
    redis.call('HDEL', KEYS[1], field)
    n = n + 1
  end
end
return n
"""
