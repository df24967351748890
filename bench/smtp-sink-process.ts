// The benchmark's SMTP sink, in its own process so it does not share an event loop with mailgate.
// Talks over IPC: sends {ready, port}; answers {count} to 'count' and resets on 'reset'.
import { startSmtpSink } from '../test/helpers/smtp-sink.ts';

const sink = await startSmtpSink({ parse: false, keep: false });
let base = 0;
process.on('message', (msg: unknown) => {
  if (msg === 'count') process.send!({ count: sink.count - base });
  else if (msg === 'reset') {
    base = sink.count;
    process.send!({ count: 0 });
  } else if (msg === 'close') void sink.close().then(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
process.send!({ ready: true, port: sink.port });
