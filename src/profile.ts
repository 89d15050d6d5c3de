// -P: a V8 CPU profile of the whole run, written as a .cpuprofile (open it in Chrome DevTools).
import { Session } from 'node:inspector/promises';
import { writeFile } from 'node:fs/promises';

export async function startProfile(file: string): Promise<() => Promise<void>> {
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
