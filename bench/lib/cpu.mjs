/**
 * CPU time of server processes, from /proc/<pid>/stat (Linux): utime + stime of every thread of the process,
 * in clock ticks (CLK_TCK, 100 on Linux x86-64). Used for "CPU milliseconds per request": the CPU a server's
 * processes spent over a run divided by the requests it served. Off Linux every reading is null.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

let ticksPerSecond;
function clockTicks() {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** `{ comm, ppid, cpuMs }` of one process, or null when it is gone (or there is no /proc). */
export function processStat(pid) {
  let text;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // comm is in parentheses and may contain spaces: the fields after it start past the last ')'.
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  const comm = text.slice(open + 1, close);
  const fields = text.slice(close + 2).split(' ');
  // fields[0] is field 3 (state); ppid is field 4, utime 14, stime 15 (proc(5)).
  const ppid = Number(fields[1]);
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { comm, ppid, cpuMs: (ticks * 1000) / clockTicks() };
}

/** Pids of the live children of `parent` (default: this process) whose command name is `comm`. */
export function childPids(comm, parent = process.pid) {
  let entries;
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const pids = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = processStat(Number(entry));
    if (stat && stat.ppid === parent && stat.comm === comm) pids.push(Number(entry));
  }
  return pids.sort((a, b) => a - b);
}

/** Total CPU milliseconds of `pids` so far; null when any of them cannot be read. */
export function cpuMsOf(pids) {
  if (pids.length === 0) return null;
  let total = 0;
  for (const pid of pids) {
    const stat = processStat(pid);
    if (!stat) return null;
    total += stat.cpuMs;
  }
  return total;
}

/** The resolution of a reading, in ms (one clock tick). */
export const cpuResolutionMs = () => 1000 / clockTicks();
