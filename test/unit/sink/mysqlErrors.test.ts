import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PermanentError, TransientError } from '../../../pipeline/index.ts';
import { classifyMysqlError } from '../../../topologies/sink/mysqlSink.ts';

function mysqlError(message: string, fields: Record<string, unknown>): Error {
  return Object.assign(new Error(message), fields);
}

describe('classifyMysqlError', () => {
  it('retries when the server is away: refused, lost or shutting down', () => {
    for (const err of [
      mysqlError('connect ECONNREFUSED 127.0.0.1:3306', { code: 'ECONNREFUSED', fatal: true }),
      mysqlError('Connection lost: The server closed the connection.', { code: 'PROTOCOL_CONNECTION_LOST', fatal: true }),
      mysqlError('Server shutdown in progress', { code: 'ER_SERVER_SHUTDOWN', sqlState: '08S01' }),
      mysqlError('Deadlock found when trying to get lock', { code: 'ER_LOCK_DEADLOCK', sqlState: '40001' }),
    ]) {
      assert.ok(classifyMysqlError(err) instanceof TransientError, err.message);
    }
  });

  it('dead-letters a row the server refuses (data or constraint errors)', () => {
    const err = classifyMysqlError(mysqlError("Data too long for column 'image_id' at row 1", { code: 'ER_DATA_TOO_LONG', sqlState: '22001' }));
    assert.ok(err instanceof PermanentError);
    assert.equal((err as PermanentError).code, 'INVALID_RECORD');
  });

  it('retries everything that is not bad data: read-only (failover), access denied, a missing table', () => {
    for (const err of [
      mysqlError('The MariaDB server is running with the --read-only option so it cannot execute this statement', { code: 'ER_OPTION_PREVENTS_STATEMENT', sqlState: 'HY000' }),
      mysqlError("Access denied for user 'sink'@'127.0.0.1'", { code: 'ER_ACCESS_DENIED_ERROR', sqlState: '28000' }),
      mysqlError("INSERT command denied to user 'sink'", { code: 'ER_TABLEACCESS_DENIED_ERROR', sqlState: '42000' }),
      mysqlError("Table 'hazardflow.alerts' doesn't exist", { code: 'ER_NO_SUCH_TABLE', sqlState: '42S02' }),
    ]) {
      const classified = classifyMysqlError(err);
      assert.ok(classified instanceof TransientError, err.message);
      assert.equal((classified as TransientError).code, (err as unknown as { code: string }).code);
    }
  });
});
