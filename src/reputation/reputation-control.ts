import type { DeliverabilityReport, GuardActor, GuardState, ReputationControl } from '../shared/deliverability.ts';
import type { DeliverabilityReports, StreamOverview } from './deliverability-report.ts';
import type { StreamPauses } from './stream-pauses.ts';

/**
 * What the console and `/v1/streams` may do with the guard (shared/deliverability.ts
 * ReputationControl): read the report, pause by hand, resume. One object, so both callers run the
 * same use cases.
 */
export class ReputationService implements ReputationControl {
  constructor(private readonly deps: { reports: DeliverabilityReports; pauses: StreamPauses }) {}

  report(): Promise<DeliverabilityReport> {
    return this.deps.reports.report();
  }

  overview(): Promise<StreamOverview[]> {
    return this.deps.reports.overview();
  }

  pause(stream: string, by: GuardActor): Promise<GuardState> {
    return this.deps.pauses.pause(stream, by);
  }

  resume(stream: string, by: GuardActor): Promise<GuardState> {
    return this.deps.pauses.resume(stream, by);
  }
}
