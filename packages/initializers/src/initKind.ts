/**
 * The conv initialisations of Sec. 2.2 by name, zero-mean Gaussians: `msra-fan-in` =
 * std sqrt(2/((1+a²)·k²c)) (Eqn 12 with the PReLU factor), `msra-fan-out` = the same with
 * n̂ = k²d (Eqn 16, what the paper trains with — Sec. 3), a = the activation's initial slope;
 * `xavier` = sqrt(1/(k²c)) as the paper compares it; `gaussian` = 0.01 as older nets. The one
 * list of them: `InitKind`, the architectures' options and the app's config and CLI help all
 * derive from it.
 */
export const initKinds = ['msra-fan-in', 'msra-fan-out', 'xavier', 'gaussian'] as const;
export type InitKind = (typeof initKinds)[number];
