package zisk.distributed.client;

/** Renders a watched job; closed when the watch ends (bars are cleared then). */
public interface ProgressView extends WatchListener, AutoCloseable {

  @Override
  void close();
}
