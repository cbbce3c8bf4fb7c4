/**
 * A first-in first-out queue: taking the first item moves a head index (no array shift per item);
 * the items taken are dropped in one splice once they are most of the array.
 */
export class Fifo<T> {
  private readonly items: T[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  /** the first item, taken out; undefined when the queue is empty */
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head++];
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items.splice(0, this.head);
      this.head = 0;
    }
    return item;
  }
}
