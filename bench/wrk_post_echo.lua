-- POST /echo workload for wrk: a 1 KB request body echoed back.
wrk.method = "POST"
wrk.body = string.rep("x", 1024)
wrk.headers["Content-Type"] = "application/octet-stream"
