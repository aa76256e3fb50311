package zisk.distributed.coordinator.api;

import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.Callable;
import java.util.function.Function;
import zisk.distributed.api.v1.ErrorResponse;

/**
 * Runs one admin call: its answer on success, its {@code ErrorResponse} otherwise, or the gRPC
 * status a handler chose (PERMISSION_DENIED for a job that is not the caller's). Nothing is ever
 * thrown out of a handler (the client would see UNKNOWN).
 */
final class UnaryCalls {

  private final ErrorMapper errors;

  UnaryCalls(ErrorMapper errors) {
    this.errors = errors;
  }

  <T> void answer(
      String rpc,
      StreamObserver<T> observer,
      Callable<T> handler,
      Function<ErrorResponse, T> onError) {
    T response;
    try {
      response = handler.call();
    } catch (StatusRuntimeException e) {
      observer.onError(e);
      return;
    } catch (Exception e) {
      response = onError.apply(errors.toErrorResponse(rpc, e));
    }
    observer.onNext(response);
    observer.onCompleted();
  }
}
