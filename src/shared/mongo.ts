import mongoose, { type Connection } from 'mongoose';

/**
 * One mongoose connection per app. Commands are not buffered: while the database is away they fail
 * at once, so the API answers 503 and the worker retries the job later (fail closed).
 */
export async function connectMongo(url: string): Promise<Connection> {
  const connection = mongoose.createConnection(url, {
    bufferCommands: false,
    autoIndex: false,
    serverSelectionTimeoutMS: 5000,
    connectTimeoutMS: 5000,
    heartbeatFrequencyMS: 2000,
    maxPoolSize: 20,
  });
  await connection.asPromise();
  return connection;
}
