/** Who writes under a writer id (docs/PROTOCOL.md §3.8): a label for people, never trusted for anything else. */
export interface Author {
  /** The person, as set on the machine (`syncacross config set user`); never empty. */
  user: string;
  /** The machine's name. */
  machine: string;
}

/** An author object as read from the remote: it names `writer`'s author from segment `fromSeq` on. */
export interface AuthorRecord extends Author {
  key: string;
  writer: string;
  fromSeq: number;
}
