// Peak resident set of this process in KB. VmHWM belongs to the address space, so it starts anew at
// exec; ru_maxrss (process.resourceUsage) keeps the parent's high-water mark across fork+exec on
// Linux and would charge a child with its parent's memory.
import { readFileSync } from 'node:fs';

export function peakRssKb() {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]);
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS;
}
