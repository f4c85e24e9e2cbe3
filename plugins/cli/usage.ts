/** Usage texts of `xbr-edge` and `npm run demo`. */
const CONNECTION = `  --url <ws-url>         router WebSocket (default ws://127.0.0.1:8080/)
  --realm <name>         realm of the market (default realm1)
  --devchain <file>      devchain file of the running edge (default .xbr-edge/devchain.json)
  --member-key <k>       member (actor) key: 64 hex digits or a file (default: the demo account)
  --delegate-key <k>     delegate key: 64 hex digits or a file (default: the demo delegate)
  --login-key <k>        Ed25519 login seed: 64 hex digits or a file (default: a new key per run)
  --api <0x…>            API id (default: the demo API)
  --topic <uri>          topic of the encrypted events (default xbr.demo.data)
  --log-level <level>    JSON logs on stderr from: debug, info, warn, error (default error)
  --help                 this text`;

const EXIT = `Exit codes: 0 done or stopped with Ctrl-C; 1 the market or chain refused or failed; 2 bad command line;
3 the edge is not running (no devchain file, router unreachable, no market maker); 130 a second Ctrl-C.`;

export const SELLER_USAGE = `Usage: xbr-edge seller [options]

Logs in as the seller member (WAMP-cryptosign + EIP712 member login), makes sure its delegate has a paying
channel (asks the market maker to open one), offers a rotating data key on the market and publishes
encrypted sample events on the topic. Prints each event and the seller's earnings as keys are sold.

${CONNECTION}
  --price <xbr>          price of one key in XBR (default 0.001)
  --interval <s>         new key every <s> seconds (default 10)
  --per-key <n>          also a new key after <n> events
  --count <n>            publish <n> events, then stop (default: until Ctrl-C)
  --rate <r>             events per second or minute: 1/s, 5/s, 30/min (default 1/s)
  --paying-amount <xbr>  deposit of a paying channel opened by this command (default 100)
  --data-dir <dir>       keep keys and the paying-channel state there (default: in memory; offers are
                         then revoked on exit)
  --close                close the paying channel cooperatively when stopping (the member is paid what
                         the seller earned; the maker gets the rest back)
  --status               only show the delegate's paying channels: earned, unclaimed, sales, refunds and
                         the close state of each, then exit (--json for scripts)
  --request-close        only ask the market maker to close the active paying channel, then exit: the
                         running seller (another \`xbr-edge seller\`) co-signs it; the member is paid

${EXIT}`;

export const BUYER_USAGE = `Usage: xbr-edge buyer [options]

Logs in as the buyer member, finds its delegate's payment channel or opens one (the member approves and
signs, the market maker submits), subscribes to the topic, buys each data key once and prints the
decrypted events and the channel's balance after every purchase.

${CONNECTION}
  --amount <xbr>         deposit of a payment channel opened by this command (default 10)
  --max-price <xbr>      refuse keys dearer than this
  --count <n>            stop after <n> decrypted events (default: until Ctrl-C)
  --close                close the payment channel cooperatively when stopping (the rest goes back)

${EXIT}`;

export const DEMO_USAGE = `Usage: npm run demo -- [options]     (with \`npm start\` running)

A seller and a buyer in one process: the seller publishes <count> encrypted events, the buyer buys the
keys, decrypts every event and both balances are printed; the buyer's payment channel is then closed.

  --url <ws-url>         router WebSocket (default ws://127.0.0.1:8080/)
  --realm <name>         (default realm1)
  --devchain <file>      (default .xbr-edge/devchain.json)
  --topic <uri>          (default xbr.demo.data)
  --count <n>            events (default 10)
  --rate <r>             events per second (default 5/s)
  --price <xbr>          price of one key (default 0.001)
  --amount <xbr>         deposit of the buyer's payment channel if one is opened (default 10)
  --keep-open            leave the buyer's payment channel open at the end
  --log-level <level>    (default error)
  --help

${EXIT}`;

export const ADMIN_USAGE = `Usage: xbr-edge admin <command> [options] [--cbdir DIR] [--config PATH] [--json]

An operator's look at the node running in --cbdir (default: the current directory), over the operator
socket its config names (a websocket transport on a unix socket whose anonymous role is "operator").

  status                 each maker: status, chain block, sessions in its realm
  markets                each maker's market: id, maker and owner addresses, coin, chain, network contract
  ipfs                   catalog and API downloads by state, the next retries
    --retry HASH         schedule that file now
    --retry-all          schedule every pending file now
  channels               the market's channels with their ledger balance (remaining, inflight, spent, seq)
    --member 0x…         only the channels of this actor (member)
    --delegate 0x…       only the channels of this delegate
    --state S            open, closing or closed
    --type T             payment or paying
    --limit N            at most N (default 100, at most 1000); a further page: --cursor <id of "more:">
  transactions           purchases, newest first: state, price, channels, seqs, remaining after
    --channel ID         only those of this payment or paying channel (UUID)
    --limit N, --cursor ID   as for channels
  rescan --from-block N  the chain monitor reads the chain's events again from block N (applied
                         idempotently: what was applied stays as it is, a missed event is applied)
  audit                  replays every purchase: the buyer's, seller's and maker's signatures, each
                         channel's history and balance, and each channel against the chain
    --limit N            list at most N mismatches (default 100; all are counted)
    --no-chain           do not compare with the chain
  --json                 machine-readable output (amounts exact, in base units; tables show XBR)

Exit codes: 0 done; 1 the node refused or failed; 2 bad command line; 3 no node there (no operator
socket, nothing listening, no market maker); 4 the audit found mismatches.`;

export const MAIN_USAGE = `Usage: xbr-edge <command> [options]

Commands:
  seller    sell encrypted sample events on a topic (xbr-edge seller --help)
  buyer     buy keys and print decrypted events (xbr-edge buyer --help)
  demo      seller and buyer in one process (as npm run demo)
  admin     an operator's look at the running node, over its operator socket (--cbdir, --config, --json):
            admin status | markets | ipfs [--retry HASH | --retry-all] | channels | transactions |
            rescan --from-block N | audit (xbr-edge admin --help)

Node commands (the node is found by its directory, --cbdir, default the current one):
  start     run the node in the foreground, as npm start [--cbdir DIR] [--config PATH] [--fresh]
            (--fresh: a new embedded dev chain; the old one's state is deleted)
  stop      stop the node running in --cbdir and wait for it (exit 3: none running)
  status    whether a node runs in --cbdir (exit 0) or not (exit 3)
  check     validate the config and the install; start nothing [--cbdir DIR] [--config PATH]
  version   print the versions
  backup    copy the node's databases, journals, keys and config: --to DIR (the node may run)
  restore   put a backup back in place: --from DIR (the node must be stopped)

${EXIT}`;
