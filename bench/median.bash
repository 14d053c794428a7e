# SPDX-License-Identifier: Apache-2.0
# median_ms, shared by bench/bill.sh and bench/report.sh (sourced, not a
# benchmark of its own: bench/run runs bench/*.sh).
median_ms() { # median_ms RUNS CMD...: median wall time in ms
	python3 - "$@" <<'PY'
import subprocess, sys, time
runs = int(sys.argv[1]); cmd = sys.argv[2:]; ts = []
for _ in range(runs):
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
    ts.append(time.perf_counter() - t)
ts.sort(); print(f"{ts[len(ts) // 2] * 1000:.1f}")
PY
}
