"""Run CLI commands on hostile files, each in its own forked process with a memory limit and a time limit.

Started as ``python runner.py JOBS.json RESULTS.json`` by the hostile-corpus tests, in a fresh interpreter
(no threads, so forking is safe). surveykit and the libraries its commands use are imported once here;
each job then runs ``surveykit.cli.main.main(argv)`` in a child whose address space is capped
(``RLIMIT_AS``) and which is killed when it overruns its time. A hang or a memory blow-up therefore ends
as a failed job, never as a stuck or swapping machine. For each job: exit code (or signal), whether it
was killed for time, seconds taken, and peak memory (resident set, KB) over the parent's own.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import sys
import time
import traceback


def _preload() -> None:
    import openpyxl  # noqa: F401
    import pandas
    import pyreadstat  # noqa: F401

    import surveykit.cli.main
    import surveykit.exchange.importing
    import surveykit.filekinds
    import surveykit.questionnaire.io
    import surveykit.questionnaire.xlsform  # noqa: F401

    # Arrow's allocator starts with pandas' first text column and reserves address space then: start it here,
    # before the base is measured, so the cap bounds what reading a file costs, not the allocator's start
    pandas.DataFrame({"a": ["x"]}).astype(str)


def _vm_bytes() -> int:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _child(job: dict) -> None:
    out = os.open(job["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    err = os.open(job["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(out, 1)
    os.dup2(err, 2)
    code = 98
    try:
        os.chdir(job["cwd"])
        os.environ.update(job["env"])
        from surveykit.cli.main import main
        from surveykit.config import settings

        settings.cache_clear()
        limit = job["memory_limit"]
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        code = main(job["argv"])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 2
    except BaseException:
        traceback.print_exc()
        code = 99
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def main() -> None:
    jobs_file, results_file = sys.argv[1], sys.argv[2]
    with open(jobs_file, encoding="utf-8") as fh:
        jobs = json.load(fh)
    _preload()
    base_vm = _vm_bytes()
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    results = []
    for job in jobs:
        job["memory_limit"] = base_vm + job["memory_mb"] * 1024 * 1024
        started = time.monotonic()
        pid = os.fork()
        if pid == 0:
            _child(job)
        killed = False
        while True:
            done, status, usage = os.wait4(pid, os.WNOHANG)
            if done:
                break
            if time.monotonic() - started > job["timeout"]:
                os.kill(pid, signal.SIGKILL)
                _, status, usage = os.wait4(pid, 0)
                killed = True
                break
            time.sleep(0.02)
        results.append(
            {
                "id": job["id"],
                "exit": os.waitstatus_to_exitcode(status),
                "killed_for_time": killed,
                "seconds": round(time.monotonic() - started, 3),
                "extra_rss_kb": max(0, usage.ru_maxrss - base_rss),
            }
        )
    with open(results_file, "w", encoding="utf-8") as fh:
        json.dump(results, fh)


if __name__ == "__main__":
    main()
