/**
 * Fault episodes (trace-formats.md §7): the events of one page fault (page_fault_user, fault-around,
 * the filesystem's and filemap's fault events, fault-around again after a retry) make one op if
 * they touch a file. A fault inside a syscall (a user copy) is that syscall's child.
 */
import { PAGE_SIZE_BYTES } from '../model/op.js';
import type { BuilderState, KernelEvent } from './builder-state.js';
import { H } from './event-catalogue.js';
import { bodyInodeKey } from './event-fields.js';
import { numAfter, rangeAfter } from './fields.js';
import { type TaskState, FaultState } from './pending.js';

/** page_fault_user: the start of a bounded fault episode. */
export function onPageFaultUser(st: BuilderState, ev: KernelEvent, task: TaskState, line: number): void {
  // a user-mode fault always starts a new episode; it becomes an op only if a file event follows
  st.closeFault(task);
  st.closeFsop(task);
  const p = st.newFault(ev, task, line);
  const code = numAfter(ev.body, 'error_code=', 16);
  p.write = !Number.isNaN(code) && (code & 2) !== 0;
  p.bounded = true;
  task.fault = p;
}

/** A fault event (map_pages, filemap or filesystem fault): continues the task's episode or starts one. */
export function onFaultEvent(st: BuilderState, ev: KernelEvent, task: TaskState, line: number, h: H): void {
  const file = bodyInodeKey(ev, 16);
  if (file === undefined) {
    st.badReason = `${ev.event}: no device and inode in the event body`;
    return;
  }
  let p = task.fault;
  if (p !== undefined && p.file !== '' && p.file !== file) {
    st.closeFault(task);
    p = undefined;
  }
  if (p !== undefined && !p.bounded) {
    // does this event continue the current episode? (map_pages, fs fault, filemap fault, map_pages)
    const phase = p.fstate;
    const fits = h === H.MapPages ? phase === FaultState.None || phase === FaultState.Fault
      : h === H.FilemapFault ? phase !== FaultState.Post && !p.sawFilemapFault
      : phase !== FaultState.Post && !p.sawFsFault && !p.sawFilemapFault;
    if (!fits) {
      st.closeFault(task);
      p = undefined;
    }
  }
  if (p === undefined) {
    if (task.sys === undefined) st.closeFsop(task);
    p = st.newFault(ev, task, line);
    p.nLines = 0;
    task.fault = p;
  }
  p.nLines++;
  p.lastNs = ev.tsNs;
  if (p.file === '') p.file = file;
  const body = ev.body;
  switch (h) {
    case H.MapPages: {
      p.fstate = p.fstate === FaultState.None ? FaultState.Pre : FaultState.Post;
      if (!p.exactPage) {
        const r = rangeAfter(body, 'ofs=');
        if (r !== undefined && p.length === 0) {
          p.offset = r[0];
          p.length = r[1] - r[0] + 1;
        }
      }
      break;
    }
    case H.FilemapFault: {
      p.fstate = FaultState.Fault;
      p.sawFilemapFault = true;
      const ofs = numAfter(body, 'ofs=', 10);
      if (!Number.isNaN(ofs)) {
        p.offset = ofs;
        p.length = PAGE_SIZE_BYTES;
        p.exactPage = true;
      }
      break;
    }
    default:
      p.fstate = FaultState.Fault;
      p.sawFsFault = true;
      if (ev.event === 'xfs_write_fault' || (h === H.XfsFilemapFault && numAfter(body, 'write_fault ', 10) === 1)) p.write = true;
  }
}

