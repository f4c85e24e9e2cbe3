/**
 * `xbr-edge start --fresh` / `npm start -- --fresh`: one start on a new embedded dev chain. The dev chain guest
 * keeps its chain in the directory its `--state` argument names (contracts/devchain-main.ts); for this start
 * every guest that has one gets `--fresh` too, which deletes that state before the chain starts. The xbrmm
 * worker then sees a new chain and discards the databases of the old one (worker/host/chain-identity.ts).
 * The config file is not changed: the next plain start keeps the new chain.
 */
import type { GuestWorkerConfig, NodeConfig } from '../../config/index.js';

/** The start's arguments without `--fresh`, and whether it was given. */
export function takeFreshFlag(argv: readonly string[]): { fresh: boolean; rest: string[] } {
  const rest = argv.filter((a) => a !== '--fresh');
  return { fresh: rest.length !== argv.length, rest };
}

const keepsState = (w: GuestWorkerConfig): boolean => w.arguments.includes('--state');

/**
 * `config` with `--fresh` added to the arguments of every guest that keeps a chain state, and their ids.
 * No such guest: `guests` is empty and nothing can be reset (the caller refuses the start).
 * @example const { config: started, guests } = freshChainConfig(config); // guests: ['devchain']
 */
export function freshChainConfig(config: NodeConfig): { config: NodeConfig; guests: string[] } {
  const guests: string[] = [];
  const workers = config.workers.map((w) => {
    if (w.type !== 'guest' || !keepsState(w) || w.arguments.includes('--fresh')) return w;
    guests.push(w.id);
    return { ...w, arguments: [...w.arguments, '--fresh'] };
  });
  return { config: { ...config, workers }, guests };
}
