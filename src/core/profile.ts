// -P: a V8 CPU profile of the whole run, written as a .cpuprofile (open it in Chrome DevTools).
// With -j N each worker thread profiles itself too (a CPU profile covers one thread): FILE is the
// main thread's, FILE's name with `.worker-<i>` before its extension each worker's.
import { writeFile } from 'node:fs/promises';

/** Starts profiling the calling thread; the returned function stops and writes `file`. */
export async function startProfile(file: string): Promise<() => Promise<void>> {
  // Imported here, not at the top: only -P needs the inspector (every run imports this module).
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    await writeFile(file, JSON.stringify(profile));
    session.disconnect();
  };
}

/** The profile file of worker i (1-based) for the main thread's `file`. */
export function workerProfileFile(file: string, i: number): string {
  const m = /^(.*?)(\.cpuprofile)?$/.exec(file)!;
  return `${m[1]}.worker-${i}${m[2] ?? ''}`;
}
