// Optional outgoing notifications: Slack-compatible JSON ({text, blocks}) posted to a webhook
// URL. Sending never blocks or fails a cycle; failures are logged and counted.
import type { Logger } from 'pino';
import { redactSecrets } from '../domain/redact.ts';
import { noticesFor, type Notice, type NoticeContext } from './notices.ts';
import { originOnly, splitUrlCredentials } from './redact-url.ts';
import type { CycleOutcome } from './types.ts';

export interface NotifierOptions {
  url: string;
  logger: Logger;
  timeoutMs?: number; // default 5 s
  onSent?: (outcome: 'sent' | 'failed') => void;
}

export interface SlackMessage {
  text: string;
  blocks: { type: 'section'; text: { type: 'mrkdwn'; text: string } }[];
}

export function slackMessage(notices: readonly Notice[]): SlackMessage {
  const icon = { drift: ':warning:', healed: ':wrench:', failed: ':x:', health: ':rotating_light:', recovered: ':white_check_mark:' } as const;
  const lines = notices.map((n) => `${icon[n.kind]} ${n.text}`);
  return {
    text: `flowsync: ${lines.length === 1 ? notices[0]!.text : `${lines.length} events`}`,
    blocks: lines.map((text) => ({ type: 'section', text: { type: 'mrkdwn', text } })),
  };
}

export class Notifier {
  private opts: NotifierOptions;
  /** The URL without `user:password@`; those travel as a Basic Authorization header instead. */
  private target!: { url: string; authorization?: string };
  private announced = new Map<string, string>();
  private inFlight = new Set<Promise<void>>();

  constructor(opts: NotifierOptions) {
    this.opts = { ...opts };
    this.setUrl(opts.url);
  }

  /** Points later notifications at another URL (flowsync.yaml's daemon.notify moved); dedup state stays. */
  setUrl(url: string): void {
    this.opts.url = url;
    this.target = splitUrlCredentials(url);
  }

  /** Works out what to announce for this cycle and posts it in the background. */
  observe(outcome: CycleOutcome, ctx: NoticeContext): Notice[] {
    const { notices, announced } = noticesFor(outcome, ctx, this.announced);
    this.announced = announced;
    if (notices.length > 0) {
      const p = this.post(slackMessage(notices)).finally(() => this.inFlight.delete(p));
      this.inFlight.add(p);
    }
    return notices;
  }

  /** Resolves when every notification sent so far has been delivered or has failed. */
  async flush(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  private async post(message: SlackMessage): Promise<void> {
    const target = originOnly(this.target.url);
    try {
      const res = await fetch(this.target.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(this.target.authorization ? { authorization: this.target.authorization } : {}) },
        body: redactSecrets(JSON.stringify(message)),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 5_000),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      this.opts.onSent?.('sent');
    } catch (err) {
      this.opts.onSent?.('failed');
      const reason = redactSecrets(err instanceof Error ? err.message : String(err));
      this.opts.logger.warn({ event: 'notify-failed', target, reason }, 'notification could not be delivered');
    }
  }
}
