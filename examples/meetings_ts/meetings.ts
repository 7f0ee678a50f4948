// A TypeScript consumer of Shegong events: the meetings held (议事会, 联席会议, 共学坊...), per
// station, from the engagement stream, as the read-only integrator. Beside `scripts/up`, from
// the repository:
//
//   npx tsc -p examples/meetings_ts
//   node --env-file=.state/nats/integrator.env examples/meetings_ts/dist/meetings.js --until-caught-up
//
// The types are the committed contracts (contracts/typescript/engagement.d.ts); the client is
// the `nats` package. A durable pull consumer of its own keeps the place between runs; each
// event is acknowledged after it is handled, so a crash means a redelivery, never a loss.
// Without --until-caught-up it keeps following.

import { AckPolicy, connect, DeliverPolicy, type ConnectionOptions } from "nats";
import type { EngagementEvent } from "../../contracts/typescript/engagement.js";

const STREAM = "SW_ENGAGEMENT";
const FILTER = "sw.engagement.*.MeetingHeld.*"; // sw.<domain>.<station>.<EventType>.<aggregate>

// NATS_URL (comma-separated for a cluster; tls:// for TLS), SHEGONG_NATS_USER,
// SHEGONG_NATS_PASSWORD, optional SHEGONG_NATS_CA_FILE: what `shegong up` writes to
// .state/nats/integrator.env, and what the Python kit reads (shegong_events.connection).
function connection(env: NodeJS.ProcessEnv): ConnectionOptions {
  const missing = ["NATS_URL", "SHEGONG_NATS_USER", "SHEGONG_NATS_PASSWORD"].filter((n) => !env[n]?.trim());
  if (missing.length > 0) {
    throw new Error(`NATS connection not configured: ${missing.join(", ")} not set (node --env-file=.state/nats/integrator.env ...)`);
  }
  const servers = env.NATS_URL!.split(",").map((s) => s.trim()).filter(Boolean);
  const tls = servers.every((s) => s.startsWith("tls://"));
  if (!tls && servers.some((s) => s.startsWith("tls://"))) {
    throw new Error("NATS_URL mixes tls:// and nats:// servers: every node of a cluster is reached one way");
  }
  return {
    servers,
    user: env.SHEGONG_NATS_USER!.trim(),
    pass: env.SHEGONG_NATS_PASSWORD!.trim(),
    name: "example-meetings-ts",
    ...(tls ? { tls: env.SHEGONG_NATS_CA_FILE ? { caFile: env.SHEGONG_NATS_CA_FILE } : {} } : {}),
  };
}

// what a team keeps: meetings and people per station (idempotent: a redelivery changes nothing)
const held = new Map<string, Map<string, number>>();

function handle(event: EngagementEvent): void {
  if (event.event_type !== "MeetingHeld") return; // narrowed to MeetingHeldV1 below
  const meetings = held.get(event.station_id) ?? new Map<string, number>();
  meetings.set(event.aggregate_id, event.data.participants_total ?? 0);
  held.set(event.station_id, meetings);
  const title = event.data.title;
  console.log(JSON.stringify({
    event_id: event.event_id,
    station_id: event.station_id,
    meeting_id: event.aggregate_id,
    kind: event.data.kind,
    held_on: event.data.held_on,
    participants: event.data.participants_total ?? null,
    title,
  }));
}

async function main(): Promise<void> {
  const untilCaughtUp = process.argv.includes("--until-caught-up");
  const durable = process.env.MEETINGS_DURABLE ?? "example-meetings-ts";
  const nc = await connect(connection(process.env));
  const jsm = await nc.jetstreamManager();
  // created once, found again on every later start: the place is kept by the server
  await jsm.consumers.add(STREAM, {
    durable_name: durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: FILTER,
  });
  const consumer = await nc.jetstream().consumers.get(STREAM, durable);
  const stop = async (): Promise<void> => { await nc.drain(); };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  const messages = await consumer.consume({ max_messages: 64 });
  if (untilCaughtUp && (await consumer.info()).num_pending === 0) messages.stop();
  for await (const msg of messages) {
    handle(msg.json<EngagementEvent>());
    await msg.ackAck(); // after the handler, confirmed by the server: a crash before means a redelivery
    if (untilCaughtUp && msg.info.pending === 0) break;
  }
  const stations = [...held].map(([station, meetings]) => ({
    station_id: station,
    meetings: meetings.size,
    participants: [...meetings.values()].reduce((a, b) => a + b, 0),
  }));
  console.log(JSON.stringify({ caught_up: true, stations }));
  await nc.drain();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
