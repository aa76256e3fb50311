package zisk.distributed.client;

import zisk.distributed.api.v1.JobEvent;
import zisk.distributed.api.v1.JobStatus;
import zisk.distributed.api.v1.TaskProgress;

/** What a watched job shows, message by message (one {@link ProgressView} renders it). */
public interface WatchListener {

  /** The job as it is now: first on each (re)opened stream, and from polling. */
  void status(JobStatus job);

  /** One event, each shown once, in event_id order. */
  void event(JobEvent event);

  /** A running task's progress. */
  void progress(TaskProgress progress);

  /** The stream to {@code fromUrl} broke; watching goes on at {@code toUrl}. */
  void reconnecting(String fromUrl, String toUrl, String reason);

  /** The job has ended (or, for `zisk status`-like calls, this is its final state). */
  void finished(JobStatus job);
}
