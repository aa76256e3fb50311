package zisk.distributed.coordinator.auth;

import io.grpc.Context;

/** The {@link Caller} of the current gRPC call, carried in the {@link Context}. */
public final class Callers {

  public static final Context.Key<Caller> KEY = Context.key("zisk-caller");

  private Callers() {}

  /**
   * The caller the authentication interceptor admitted; a handler reached without it is a wiring
   * bug, refused rather than guessed at.
   */
  public static Caller current() {
    Caller caller = KEY.get();
    if (caller == null) {
      throw new IllegalStateException("no authenticated caller: the interceptor is not installed");
    }
    return caller;
  }
}
