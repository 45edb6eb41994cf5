-- wrk script: lifecycle steps on existing releases, each one a real transition answered 200.
-- Usage: wrk -t2 -c64 -d20s -s deploy/bench/wrk/steps.lua http://127.0.0.1:8081 -- TOKEN IDS_FILE THREADS [FIRST] [COUNT]
--   IDS_FILE      ids of releases just created (status "initiated", version 1), one a line, as
--                 create.lua writes them; each release must be used by one run only
--   THREADS       wrk's -t (a thread takes every THREADS-th line)
--   FIRST, COUNT  use the lines FIRST .. FIRST+COUNT-1 only (default: from line 1, all)
-- Every release gets stage_building, stage_test_rollback, manual_testing in that order: a step is
-- queued only once the answer to the previous one arrived (200, carrying the release_id), at the
-- back of the thread's queue, so a thread sends all its releases' first steps, then their second
-- steps as the answers come back, and so on; a release's next step comes long after its previous
-- answer. An answer counts as a transition when its status is the step sent and its version is
-- above the last one seen (a repeated step is answered 200 with the same version): RESULT
-- reports the others as no_transition. A thread with nothing left to send stops (the pool is
-- used up: RESULT says when; wrk still waits out -d, so its req/s is then too low).
dofile((debug.getinfo(1, "S").source:match("^@(.-)[^/]*$") or "") .. "common.lua")

local NAMES = { "stage_building", "stage_test_rollback", "manual_testing" }
local BODIES = {}
for k, name in ipairs(NAMES) do
  BODIES[k] = '{"status":"' .. name .. '"}'
end
local qid, qstep, head, tail = {}, {}, 1, 0
local sent_step, last_version = {}, {}
pool = 0
answered1, answered2, answered3 = 0, 0, 0
unmatched, no_transition = 0, 0
exhausted, exhausted_after_s = 0, 0

local function push(id, step)
  tail = tail + 1
  qid[tail] = id
  qstep[tail] = step
end

function init(args)
  token = args[1]
  local file = args[2]
  local nthreads = tonumber(args[3] or "")
  local first = tonumber(args[4] or "1")
  local count = tonumber(args[5] or "0")
  if not token or not file or not nthreads then
    error("usage: steps.lua -- TOKEN IDS_FILE THREADS [FIRST] [COUNT]")
  end
  hdrs = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }
  local i = 0
  for line in io.lines(file) do
    i = i + 1
    if i >= first and (count == 0 or i < first + count) and (i - first) % nthreads == tid - 1
        and line ~= "" then
      push(line, 1)
      last_version[line] = 1
    end
  end
  pool = tail
  started = now_s()
end

function request()
  if head > tail then
    -- nothing to send: every remaining step waits for an answer, the pool is used up
    if exhausted == 0 then
      exhausted = 1
      exhausted_after_s = now_s() - started
      wrk.thread:stop()
    end
    return wrk.format("GET", "/q/health/live")
  end
  local id, step = qid[head], qstep[head]
  qid[head], qstep[head] = nil, nil
  head = head + 1
  sent_step[id] = step
  return wrk.format("POST", "/api/v1/releases/" .. id .. "/steps", hdrs, BODIES[step])
end

function response(status, headers, body)
  count_status(status)
  if status ~= 200 then return end
  local id = body:match('"release_id"%s*:%s*"([^"]+)"')
  local step = id and sent_step[id]
  if not step then
    unmatched = unmatched + 1
    return
  end
  sent_step[id] = nil
  local version = tonumber(body:match('"version"%s*:%s*(%d+)') or "0")
  if body:match('"status"%s*:%s*"([^"]+)"') ~= NAMES[step] or version <= last_version[id] then
    no_transition = no_transition + 1
    return
  end
  last_version[id] = version
  if step == 1 then
    answered1 = answered1 + 1
  elseif step == 2 then
    answered2 = answered2 + 1
  else
    answered3 = answered3 + 1
  end
  if step < 3 then
    push(id, step + 1)
  end
end

function done(summary, latency, requests)
  report(summary, latency, string.format(
    " pool=%d step1=%d step2=%d step3=%d no_transition=%d unmatched=%d exhausted_threads=%d" ..
    " exhausted_after_s=%.1f",
    sum_threads("pool"), sum_threads("answered1"), sum_threads("answered2"),
    sum_threads("answered3"), sum_threads("no_transition"), sum_threads("unmatched"),
    sum_threads("exhausted"), max_threads("exhausted_after_s")))
end
