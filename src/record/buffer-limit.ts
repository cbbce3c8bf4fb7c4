/**
 * The largest `--buffer-kb` record takes: the kernel makes one ring buffer of that size for each
 * CPU, so all of them together must fit in the machine's memory. Below the bound, a size the kernel
 * cannot allocate is still refused by the kernel (ENOMEM, recorder.ts says so); above it no machine
 * could, and a number that large was written to tracefs as it was (`1e+21`, or a size the kernel's
 * KB-to-bytes shift overflows) instead of being refused before anything was touched.
 */
import { cpus, totalmem } from 'node:os';
import { ExitCode, LockreplayError } from '../errors.js';

/** the machine's memory (MemTotal), KB */
export function memoryKb(): number {
  return Math.floor(totalmem() / 1024);
}

/** the CPUs the kernel keeps a ring buffer for (those online; 1 when none can be listed) */
export function cpuCount(): number {
  return Math.max(1, cpus().length);
}

/** the largest ring buffer per CPU, KB: the machine's memory shared by its CPUs */
export function maxBufferKbPerCpu(totalKb: number = memoryKb(), cpuTotal: number = cpuCount()): number {
  return Math.max(1, Math.floor(totalKb / cpuTotal));
}

/** Refuses (exit 2) a --buffer-kb above maxBufferKbPerCpu, naming the flag and the bound. */
export function refuseBufferKbAboveMemory(kbPerCpu: number, totalKb: number = memoryKb(), cpuTotal: number = cpuCount()): void {
  const max = maxBufferKbPerCpu(totalKb, cpuTotal);
  if (kbPerCpu > max) {
    // (a whole number in its digits, as it was given: String() writes 1e+21)
    const given = Number.isInteger(kbPerCpu) ? BigInt(kbPerCpu).toString() : String(kbPerCpu);
    throw new LockreplayError(`--buffer-kb ${given}: at most ${max} KB per CPU on this machine (its memory, ${totalKb} KB, shared by the ring buffers of its ${cpuTotal} CPU${cpuTotal === 1 ? '' : 's'})`, ExitCode.usage);
  }
}
