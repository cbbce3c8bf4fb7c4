/**
 * Makes a synthetic trace's lines in trace order without holding the trace in memory.
 *
 * A scenario is a list of actors (a task, or a fixed cast's repetitions), each a generator that
 * emits its events one step at a time. The trace order is by time, ties in the order the events
 * were made when the actors ran one after another (actor 0 whole, then actor 1...): the order the
 * scenarios always had. So the merge orders by (time, actor index, order within the actor), which
 * needs each actor's steps in time order: a step's events may come in any order (they are sorted),
 * but none may be earlier than an event of the actor's previous step.
 *
 * Two passes: the first runs the actors one after another, as before, counting the events (the
 * header states the count before them) and noting where each actor's random numbers start; the
 * second runs every actor from its own starting point, interleaved by the merge.
 */
import { CountingSink, LineSink, OpEmitter, traceHeader } from './ftrace-writer.js';
import { NumHeap } from '../util/num-heap.js';
import { Prng } from '../util/prng.js';

/** One actor of a scenario: yields after each step (see the file comment). */
export type Actor = (e: OpEmitter, rnd: Prng) => Generator<void, void, void>;

/** An actor running in the second pass, with the events of its current step. */
interface Running {
  readonly steps: Generator<void, void, void>;
  readonly sink: LineSink;
  /** the sink's events in trace order (indices into it), and the next one to write */
  order: number[];
  next: number;
  /** the latest time of the actor's previous steps: a later step may not go below it */
  latestNs: number;
}

/**
 * The trace's lines: the header, then every actor's events merged in trace order. `makeActors`
 * is called once per pass (each pass needs fresh generators).
 */
export function* mergedLines(cpus: number, title: string, seed: number, makeActors: () => Actor[]): Generator<string, void, void> {
  const { entries, starts } = firstPass(seed, makeActors());
  yield* traceHeader(cpus, title, entries);
  const running = makeActors().map((actor, k): Running => {
    const sink = new LineSink();
    return { steps: actor(new OpEmitter(sink), starts[k]), sink, order: [], next: 0, latestNs: -Infinity };
  });
  const heap = new NumHeap();
  running.forEach((r, k) => {
    if (nextStep(r, k)) heap.push(headNs(r), k, k);
  });
  while (heap.size > 0) {
    const k = heap.pop();
    const r = running[k];
    yield r.sink.lines[r.order[r.next++]];
    if (r.next < r.order.length || nextStep(r, k)) heap.push(headNs(r), k, k);
  }
}

/** Runs the actors one after another: the number of events, and each actor's random numbers' start. */
function firstPass(seed: number, actors: Actor[]): { entries: number; starts: Prng[] } {
  const sink = new CountingSink();
  const emitter = new OpEmitter(sink);
  const rnd = new Prng(seed);
  const starts: Prng[] = [];
  for (const actor of actors) {
    starts.push(rnd.clone());
    const steps = actor(emitter, rnd);
    while (steps.next().done !== true);
  }
  return { entries: sink.count, starts };
}

const headNs = (r: Running): number => r.sink.times[r.order[r.next]];

/** Loads the actor's next step that has events; false when it has no more. */
function nextStep(r: Running, k: number): boolean {
  r.sink.clear();
  while (r.sink.times.length === 0) {
    if (r.steps.next().done === true && r.sink.times.length === 0) return false;
  }
  const times = r.sink.times;
  // stable: events of the same time keep the order they were made in
  r.order = times.map((_, i) => i).sort((a, b) => times[a] - times[b] || a - b);
  r.next = 0;
  const earliest = times[r.order[0]];
  if (earliest < r.latestNs) throw new Error(`synth: actor ${k} has a step at ${earliest} ns, before its previous step's ${r.latestNs} ns`);
  r.latestNs = times[r.order[r.order.length - 1]];
  return true;
}
