-- wrk script: GET /orders/{id} of one order (served from the Redis cache after the first
-- request). BENCH_TOKEN and BENCH_ORDER_ID come from the environment.
function init(args)
  wrk.headers["Authorization"] = "Bearer " .. assert(os.getenv("BENCH_TOKEN"), "set BENCH_TOKEN")
  wrk.path = "/orders/" .. assert(os.getenv("BENCH_ORDER_ID"), "set BENCH_ORDER_ID")
end
