// Problems with the evidence, carried as data beside the events (a bad record is never an exception).

export interface Issue {
  path: string;
  line?: number;
  index?: number;
  message: string;
}

/**
 * Problems an input keeps in detail: the report lists the first 1000 of all inputs (by path, then
 * line), which are among the first 1000 of each input. Beyond, they are counted: a multi-gigabyte
 * file of garbage must not hold an object per line.
 */
export const ISSUES_KEPT = 1000;
