// Assembles device ingest for one node: the sensor cache, the batching pipeline, the HTTP batch use-case,
// and — once start() is called after the HTTP server listens — the embedded broker (when MQTT_URL is
// unset), the MQTT client and the hourly upkeep of reading history's daily partitions (unless start is
// told not to). stop() undoes it in reverse.
import { hostname } from 'node:os';
import type { Config } from '../config';
import type { DeadLettersRepository } from '../db/repositories/dead-letters.repository';
import type { IngestRepository } from '../db/repositories/ingest.repository';
import type { ReadingsPartitionsRepository } from '../db/repositories/readings-partitions.repository';
import { applyOverrides, parseRules, type Rule } from '../domain/rules';
import { DEFAULT_RULES } from '../domain/rules.defaults';
import type { SensorFamily } from '../domain/sensor-state';
import type { Logger } from '../log';
import { isRejection, parseTopic } from '../domain/ingest';
import { startEmbeddedBroker, type EmbeddedBroker } from './broker';
import type { OversizePacket } from './broker-guard';
import { httpIngest, type HttpIngest } from './http-ingest';
import { MqttIngest, type MqttIngestStats } from './mqtt-ingest';
import { IngestPipeline, type IngestItem, type IngestStats } from './pipeline';
import { SensorCache } from './sensor-cache';

/** Unknown sensor codes are looked up in the database at most this often, ms. */
const UNKNOWN_CODE_REFRESH_MS = 5000;
/** How often reading history's partitions are kept up (days ahead made, days past retention dropped), ms. */
const RETENTION_EVERY_MS = 3_600_000;
/** How often dead letters past their retention or row cap are deleted, ms. */
const DEAD_LETTER_TRIM_MS = 60_000;
/** Most items one HTTP request may carry. */
const HTTP_MAX_ITEMS = 50_000;

/** Where MQTT ingest listens, for the start-up banner. */
export interface MqttEndpoint {
  /** Broker URL devices publish to. */
  url: string;
  /** True when it is CityNerve's own embedded broker. */
  embedded: boolean;
  /** The filter subscribed (shows whether a shared subscription is in use). */
  subscription: string | null;
}

/** Options of the runtime's start(). */
export interface IngestStartOptions {
  /**
   * Keep reading history's daily partitions (create the coming days, drop those past retention) at start
   * and hourly. Default true. Any number of nodes may do it (they take turns under a lock); a cluster
   * that leaves it to one node passes false on the others.
   */
  maintainReadings?: boolean;
}

/** All ingest counters. */
export interface IngestRuntimeStats {
  /** The pipeline's counters. */
  pipeline: IngestStats;
  /** The MQTT client's counters; null before start() or without MQTT. */
  mqtt: MqttIngestStats | null;
  /** Sensors in the cache. */
  cachedSensors: number;
}

/** Builds a sensor's rules: stored family rules (or the built-in defaults) plus its overrides. */
export function ruleBuilder(log: Logger) {
  return (family: SensorFamily, stored: readonly unknown[], overrides: Record<string, unknown> | null) => {
    let rules: readonly Rule[] = DEFAULT_RULES[family];
    if (stored.length > 0) {
      try {
        rules = parseRules(stored, family);
      } catch (err) {
        log.error('stored rules of a family are invalid; using the defaults', {
          family,
          error: (err as Error).message,
        });
      }
    }
    if (!overrides) return rules;
    try {
      return applyOverrides(rules, overrides);
    } catch (err) {
      log.error('a sensor has invalid rule overrides; using its family rules', {
        family,
        error: (err as Error).message,
      });
      return rules;
    }
  };
}

export function createIngest(
  config: Config,
  repos: {
    ingest: IngestRepository;
    deadLetters: DeadLettersRepository;
    readingsPartitions: ReadingsPartitionsRepository;
  },
  log: Logger,
) {
  const sensors = new SensorCache(repos.ingest, {
    refreshMs: UNKNOWN_CODE_REFRESH_MS,
    buildRules: ruleBuilder(log),
  });
  const pipeline = new IngestPipeline(
    { ingest: repos.ingest, deadLetters: repos.deadLetters, sensors, log },
    {
      batchMs: config.INGEST_BATCH_MS,
      batchMax: config.INGEST_BATCH_MAX,
      writers: config.INGEST_WRITERS,
      cacheStates: config.INGEST_STATE_CACHE,
      maxFutureSkewMs: config.INGEST_MAX_FUTURE_SKEW_S * 1000,
    },
  );
  const http: HttpIngest = httpIngest(pipeline, {
    maxBodyBytes: config.INGEST_MAX_BODY_BYTES,
    maxItemBytes: config.INGEST_MAX_MESSAGE_BYTES,
    maxItems: HTTP_MAX_ITEMS,
    maxFutureSkewMs: config.INGEST_MAX_FUTURE_SKEW_S * 1000,
  });
  let broker: EmbeddedBroker | null = null;
  let mqtt: MqttIngest | null = null;
  let retention: NodeJS.Timeout | null = null;
  let deadLetterTrim: NodeJS.Timeout | null = null;
  /** The maintenance run in progress, awaited by stop() so it does not outlive the runtime. */
  let maintaining: Promise<void> | null = null;

  // Partitions ahead first: a day without its partition still stores (in DEFAULT), but costs a move later.
  const maintain = async () => {
    const parts = repos.readingsPartitions;
    try {
      const created = await parts.ensureAhead(new Date(), config.READINGS_PARTITIONS_AHEAD_DAYS);
      if (created.length) log.info('reading history: daily partitions created', { created });
    } catch (err) {
      log.warn('reading history: creating partitions failed; next try in an hour', {
        error: (err as Error).message,
      });
    }
    try {
      const dropped = await parts.dropOlder(new Date(), config.READINGS_RETENTION_DAYS);
      if (dropped.partitions.length || dropped.defaultRows) {
        log.info('reading history pruned', {
          partitions: dropped.partitions.map((p) => p.name),
          rowsEstimate: dropped.partitions.reduce((n, p) => n + p.rowsEstimate, 0),
          defaultRows: dropped.defaultRows,
          olderThan: dropped.cutoff.toISOString(),
        });
      }
    } catch (err) {
      log.warn('reading history pruning failed; next try in an hour', { error: (err as Error).message });
    }
  };
  const runMaintenance = () => {
    // One run at a time: an hourly tick during a slow run is skipped.
    maintaining ??= maintain().finally(() => (maintaining = null));
  };

  /** Deletes dead letters past DEAD_LETTER_RETENTION_DAYS or beyond DEAD_LETTER_MAX_ROWS (idempotent). */
  const trimDeadLetters = async (now = new Date()) => {
    const gone = await repos.deadLetters.trim(now, {
      days: config.DEAD_LETTER_RETENTION_DAYS,
      maxRows: config.DEAD_LETTER_MAX_ROWS,
    });
    if (gone.expired || gone.overCap) log.info('dead letters trimmed (their counts are kept)', gone);
    return gone;
  };

  return {
    pipeline,
    sensors,
    http,
    trimDeadLetters,

    /**
     * Loads the registry, starts the broker (if embedded) and the MQTT client, and (unless
     * `maintainReadings: false`) starts the reading history's partition upkeep.
     */
    async start(opts: IngestStartOptions = {}): Promise<MqttEndpoint> {
      const t0 = Date.now();
      const n = await sensors.load();
      log.info('ingest: sensor registry cached', { sensors: n, ms: Date.now() - t0 });
      const t1 = Date.now();
      try {
        const states = await pipeline.warmStates((visit) => repos.ingest.eachState(visit));
        if (states) log.info('ingest: sensor states cached', { sensors: states, ms: Date.now() - t1 });
      } catch (err) {
        // Not needed for correctness: batches read what the cache lacks.
        log.warn('ingest: could not warm the state cache', { error: (err as Error).message });
      }
      const embedded = !config.MQTT_URL;
      if (embedded) {
        broker = await startEmbeddedBroker({
          host: config.MQTT_EMBEDDED_HOST,
          port: config.MQTT_EMBEDDED_PORT,
          maxPacketBytes: embeddedMaxPacketBytes(config),
          onOversize: (p) => {
            pipeline
              .submit([oversizeLetter(p, embeddedMaxPacketBytes(config))])
              .catch((err: Error) => log.warn('dead letter not stored', { error: err.message }));
          },
        });
      }
      const url = config.MQTT_URL ?? broker!.url;
      mqtt = new MqttIngest(pipeline, {
        url,
        embedded,
        sharedGroup: config.MQTT_SHARED_GROUP,
        // One persistent session per node, stable across restarts (what the broker kept for it comes back),
        // and distinct between nodes on one host: two clients with one id take the session from each other.
        clientId: config.MQTT_CLIENT_ID ?? mqttClientIdOf(config),
        maxInflight: config.MQTT_MAX_INFLIGHT,
        maxMessageBytes: config.INGEST_MAX_MESSAGE_BYTES,
        maxFutureSkewMs: config.INGEST_MAX_FUTURE_SKEW_S * 1000,
        log,
      });
      try {
        await mqtt.start();
      } catch (err) {
        await broker?.close();
        broker = null;
        mqtt = null;
        throw err;
      }
      if (opts.maintainReadings ?? true) this.maintainReadings();
      // Every node trims (the deletes are idempotent): a flood of refusals is bounded within a minute.
      deadLetterTrim = setInterval(() => {
        trimDeadLetters().catch((err: Error) =>
          log.warn('dead letters: trimming failed; next try in a minute', { error: err.message }),
        );
      }, DEAD_LETTER_TRIM_MS);
      deadLetterTrim.unref();
      return { url, embedded, subscription: mqtt.stats().subscription };
    },

    /**
     * Starts the partition upkeep now and hourly (a cluster's leader calls this after start with
     * `maintainReadings: false`); stop() ends it, and so does the runtime's stop().
     */
    maintainReadings(): { stop(): Promise<void> } {
      if (!retention) {
        runMaintenance();
        retention = setInterval(runMaintenance, RETENTION_EVERY_MS);
        retention.unref();
      }
      return {
        async stop() {
          if (retention) clearInterval(retention);
          retention = null;
          await maintaining;
        },
      };
    },

    /** Stops taking MQTT messages and lets those received settle, stores what else is queued, then closes the broker. */
    async stop(): Promise<void> {
      if (retention) clearInterval(retention);
      retention = null;
      if (deadLetterTrim) clearInterval(deadLetterTrim);
      deadLetterTrim = null;
      await maintaining;
      const client = mqtt;
      mqtt = null;
      // The client leaves the shared group and stops reading, then waits while the pipeline (still open)
      // stores what it received and the PUBACKs go out; only then is the pipeline drained and closed.
      await client?.stop();
      await pipeline.close();
      await broker?.close();
      broker = null;
    },

    /** Every counter, for the admin page and health checks. */
    stats(): IngestRuntimeStats {
      return { pipeline: pipeline.stats(), mqtt: mqtt?.stats() ?? null, cachedSensors: sensors.size };
    },
  };
}

export type IngestRuntime = ReturnType<typeof createIngest>;

/** The largest packet the embedded broker takes: a payload at the message limit plus a topic of 1 KB. */
export function embeddedMaxPacketBytes(config: Pick<Config, 'INGEST_MAX_MESSAGE_BYTES'>): number {
  return config.INGEST_MAX_MESSAGE_BYTES + 1024;
}

/** The dead letter of a packet the embedded broker refused by size, before reading it. */
function oversizeLetter(p: OversizePacket, limit: number): IngestItem {
  const topic = p.topic === null ? null : parseTopic(p.topic);
  const sensorCode = topic && !isRejection(topic) ? topic.sensorCode : undefined;
  const detail = `MQTT packet has ${p.bytes} bytes; the embedded broker takes at most ${limit} (INGEST_MAX_MESSAGE_BYTES + 1024) and closed the connection`;
  return {
    rejection: { reason: 'oversize', detail, ...(sensorCode ? { sensorCode } : {}) },
    envelope: { channel: 'mqtt', source: p.topic, payload: p.head, receivedBytes: p.bytes },
  };
}

/** The MQTT client id of a node without MQTT_CLIENT_ID: "citynerve-" and its NODE_ID (default host-port). */
export function mqttClientIdOf(config: Pick<Config, 'NODE_ID' | 'PORT'>): string {
  const node = config.NODE_ID ?? `${hostname()}-${config.PORT}`;
  return `citynerve-${node.replace(/[^A-Za-z0-9._-]/g, '-')}`.slice(0, 64);
}
