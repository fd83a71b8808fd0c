/**
 * Sink benchmark: rows/s of the batched idempotent upserts (the sink's write: multi-row INSERT … ON DUPLICATE KEY
 * UPDATE, 500 results per transaction) ÷ rows/s of row-at-a-time writes (the same statement with one result,
 * autocommitted), same server, same rows, same run. A "row" is one table row (an image row and a prediction row
 * per result).
 *
 * Runs against the MySQL of the environment (connectionsFromEnv) in a scratch database `hazardflow_bench_<pid>`,
 * dropped afterwards:  npm run bench -- sink [results=2000] [batch=500] [rounds=5]
 */
import { createConnection } from 'mysql2/promise';
import { connectionsFromEnv } from '../config/connections.ts';
import { createMysqlPool } from '../adapters/mysql/pool.ts';
import { migrate } from '../adapters/mysql/migrate.ts';
import { upsertResults } from '../adapters/mysql/results.ts';
import { analysisResult, detection } from '../test/integration/sink/records.ts';
import { median } from './stats.ts';

const count = Number(process.argv[2] ?? 2000);
const batchSize = Number(process.argv[3] ?? 500);
const rounds = Number(process.argv[4] ?? 5);
const ROWS_PER_RESULT = 2;

const base = connectionsFromEnv().mysql;
const database = `hazardflow_bench_${process.pid}`;
const admin = await createConnection({ host: base.host, port: base.port, user: base.user, password: base.password });
await admin.query(`CREATE DATABASE \`${database}\``);
const pool = createMysqlPool({ ...base, database });

try {
  await migrate(pool);
  const results = Array.from({ length: count }, (_, i) =>
    analysisResult(`bench-${String(i).padStart(6, '0')}`, {
      detections: [detection('flood', 0.8, 27.7 + i * 1e-4, 85.3), detection('landslide', 0.6, 27.7, 85.3 + i * 1e-4)],
      flood_probability: 0.9,
      landslide_probability: 0.7,
      risk_level: 'high',
    }),
  );

  const truncate = async () => {
    await pool.query('TRUNCATE TABLE satellite_images');
    await pool.query('TRUNCATE TABLE ml_predictions');
  };

  const rowAtATime = async () => {
    const conn = await pool.getConnection();
    try {
      for (const result of results) await upsertResults(conn, [result]);
    } finally {
      conn.release();
    }
  };

  const batched = async () => {
    const conn = await pool.getConnection();
    try {
      for (let i = 0; i < results.length; i += batchSize) {
        await conn.beginTransaction();
        await upsertResults(conn, results.slice(i, i + batchSize));
        await conn.commit();
      }
    } finally {
      conn.release();
    }
  };

  const rate = async (write: () => Promise<void>) => {
    await truncate();
    const started = performance.now();
    await write();
    const seconds = (performance.now() - started) / 1000;
    return (count * ROWS_PER_RESULT) / seconds;
  };

  // The two ways alternate over several rounds and each reports its median: other processes on the host load the
  // server unevenly over time, and alternating spreads that over both sides alike.
  await rate(batched); // warm-up
  const singles: number[] = [];
  const multis: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    singles.push(await rate(rowAtATime));
    multis.push(await rate(batched));
  }
  const single = median(singles);
  const multi = median(multis);
  process.stdout.write(`sink_rows=${count * ROWS_PER_RESULT}\n`);
  process.stdout.write(`sink_batch_size=${batchSize}\n`);
  process.stdout.write(`sink_row_at_a_time_rows_per_s=${single.toFixed(0)}\n`);
  process.stdout.write(`sink_batched_upsert_rows_per_s=${multi.toFixed(0)}\n`);
  process.stdout.write(`sink_batched_vs_row_at_a_time=${(multi / single).toFixed(2)}\n`);
} finally {
  await pool.end();
  await admin.query(`DROP DATABASE \`${database}\``);
  await admin.end();
}
