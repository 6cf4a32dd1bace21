// HTTP ingest gateways: creating one (its key is shown once and only its SHA-256 is stored) and checking
// the `Authorization: Bearer <key>` of a request against the stored hashes.
import { createHash, randomBytes } from 'node:crypto';
import type { GatewayRow, IngestRepository } from '../db/repositories/ingest.repository';

/** A new gateway and its key (the only time the key is available). */
export interface CreatedGateway {
  /** The stored gateway. */
  gateway: GatewayRow;
  /** The secret to configure on the gateway: `Authorization: Bearer <key>`. */
  key: string;
}

/** Why a request's credentials were refused (the message is safe to send back). */
export class GatewayAuthError extends Error {}

/** Gateway codes: short, lower-case, usable as a dead-letter source. */
const CODE_RE = /^[a-z0-9][a-z0-9_-]{1,47}$/;

/** SHA-256 of a key, hex: keys are 32 random bytes, so a plain hash needs no salt or stretching. */
export function hashGatewayKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function gatewayService(repos: {
  ingest: Pick<IngestRepository, 'gatewayByKeyHash' | 'createGateway'>;
}) {
  return {
    /** Registers a gateway and returns its new key. */
    async create(code: string, name: string): Promise<CreatedGateway> {
      if (!CODE_RE.test(code)) {
        throw new Error(`gateway code "${code}" must be 2-48 lower-case letters, digits, "-" or "_"`);
      }
      if (!name.trim()) throw new Error('gateway name must not be empty');
      const key = `cng_${randomBytes(32).toString('base64url')}`;
      const gateway = await repos.ingest.createGateway({
        code,
        name: name.trim(),
        keyHash: hashGatewayKey(key),
      });
      return { gateway, key };
    },

    /** The gateway an Authorization header belongs to; throws GatewayAuthError saying what is wrong. */
    async authenticate(authorization: string | null): Promise<GatewayRow> {
      if (!authorization) {
        throw new GatewayAuthError(
          'missing Authorization header: send "Authorization: Bearer <gateway key>"',
        );
      }
      const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
      if (!m) throw new GatewayAuthError('Authorization header must be "Bearer <gateway key>"');
      const gateway = await repos.ingest.gatewayByKeyHash(hashGatewayKey(m[1]));
      if (!gateway) throw new GatewayAuthError('unknown gateway key');
      if (gateway.disabled) throw new GatewayAuthError(`gateway "${gateway.code}" is disabled`);
      return gateway;
    },
  };
}

export type GatewayService = ReturnType<typeof gatewayService>;
