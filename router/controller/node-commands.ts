/**
 * The names of `xbr-edge`'s node commands, apart from their implementation so the `xbr-edge` entry can tell
 * them from the market commands (seller, buyer, demo) without loading the controller.
 */
export const NODE_COMMANDS = ['start', 'stop', 'status', 'check', 'version', 'backup', 'restore'] as const;
export type NodeCommand = (typeof NODE_COMMANDS)[number];

export function isNodeCommand(name: string | undefined): name is NodeCommand {
  return (NODE_COMMANDS as readonly string[]).includes(name ?? '');
}
