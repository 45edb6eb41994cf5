-- wrk script: every request creates a new release (a real append, answered once the event is in Kafka).
-- Usage: wrk -t2 -c64 -d20s -s deploy/bench/wrk/create.lua http://127.0.0.1:8081 -- TOKEN [IDS_FILE] [RUN] [SERVICES]
--   IDS_FILE  append the release ids of the 201 answers to this file, one a line, when wrk ends
--   RUN       a label making this run's tags unique (default: the time in seconds)
--   SERVICES  how many services the releases are spread over (default 50)
-- Each thread numbers its own tags (LuaJIT's random numbers are the same in every thread, so they
-- cannot keep two threads apart). Prints a RESULT line with the answers by status code.
dofile((debug.getinfo(1, "S").source:match("^@(.-)[^/]*$") or "") .. "common.lua")

local counter = 0
ids = {}
created = 0

function init(args)
  token = args[1]
  ids_file = args[2] ~= "" and args[2] or nil
  run = args[3] or tostring(os.time())
  services = tonumber(args[4] or "") or 50
  hdrs = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }
end

function request()
  counter = counter + 1
  local body = '{"service":"wrk-' .. (counter % services) .. '","tag":"v' .. run .. '.' .. tid .. '.' ..
    counter .. '","initiator":"bench","github_run_id":"' .. run ..
    '","github_run_link":"https://github.com/acme/bench/actions/runs/1","ref":"refs/tags/v1",' ..
    '"repository":"acme/bench","commit_sha":"abcdef1"}'
  return wrk.format("POST", "/api/v1/releases", hdrs, body)
end

function response(status, headers, body)
  count_status(status)
  if status == 201 then
    created = created + 1
    if ids_file then
      local id = body:match('"release_id"%s*:%s*"([^"]+)"')
      if id then ids[#ids + 1] = id end
    end
  end
end

function done(summary, latency, requests)
  local written = 0
  local file = threads[1] and threads[1]:get("ids_file")
  if file then
    local f = assert(io.open(file, "a"))
    for _, t in ipairs(threads) do
      for _, id in ipairs(t:get("ids") or {}) do
        f:write(id, "\n")
        written = written + 1
      end
    end
    f:close()
  end
  report(summary, latency, string.format(" created=%d ids_written=%d", sum_threads("created"), written))
end
