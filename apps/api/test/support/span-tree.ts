import type { ReceivedSpan } from '@photomaker/harness';

/** The spans of one trace by id, and the chain from a span up to its root (each link its parent). */
export class SpanTree {
  readonly spans: ReceivedSpan[];
  private readonly byId: Map<string, ReceivedSpan>;

  constructor(all: readonly ReceivedSpan[], traceId: string) {
    this.spans = all.filter((span) => span.traceId === traceId);
    this.byId = new Map(this.spans.map((span) => [span.spanId, span]));
  }

  named(name: string | RegExp): ReceivedSpan[] {
    return this.spans.filter((span) =>
      typeof name === 'string' ? span.name === name : name.test(span.name),
    );
  }

  /** `service:name` from `span` up to the root; throws if a parent is missing from the trace. */
  pathToRoot(span: ReceivedSpan): string[] {
    const path: string[] = [];
    for (let at: ReceivedSpan | undefined = span; at; ) {
      path.push(`${at.service}:${at.name}`);
      if (!at.parentSpanId) return path;
      const parent = this.byId.get(at.parentSpanId);
      if (!parent)
        throw new Error(`span ${at.name} names parent ${at.parentSpanId}, not in trace ${at.traceId}`);
      at = parent;
    }
    return path;
  }
}
