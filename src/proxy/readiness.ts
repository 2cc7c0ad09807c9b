/**
 * Readiness: the upstream answers. Real traffic is the cheapest probe, so a
 * recent answer (HTTP status below 500) counts; failures (unreachable, reset,
 * deadline) count against. When nothing recent is known, one probe runs
 * (concurrent checks share it) and its result is kept for a short while, so a
 * readiness poller never turns into load on the upstream.
 */
const PROBE_MIN_INTERVAL_MS = 2000;

export class Readiness {
  private lastOk = Number.NEGATIVE_INFINITY;
  private lastFail = Number.NEGATIVE_INFINITY;
  private lastProbe = Number.NEGATIVE_INFINITY;
  private probing: Promise<boolean> | undefined;

  constructor(
    private readonly ttlMs: number,
    private readonly probe: () => Promise<boolean>,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  answered(): void {
    this.lastOk = this.clock();
  }

  failed(): void {
    this.lastFail = this.clock();
  }

  /** What recent traffic says: true, false, or null when nothing recent is known. */
  known(): boolean | null {
    const t = this.clock();
    const latest = Math.max(this.lastOk, this.lastFail);
    if (t - latest > this.ttlMs) return null;
    return this.lastOk >= this.lastFail;
  }

  async check(): Promise<boolean> {
    const k = this.known();
    if (k === true) return true;
    if (this.clock() - this.lastProbe < PROBE_MIN_INTERVAL_MS) return k ?? false;
    this.probing ??= this.probe()
      .catch(() => false)
      .then((ok) => {
        this.lastProbe = this.clock();
        if (ok) this.answered();
        else this.failed();
        this.probing = undefined;
        return ok;
      });
    return this.probing;
  }
}
