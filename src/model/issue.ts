// Problems with the evidence, carried as data beside the events (a bad record is never an exception).

export interface Issue {
  path: string;
  line?: number;
  index?: number;
  message: string;
}
