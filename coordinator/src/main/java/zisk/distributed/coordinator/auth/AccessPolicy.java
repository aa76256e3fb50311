package zisk.distributed.coordinator.auth;

import java.util.Map;
import java.util.Set;
import zisk.distributed.coordinator.config.AuthConfig.Role;

/**
 * Which role may call which RPC of {@code ZiskDistributedApi}, by the RPC's name. An RPC listed
 * nowhere (one added later) is for admin tokens only: closed by default.
 */
final class AccessPolicy {

  static final String PROVER_STREAM = "ProverStream";

  /** Open to everyone, with or without tokens. */
  private static final Set<String> OPEN = Set.of("HealthCheck");

  private static final Set<String> READ =
      Set.of("JobStatus", "WatchJob", "JobsList", "ProversList", "StatusInfo", "SystemStatus");

  private static final Map<Role, Set<String>> ALLOWED =
      Map.of(
          Role.PROVER,
          Set.of(PROVER_STREAM, "GetInput"),
          Role.READER,
          READ,
          Role.CLIENT,
          Set.of(
              "JobStatus",
              "WatchJob",
              "JobsList",
              "ProversList",
              "StatusInfo",
              "SystemStatus",
              "LaunchProof",
              "CancelJob",
              "GetProof",
              "UploadInput"));

  private AccessPolicy() {}

  static boolean isOpen(String rpc) {
    return OPEN.contains(rpc);
  }

  static boolean allows(Role role, String rpc) {
    return role == Role.ADMIN || ALLOWED.getOrDefault(role, Set.of()).contains(rpc);
  }
}
