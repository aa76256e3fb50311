package zisk.distributed.client;

import java.io.PrintWriter;
import zisk.distributed.api.v1.JobEvent;
import zisk.distributed.api.v1.JobStatus;
import zisk.distributed.api.v1.TaskProgress;
import zisk.distributed.api.v1.WatchJobResponse;

/**
 * JSON lines for {@code --output json}: each line one WatchJobResponse ({"status":…}, {"event":…},
 * {"progress":…}); the last line is {"status":…} with the job's final state. Reconnections go to
 * standard error, so standard output stays pure JSON.
 */
public final class JsonLines implements ProgressView {

  private final PrintWriter out;
  private final PrintWriter err;

  public JsonLines(PrintWriter out, PrintWriter err) {
    this.out = out;
    this.err = err;
  }

  @Override
  public void status(JobStatus job) {
    out.println(JsonText.of(WatchJobResponse.newBuilder().setStatus(job)));
  }

  @Override
  public void event(JobEvent event) {
    out.println(JsonText.of(WatchJobResponse.newBuilder().setEvent(event)));
  }

  @Override
  public void progress(TaskProgress progress) {
    out.println(JsonText.of(WatchJobResponse.newBuilder().setProgress(progress)));
  }

  @Override
  public void reconnecting(String fromUrl, String toUrl, String reason) {
    err.println("the stream from " + fromUrl + " broke (" + reason + "); resuming at " + toUrl);
  }

  @Override
  public void finished(JobStatus job) {
    status(job);
  }

  @Override
  public void close() {
    out.flush();
  }
}
