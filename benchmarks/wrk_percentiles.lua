-- Print what the page benchmark needs in one parseable line (latencies in microseconds).
-- With WRK_VARY set, every request is a different search, as residents' phones send them: a
-- word (or none) near a position of its own, so no two requests share a cached page. WRK_VARY
-- may name the path searched ("/api/v1/directory/" for the API); any other value, the directory.
local vary = os.getenv("WRK_VARY")
if vary then
  local base = string.sub(vary, 1, 1) == "/" and vary or "/directorio/"
  local words = {"", "arepas", "peluqueria", "costura", "bodega", "barberia", "panaderia",
                 "delivery", "reposteria", "tequenos", "manicure", "clases", "envios", "ropa"}
  math.randomseed(os.time())
  request = function()
    local path = string.format("%s?q=%s&lat=-12.%04d&lon=-77.%04d&radius_km=5",
      base, words[math.random(#words)], math.random(0, 1999), math.random(0, 1499))
    return wrk.format("GET", path)
  end
end

done = function(summary, latency, requests)
  io.write(string.format("WRK requests=%d duration_us=%d errors=%d p50=%d p95=%d p99=%d\n",
    summary.requests, summary.duration,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
