/** Messages between run.ts and a server child over the IPC channel. */
export type ToChild =
  | { type: 'stats' }
  | { type: 'profile-start' }
  | { type: 'profile-stop'; file: string }
  | { type: 'stop' };

export interface ServerStats {
  /** process.cpuUsage(): user and system CPU time in µs since the child started. */
  cpu: { user: number; system: number };
  rssBytes: number;
  requests: number;
}

export type FromChild =
  | { type: 'ready'; url: string; info?: Record<string, unknown> }
  | { type: 'stats'; stats: ServerStats }
  | { type: 'profile-started' }
  | { type: 'profile-stopped'; file: string }
  | { type: 'error'; message: string };
