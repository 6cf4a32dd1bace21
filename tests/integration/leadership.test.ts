// Leader election on a real PostgreSQL: of several nodes exactly one runs the once-per-cluster jobs; when
// it steps down or its lock session dies, another takes over within a few retry periods; and a node that
// loses its lock connection stops its jobs. On the embedded database the one process leads at once.
import { afterEach, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { startLeadership, withStartupLock, type Leadership } from '../../server/cluster/leadership';
import { createLogger } from '../../server/log';

const log = createLogger('silent');
const url = inject('pgTestUrl') || undefined;
const started: Leadership[] = [];

/** A node's leadership with its jobs as a counter: +1 when started, -1 when stopped. */
function node(name: string, running: Map<string, number>, lockUrl = url) {
  const l = startLeadership({
    url: lockUrl,
    nodeId: name,
    retryMs: 200,
    log,
    onElected: () => void running.set(name, (running.get(name) ?? 0) + 1),
    onDeposed: () => void running.set(name, (running.get(name) ?? 0) - 1),
  });
  started.push(l);
  return l;
}

const until = async (what: string, ok: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};
const leaders = (running: Map<string, number>) => [...running].filter(([, n]) => n > 0).map(([k]) => k);

afterEach(async () => {
  for (const l of started.splice(0)) await l.stop();
});

describe('leadership on embedded PGlite', () => {
  it('is the one process, at once', async () => {
    const running = new Map<string, number>();
    const l = node('solo', running, undefined);
    await until('the solo node to lead', () => l.leading);
    expect(leaders(running)).toEqual(['solo']);
    await l.stop();
    expect(running.get('solo')).toBe(0);
  });
});

describe.skipIf(!url)('leadership on PostgreSQL', () => {
  it('one of three leads; when it stops another takes over, never two at once', async () => {
    const running = new Map<string, number>();
    const nodes = ['a', 'b', 'c'].map((n) => node(`lead-${n}-${process.pid}`, running));
    await until('a leader', () => leaders(running).length === 1);
    // Several retry periods later there is still exactly one.
    await new Promise((r) => setTimeout(r, 800));
    expect(leaders(running)).toHaveLength(1);
    const first = nodes.find((l) => l.leading)!;
    const t0 = Date.now();
    await first.stop();
    await until('a new leader', () => leaders(running).length === 1);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(nodes.filter((l) => l.leading)).toHaveLength(1);
    expect(first.leading).toBe(false);
  });

  it('when the leader’s lock session is killed, it stops its jobs at once, and one node leads again', async () => {
    const running = new Map<string, number>();
    const name = `lead-killed-${process.pid}`;
    const victim = node(name, running);
    await until('the first node to lead', () => victim.leading);
    const other = node(`lead-other-${process.pid}`, running);
    await new Promise((r) => setTimeout(r, 500));
    expect(other.leading).toBe(false);
    // What a SIGKILLed node's socket closing does to its session: PostgreSQL ends it, the lock goes.
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1`, [
      `citynerve-leader:${name}`,
    ]);
    await admin.end();
    await until('the victim to step down', () => !victim.leading && running.get(name) === 0);
    // Whoever locks first next leads (the victim reconnects and competes like any node): exactly one.
    await until('a leader again', () => leaders(running).length === 1);
    await new Promise((r) => setTimeout(r, 600));
    expect(leaders(running)).toHaveLength(1);
    expect([victim, other].filter((l) => l.leading)).toHaveLength(1);
  });

  it('lets nodes starting together take their turn at migrating and generating', async () => {
    const order: string[] = [];
    const work = (n: string) => async () => {
      order.push(`${n} in`);
      await new Promise((r) => setTimeout(r, 150));
      order.push(`${n} out`);
      return n;
    };
    const results = await Promise.all([
      withStartupLock(url, 's1', work('s1')),
      withStartupLock(url, 's2', work('s2')),
    ]);
    expect(results).toEqual(['s1', 's2']);
    // Never both inside at once.
    expect(order.join(',')).toMatch(/^(s1 in,s1 out,s2 in,s2 out|s2 in,s2 out,s1 in,s1 out)$/);
  });
});
