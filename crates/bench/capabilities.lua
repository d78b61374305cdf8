-- wrk script: GET /v1/accounts/{random id}/capabilities with a service token.
-- IDS names a file of account ids, TOKEN holds the bearer token.
local ids = {}
for line in io.lines(os.getenv("IDS")) do
  ids[#ids + 1] = line
end
local auth = "Bearer " .. os.getenv("TOKEN")

function init(args)
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end

function request()
  local id = ids[math.random(#ids)]
  return wrk.format("GET", "/v1/accounts/" .. id .. "/capabilities", { ["Authorization"] = auth })
end
