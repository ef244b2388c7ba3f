-- wrk script for bench/soak.sh: one kind of traffic per wrk process, chosen by the argument
-- after `--`, and a count of the responses whose status that kind does not expect.
--   hot       a few cached objects                  expects 2xx/3xx
--   miss      a new query string every request      expects 2xx/3xx
--   notfound  objects the origin does not have      expects 404
--   range     byte ranges, some past the end        expects 206 (and 200), 416
--   bigrange  ranges of /big/big.bin (its size is the second argument) at random 64 KiB-aligned
--             offsets, 1 to 64 KiB long, some past the end   expects 206, 416
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  mode = args[1] or "hot"
  big = tonumber(args[2] or "0")
  counter = 0
  unexpected = 0
  math.randomseed(os.time() + math.floor(os.clock() * 1e6))
end

local hot = { "/1k.bin", "/16k.bin", "/64k.bin", "/256k.bin" }

function request()
  counter = counter + 1
  if mode == "miss" then
    return wrk.format("GET", "/fill/1k.bin?n=" .. math.random(1, 1000000000) .. "-" .. counter)
  elseif mode == "notfound" then
    return wrk.format("GET", "/missing/" .. math.random(1, 1000) .. ".bin")
  elseif mode == "range" then
    local r
    local pick = math.random(1, 10)
    if pick == 1 then
      r = "bytes=70000-"                 -- past the end of 64 KiB: 416
    elseif pick == 2 then
      r = "bytes=-" .. math.random(1, 4096)
    else
      local a = math.random(0, 65535)
      r = "bytes=" .. a .. "-" .. math.random(a, 65535)
    end
    return wrk.format("GET", "/64k.bin", { ["Range"] = r })
  elseif mode == "bigrange" then
    local r
    if math.random(1, 20) == 1 then
      r = "bytes=" .. big .. "-"                 -- past the end: 416
    else
      local a = math.random(0, math.floor(big / 65536) - 1) * 65536
      r = "bytes=" .. a .. "-" .. (a + math.random(1024, 65536) - 1)
    end
    return wrk.format("GET", "/big/big.bin", { ["Range"] = r })
  end
  return wrk.format("GET", hot[math.random(1, #hot)])
end

function response(status, headers, body)
  local ok
  if mode == "notfound" then
    ok = status == 404
  elseif mode == "range" then
    ok = status == 206 or status == 200 or status == 416
  elseif mode == "bigrange" then
    ok = status == 206 or status == 416
  else
    ok = status >= 200 and status < 400
  end
  if not ok then
    unexpected = unexpected + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do
    bad = bad + (t:get("unexpected") or 0)
  end
  io.write("soak-unexpected-status: " .. bad .. "\n")
end
