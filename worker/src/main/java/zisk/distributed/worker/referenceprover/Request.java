package zisk.distributed.worker.referenceprover;

import zisk.distributed.api.v1.AggParams;
import zisk.distributed.api.v1.ContributionParams;
import zisk.distributed.api.v1.ProveParams;

/**
 * One request of the contract, checked and with its parameters as the built-in backend takes them.
 */
sealed interface Request {

  /** The request's id, which its final message carries. */
  String id();

  /** A request that runs a phase of a job: at most one at a time. */
  sealed interface Phase extends Request {
    String jobId();

    /** The request's type as the contract names it. */
    String type();
  }

  record Contribute(String id, String jobId, ContributionParams params) implements Phase {
    @Override
    public String type() {
      return "contribute";
    }
  }

  record Prove(String id, String jobId, ProveParams params) implements Phase {
    @Override
    public String type() {
      return "prove";
    }
  }

  record Aggregate(String id, String jobId, AggParams params) implements Phase {
    @Override
    public String type() {
      return "aggregate";
    }
  }

  record Cancel(String id, String jobId) implements Request {}

  /** {@code shutdown}; its id may be null (answered with nothing then). */
  record Shutdown(String id) implements Request {}
}
