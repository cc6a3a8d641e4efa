"""What the machine did meanwhile: the share of its CPU time that was idle, or stolen by the host
of this virtual machine (a slower run on a busy host is not slower code). Linux /proc/stat;
zeros elsewhere."""
from __future__ import annotations


def cpu_ticks() -> list[int]:
    """The machine's CPU time so far, in ticks: user, nice, system, idle, iowait, irq, softirq,
    steal."""
    try:
        with open("/proc/stat") as fh:
            return [int(v) for v in fh.readline().split()[1:9]]
    except (OSError, ValueError):
        return [0] * 8


def shares(before: list[int], after: list[int]) -> dict:
    """Percent of all CPUs' time between two cpu_ticks(): idle (nothing to run, or waiting for
    the disk) and stolen by the host."""
    delta = [b - a for a, b in zip(before, after)]
    total = sum(delta) or 1
    return {"idle_pct": round(100 * (delta[3] + delta[4]) / total, 1),
            "steal_pct": round(100 * delta[7] / total, 1)}
