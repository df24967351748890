import { MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { mongoConnectOptions } from '../../src/config-mongo.ts';
import { refusal } from '../helpers/config-refusal.ts';

/** The options the driver ends up with, parsed by the driver itself (building a client opens no connection). */
function driverOptions(url: string) {
  return new MongoClient(url, mongoConnectOptions(url).driver).options;
}

describe('MongoDB connection options (config-mongo.ts, docs/scaling.md)', () => {
  it('a replica-set URL reaches the driver with majority writes, retries and primary reads', () => {
    const url = 'mongodb://db-a.internal:27017,db-b.internal:27017,db-c.internal:27018/mailgate?replicaSet=rs0&authSource=admin';
    expect(loadConfig({ MONGO_URL: url }).mongoUrl).toBe(url);
    expect(mongoConnectOptions(url).topology).toBe('replica-set');
    const options = driverOptions(url);
    expect(options.replicaSet).toBe('rs0');
    expect(options.hosts.map(String)).toEqual(['db-a.internal:27017', 'db-b.internal:27017', 'db-c.internal:27018']);
    expect(options.writeConcern).toMatchObject({ w: 'majority', wtimeoutMS: 10_000 });
    expect(options.writeConcern?.journal).toBeUndefined();
    expect(options.retryWrites).toBe(true);
    expect(options.retryReads).toBe(true);
    expect(options.readPreference.mode).toBe('primary');
    expect(options.monitorCommands).toBe(true);
    expect(options.dbName).toBe('mailgate');
  });

  it('a mongodb+srv URL keeps its seed list and TLS, with the same write and read options', () => {
    const url = 'mongodb+srv://mailgate:pw@cluster0.example.net/mailgate?retryWrites=true&w=majority';
    expect(mongoConnectOptions(url).topology).toBe('srv');
    const options = driverOptions(url);
    expect(options.srvHost).toBe('cluster0.example.net');
    expect(options.tls).toBe(true);
    expect(options.writeConcern).toMatchObject({ w: 'majority' });
    expect(options.readPreference.mode).toBe('primary');
  });

  it('a single server (FerretDB in development) gets the same options', () => {
    const url = 'mongodb://127.0.0.1:27017/mailgate';
    expect(mongoConnectOptions(url).topology).toBe('single');
    expect(mongoConnectOptions('mongodb://a:27017,b:27017/x').topology).toBe('hosts');
    const options = driverOptions(url);
    expect(options.writeConcern).toMatchObject({ w: 'majority', wtimeoutMS: 10_000 });
    expect(options.retryWrites).toBe(true);
  });

  it('what the URL says wins: w, wtimeoutMS, retryWrites, retryReads', () => {
    expect(driverOptions('mongodb://a/x?replicaSet=rs0&w=1').writeConcern).toMatchObject({ w: 1 });
    expect(driverOptions('mongodb://a/x?replicaSet=rs0&w=2&wtimeoutMS=500').writeConcern).toMatchObject({ w: 2, wtimeoutMS: 500 });
    expect(driverOptions('mongodb://a/x?wtimeoutMS=3000').writeConcern).toMatchObject({ w: 'majority', wtimeoutMS: 3000 });
    const noRetry = driverOptions('mongodb://a/x?retryWrites=false&retryReads=false');
    expect([noRetry.retryWrites, noRetry.retryReads]).toEqual([false, false]);
    expect(driverOptions('mongodb://a/x?readPreference=primary').readPreference.mode).toBe('primary');
  });

  it('refuses bad values in one line naming MONGO_URL', () => {
    const cases: [string, RegExp][] = [
      ['mongodb://a/x?replicaSet=', /replicaSet= must name the replica set/],
      ['mongodb://a/x?replicaSet=rs%200', /replicaSet= must name the replica set/],
      ['mongodb://a/x?w=0', /w=0 \(unacknowledged writes\)/],
      ['mongodb://a/x?replicaSet=rs0&readPreference=secondaryPreferred', /readPreference=secondaryPreferred: every read/],
      ['mongodb://a/x?readPreference=nearest', /readPreference=nearest/],
      ['mongodb://a/x?retryWrites=maybe', /retrywrites must be true or false/],
      ['mongodb://a/x?wtimeoutMS=ten', /wtimeoutms must be a whole number/],
      ['mongodb+srv://cluster0.example.net:27017/x', /a mongodb\+srv:\/\/ URL names one host name/],
    ];
    for (const [url, why] of cases) {
      const line = refusal({ MONGO_URL: url });
      expect(line).toMatch(/^invalid configuration: MONGO_URL: /);
      expect(line).toMatch(why);
      expect(line).not.toContain('\n');
    }
    expect(refusal({ MONGO_URL: 'postgres://a/x' })).toMatch(/MONGO_URL/);
  });

  it('what it refuses as malformed, the driver would refuse too (at connect time, too late for one line)', () => {
    for (const url of ['mongodb://a/x?replicaSet=', 'mongodb://a/x?retryWrites=maybe', 'mongodb://a/x?wtimeoutMS=ten', 'mongodb+srv://cluster0.example.net:27017/x']) {
      expect(() => new MongoClient(url)).toThrow();
    }
  });
});
