-- Shared by create.lua and steps.lua (loaded with dofile in every Lua state wrk makes): numbers
-- the threads, counts answers by HTTP status, and prints one machine-readable RESULT line.
threads = {}
statuses = {}

-- wrk calls setup() and then the thread's init() before it sets up the next thread (which is
-- why the thread count must come as an argument where a script needs it)
function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

-- Seconds from a monotonic clock (LuaJIT's FFI), or whole seconds if the FFI is missing.
local has_ffi, ffi = pcall(require, "ffi")
if has_ffi then
  pcall(ffi.cdef, "typedef struct { long tv_sec; long tv_nsec; } rmm_timespec;" ..
    "int clock_gettime(int clk_id, rmm_timespec *tp);")
end
function now_s()
  if has_ffi then
    local ts = ffi.new("rmm_timespec")
    ffi.C.clock_gettime(1, ts)
    return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) / 1e9
  end
  return os.time()
end

-- The largest value over the threads of a numeric global of theirs.
function max_threads(name)
  local n = 0
  for _, t in ipairs(threads) do
    n = math.max(n, t:get(name) or 0)
  end
  return n
end

function count_status(status)
  statuses[status] = (statuses[status] or 0) + 1
end

-- The sum over the threads of a numeric global of theirs.
function sum_threads(name)
  local n = 0
  for _, t in ipairs(threads) do
    n = n + (t:get(name) or 0)
  end
  return n
end

-- "201:1234,409:2", and the number of answers that are not 2xx.
function status_summary()
  local merged = {}
  for _, t in ipairs(threads) do
    for code, n in pairs(t:get("statuses") or {}) do
      merged[code] = (merged[code] or 0) + n
    end
  end
  local codes, parts, non2xx = {}, {}, 0
  for code in pairs(merged) do
    table.insert(codes, code)
  end
  table.sort(codes)
  for _, code in ipairs(codes) do
    table.insert(parts, code .. ":" .. merged[code])
    if code < 200 or code > 299 then
      non2xx = non2xx + merged[code]
    end
  end
  return (#parts > 0 and table.concat(parts, ",") or "none"), non2xx
end

function report(summary, latency, extra)
  local codes, non2xx = status_summary()
  local e = summary.errors
  local secs = summary.duration / 1e6
  io.write(string.format(
    "RESULT wrk requests=%d duration_s=%.2f rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f" ..
    " max_ms=%.3f statuses=%s non2xx=%d connect_errors=%d read_errors=%d write_errors=%d" ..
    " timeouts=%d%s\n",
    summary.requests, secs, summary.requests / secs, latency:percentile(50) / 1e3,
    latency:percentile(90) / 1e3, latency:percentile(99) / 1e3, latency.max / 1e3, codes, non2xx,
    e.connect, e.read, e.write, e.timeout, extra or ""))
end
