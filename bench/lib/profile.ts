import { readFileSync } from 'node:fs';

/** The parts of a V8 `.cpuprofile` (Profiler.Profile) this summary reads. */
interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Which library or part of crmkit a frame's code belongs to ('' for builtins and native code). */
function packageOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (functionName === '(garbage collector)') return 'GC';
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(program)') return 'V8/native (program)';
  if (functionName === '(root)') return '';
  if (url.startsWith('wasm://')) return 'Prisma (wasm)';
  if (url.includes('/@prisma/adapter-better-sqlite3/')) return 'Prisma adapter-better-sqlite3';
  if (url.includes('/@prisma/') || url.includes('/packages/server/generated/')) return 'Prisma client runtime';
  if (url.includes('/better-sqlite3/')) return 'better-sqlite3 (JS)';
  if (url.includes('/@trpc/server/')) return 'tRPC server';
  if (url.includes('/zod/')) return 'zod';
  if (url.includes('/pino')) return 'pino';
  if (url.includes('/tsx/')) return 'tsx loader';
  if (url.includes('/packages/server/src/')) return `crmkit server: ${url.slice(url.indexOf('/packages/server/src/') + 21)}`;
  if (url.includes('/packages/core/src/')) return `crmkit core: ${url.slice(url.indexOf('/packages/core/src/') + 19)}`;
  if (url.includes('/bench/servers/')) return `bench: ${url.slice(url.indexOf('/bench/servers/') + 15)}`;
  if (url.startsWith('node:') || url.startsWith('internal/')) {
    if (/undici|abort_controller|abort_listener|js_transferable|webstreams|internal\/url|internal\/event_target/.test(url)) return 'Fetch API objects';
    if (/(_http_|node:http|internal\/http|node:net|internal\/net|stream_base|internal\/streams)/.test(url)) return 'Node http/net/streams';
    return 'Node internals (other)';
  }
  if (url === '') return '';
  return `other: ${url.replace(/^.*node_modules\//, '')}`;
}

/**
 * Phases of a request, found by the nearest marker frame on the sample's stack (leaf first).
 * After an `await`, a resumed async function is the bottom frame of its stack, so
 * continuations are attributed to the function they resume in.
 */
function phaseOf(stack: CallFrame[]): string {
  for (const frame of stack) {
    const pkg = packageOf(frame);
    const fn = frame.functionName;
    if (pkg === 'GC' || pkg === 'idle' || pkg === 'V8/native (program)') return pkg;
    if (pkg === '') {
      // better-sqlite3's native methods: SQLite itself.
      const caller = stack[stack.indexOf(frame) + 1];
      if (caller && /sqlite|bench: bare/i.test(packageOf(caller))) {
        if (fn === 'Statement' || fn === 'prepare') return 'SQLite: compile statement (prepare)';
        if (fn === 'all' || fn === 'get' || fn === 'iterate' || fn === 'run') return 'SQLite: execute statement';
        if (fn !== '') return `SQLite: ${fn}`;
      }
    }
    if (pkg === '' && fn === 'stringify') return 'JSON.stringify';
    if (pkg.startsWith('Prisma') || pkg === 'better-sqlite3 (JS)') return 'Prisma (query building, engine, adapter, result mapping)';
    if (pkg === 'crmkit server: auth/authenticate.ts' || pkg === 'crmkit server: auth/secrets.ts' || fn === 'contextFromHeader') return 'crmkit auth (createContext)';
    if (fn === 'toAccount') return pkg.startsWith('crmkit') ? 'crmkit toAccount' : 'bench handler (bare): toAccount';
    if (fn === 'outputValidatorMiddleware') return 'tRPC output validation (zod)';
    if (fn === 'inputValidatorMiddleware') return 'tRPC input validation (zod)';
    if (pkg.startsWith('crmkit server: services/')) return `crmkit service (${pkg.slice(24)}; zod in it)`;
    if (pkg === 'zod') continue; // attributed to whoever called zod
    if (pkg.startsWith('crmkit server: ') || pkg.startsWith('crmkit core: ')) return `crmkit ${pkg.replace(/^crmkit (server|core): /, '')}`;
    if (pkg === 'tRPC server') return 'tRPC (adapter, routing, middleware, response)';
    if (pkg === 'Node http/net/streams') return 'Node http/net/streams';
    if (pkg === 'Fetch API objects') return 'Fetch API objects: Request/Headers/URL/AbortSignal/web streams';
    if (pkg === 'pino') return 'pino';
    if (pkg.startsWith('bench: ')) return 'bench handler (bare)';
    if (pkg !== '' && pkg !== 'Node internals (other)') return pkg;
  }
  const leaf = stack[0];
  return leaf && packageOf(leaf) === 'Node internals (other)' ? 'Node internals (other)' : 'other (builtins, microtasks)';
}

/**
 * A text summary of a .cpuprofile: busy CPU split by request phase and by package (natives
 * counted to their JS caller), and the heaviest functions by self time. µs/req divides by
 * the requests served while profiling.
 */
export function summarizeProfile(file: string, requests: number): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const stackCache = new Map<number, CallFrame[]>();
  const stackOf = (id: number): CallFrame[] => {
    let stack = stackCache.get(id);
    if (!stack) {
      stack = [];
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) stack.push(byId.get(at)!.callFrame);
      stackCache.set(id, stack);
    }
    return stack;
  };

  const phases = new Map<string, number>();
  const packages = new Map<string, number>();
  const selfByFunction = new Map<string, number>();
  let busy = 0;
  let total = 0;
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i + 1] ?? 0;
    total += dt;
    const stack = stackOf(profile.samples[i]!);
    const phase = phaseOf(stack);
    if (phase === 'idle') continue;
    busy += dt;
    add(phases, phase, dt);
    const owner = stack.find((f) => packageOf(f) !== '') ?? stack[0]!;
    add(packages, packageOf(owner) || 'other (builtins)', dt);
    const leaf = stack[0]!;
    const where = leaf.url ? `${leaf.url.replace(/^.*\/(node_modules|packages|bench)\//, '')}:${leaf.lineNumber + 1}` : 'native';
    add(selfByFunction, `${leaf.functionName || '(anonymous)'} ${where}`, dt);
  }

  const table = (title: string, m: Map<string, number>, limit: number) => {
    const rows = [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, limit);
    return [
      title,
      ...rows.map(([k, v]) => `  ${((v / busy) * 100).toFixed(1).padStart(5)}%  ${(v / requests).toFixed(1).padStart(7)} µs/req  ${k}`),
    ].join('\n');
  };
  return [
    `busy ${(busy / 1000).toFixed(0)} ms of ${(total / 1000).toFixed(0)} ms sampled (${((busy / total) * 100).toFixed(0)}%), ${(busy / requests).toFixed(1)} µs busy CPU per request`,
    table('by phase (nearest marker on the stack):', phases, 20),
    table('by package (native code counted to its JS caller):', packages, 20),
    table('top functions by self time:', selfByFunction, 25),
  ].join('\n');
}
