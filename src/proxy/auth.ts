/**
 * Proxy tokens. Tokens are kept as SHA-256 digests and compared in constant
 * time against every configured token, so neither the comparison nor the
 * position of a match leaks through timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

export class TokenSet {
  private readonly digests: Buffer[];

  constructor(tokens: readonly string[]) {
    this.digests = tokens.map(digest);
  }

  /** True when the Authorization header carries `Bearer <one of the tokens>`. */
  check(authorization: string | undefined): boolean {
    if (authorization === undefined || authorization.length > 4096) return false;
    const m = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization);
    if (m === null) return false;
    const d = digest(m[1]!);
    let ok = false;
    for (const x of this.digests) ok = timingSafeEqual(x, d) || ok;
    return ok;
  }
}
