-- wrk script: POST /orders with a fresh Idempotency-Key per request (every request creates an
-- order), 2 items drawn uniformly from 50 SKUs, a currency from EUR/USD/HUF, and the users'
-- tokens in turn. Tokens come from the environment: BENCH_TOKENS="t1 t2 ...".
local tokens = {}
local next_token = 1
local counter = 0
local prefix

local function hex(n)
  local t = {}
  for i = 1, n do t[i] = string.format("%x", math.random(0, 15)) end
  return table.concat(t)
end

local thread_count = 0
function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_id", thread_count)
end

function init(args)
  for token in string.gmatch(os.getenv("BENCH_TOKENS") or "", "%S+") do
    tokens[#tokens + 1] = token
  end
  if #tokens == 0 then error("set BENCH_TOKENS") end
  math.randomseed(os.time() * 1000 + (thread_id or 0) * 7919 + math.floor(os.clock() * 1e6))
  -- Idempotency keys: a random per-thread prefix + a counter, shaped as a UUID.
  prefix = hex(8) .. "-" .. hex(4) .. "-4" .. hex(3) .. "-a" .. hex(3) .. "-"
end

local currencies = { "EUR", "USD", "HUF" }

function request()
  counter = counter + 1
  local token = tokens[next_token]
  next_token = next_token % #tokens + 1
  local body = string.format(
    '{"currency":"%s","items":[{"sku":"WRK-%02d","qty":%d,"unit_price":%d},{"sku":"WRK-%02d","qty":%d,"unit_price":%d}]}',
    currencies[math.random(1, 3)],
    math.random(0, 49), math.random(1, 5), math.random(100, 10000),
    math.random(0, 49), math.random(1, 5), math.random(100, 10000))
  local headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
    ["Idempotency-Key"] = prefix .. string.format("%012x", counter),
  }
  return wrk.format("POST", "/orders", headers, body)
end
