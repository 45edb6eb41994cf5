-- wrk script: every request creates a new release (a real append, answered after Kafka's commit).
-- Usage: wrk -t2 -c64 -d20s -s deploy/bench/wrk/create.lua http://127.0.0.1:8081 -- "$(cat .rmm/dev-token)"
local counter = 0
local run = tostring(os.time()) .. tostring(math.random(1000000))

function init(args)
  token = args[1]
  counter = math.random(1, 1000000000)
end

function request()
  counter = counter + 1
  local body = '{"service":"wrk-' .. (counter % 50) .. '","tag":"v' .. run .. '.' .. counter ..
    '","initiator":"bench","github_run_id":"' .. run ..
    '","github_run_link":"https://github.com/acme/bench/actions/runs/1","ref":"refs/tags/v1",' ..
    '"repository":"acme/bench","commit_sha":"abcdef1"}'
  return wrk.format("POST", "/api/v1/releases",
    { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }, body)
end

function done(summary, latency, requests)
  io.write(string.format("non-2xx or errors: %d/%d\n",
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.timeout, summary.requests))
end
