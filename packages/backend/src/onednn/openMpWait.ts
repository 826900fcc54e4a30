/**
 * How long an engine thread spins at the end of a parallel region before it sleeps: libgomp's
 * `GOMP_SPINCOUNT`, read once when the addon (and with it libgomp) loads. libgomp's default is
 * 300 000 spins, several milliseconds on CPUs whose `pause` takes ~140 cycles; a step runs ~150
 * parallel regions, and when anything else wants a core (the input pipeline's workers, another
 * run) a spinning thread keeps it from the descheduled thread the region waits for. Measured
 * (docs/performance.md): with one busy core beside it, a two-thread step of tools/bench/step.ts
 * took 1,649 ms at the default, 185 ms at 10 000 spins, 160 ms at 1 000 (one thread: 142 ms);
 * with both cores free, 10 000 spins ran as fast as the default and 1 000 ~10 % slower (the
 * threads slept between regions and woke too late).
 */
export const engineSpinCount = 10_000;

/**
 * The variables to set while the addon loads: `GOMP_SPINCOUNT` unless the user chose a spin
 * count or a wait policy (`OMP_WAIT_POLICY`) themselves.
 */
export function openMpDefaults(env: Record<string, string | undefined>): Record<string, string> {
  if (env.OMP_WAIT_POLICY !== undefined || env.GOMP_SPINCOUNT !== undefined) return {};
  return { GOMP_SPINCOUNT: String(engineSpinCount) };
}

/** Runs `load` with {@link openMpDefaults} in the environment, restored afterwards. */
export function withOpenMpDefaults<T>(load: () => T): T {
  const added = openMpDefaults(process.env);
  Object.assign(process.env, added);
  try {
    return load();
  } finally {
    for (const name of Object.keys(added)) delete process.env[name];
  }
}
