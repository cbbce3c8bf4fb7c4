/** Strings numbered in order of first appearance: `index(s)` gives s's number, `strings` the list. */
export class Interner {
  readonly strings: string[] = [];
  private readonly numbers = new Map<string, number>();

  index(s: string): number {
    let i = this.numbers.get(s);
    if (i === undefined) {
      i = this.strings.length;
      this.strings.push(s);
      this.numbers.set(s, i);
    }
    return i;
  }
}
