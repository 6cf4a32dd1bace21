// The one way an Open311 endpoint refuses: an HTTP status and a description naming the parameter, rendered as
// `[{ code, description }]` (JSON) or `<errors><error>…` (XML) by render.ts.

/** A refusal to answer with an Open311 error document. */
export class Open311Error extends Error {
  constructor(
    /** HTTP status: 400 bad parameter, 403 api_key, 404 unknown resource, 413 body too large, 415 body type. */
    readonly status: 400 | 403 | 404 | 413 | 415,
    /** What is wrong, naming the parameter. */
    readonly description: string,
  ) {
    super(description);
  }
}
