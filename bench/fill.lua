-- wrk script: every request a new object (a new query string), so the cache keeps filling.
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", "/fill/64k.bin?n=" .. math.random(1, 1000000000) .. "-" .. counter)
end
