package zisk.distributed.coordinator.testing;

import io.grpc.stub.ServerCallStreamObserver;
import java.util.ArrayList;
import java.util.List;
import zisk.distributed.api.v1.CoordinatorMessage;

/** Records what the session writes, as one line per message. */
public final class RecordingStream extends ServerCallStreamObserver<CoordinatorMessage> {
  public final List<String> sent = new ArrayList<>();

  @Override
  public void onNext(CoordinatorMessage message) {
    sent.add(
        switch (message.getMessageCase()) {
          case EXECUTE_TASK -> "task " + message.getExecuteTask().getTaskId();
          case JOB_CANCELLED ->
              "cancel "
                  + message.getJobCancelled().getJobId()
                  + "/"
                  + message.getJobCancelled().getTaskId();
          default -> message.getMessageCase().name();
        });
  }

  @Override
  public void onError(Throwable t) {}

  @Override
  public void onCompleted() {}

  @Override
  public boolean isCancelled() {
    return false;
  }

  @Override
  public void setOnCancelHandler(Runnable onCancelHandler) {}

  @Override
  public void setCompression(String compression) {}

  @Override
  public boolean isReady() {
    return true;
  }

  @Override
  public void setOnReadyHandler(Runnable onReadyHandler) {}

  @Override
  public void disableAutoInboundFlowControl() {}

  @Override
  public void request(int count) {}

  @Override
  public void setMessageCompression(boolean enable) {}
}
