/** What a chaos scenario reports, and how it is printed. */

/** What a chaos scenario found: the figures worth printing (`facts`) and what went wrong (`problems`). */
export interface ScenarioResult {
  readonly name: string;
  /** No problem found. False as well when the scenario could not run (`skipped`), so nothing counts it as passed. */
  readonly ok: boolean;
  readonly problems: string[];
  readonly facts: string[];
  /** Why the scenario did not run here (e.g. not root); absent when it ran. */
  readonly skipped?: string;
}

/** The result as lines to print. */
export function formatScenario(r: ScenarioResult): string {
  if (r.skipped !== undefined) return `${r.name}: skipped (${r.skipped})`;
  const head = `${r.name}: ${r.ok ? 'ok' : 'FAILED'}`;
  return [head, ...r.facts.map((f) => `  ${f}`), ...r.problems.map((p) => `  problem: ${p}`)].join('\n');
}
