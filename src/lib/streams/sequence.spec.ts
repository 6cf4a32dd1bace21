import { describe, expect, it } from 'vitest';
import { decideDelta, resumeMode } from './sequence';

describe('decideDelta', () => {
  it('waits for a snapshot before applying anything', () => {
    expect(decideDelta(null, 0, 10)).toBe('ignore');
  });

  it('applies the next delta and one that overlaps what the client has', () => {
    expect(decideDelta(10, 10, 15)).toBe('apply');
    expect(decideDelta(12, 10, 15)).toBe('apply');
  });

  it('ignores heartbeats and deltas already covered by the snapshot', () => {
    expect(decideDelta(15, 15, 15)).toBe('ignore');
    expect(decideDelta(20, 10, 15)).toBe('ignore');
  });

  it('reports a gap when changes between the client and the delta were never seen', () => {
    expect(decideDelta(10, 11, 15)).toBe('gap');
  });
});

describe('resumeMode', () => {
  it('sends a snapshot to a client without a sequence or with a nonsense one', () => {
    expect(resumeMode(null, 100, 0, 1000)).toBe('snapshot');
    expect(resumeMode(undefined, 100, 0, 1000)).toBe('snapshot');
    expect(resumeMode(-1, 100, 0, 1000)).toBe('snapshot');
    expect(resumeMode(1.5, 100, 0, 1000)).toBe('snapshot');
  });

  it('sends a snapshot when the client is ahead of the database (the database was reset)', () => {
    expect(resumeMode(500, 100, 0, 1000)).toBe('snapshot');
  });

  it('resumes when few sensors changed, and falls back to a snapshot when too many did', () => {
    expect(resumeMode(90, 100, 10, 1000)).toBe('resume');
    expect(resumeMode(100, 100, 0, 1000)).toBe('resume');
    expect(resumeMode(0, 100, 1001, 1000)).toBe('snapshot');
  });
});
