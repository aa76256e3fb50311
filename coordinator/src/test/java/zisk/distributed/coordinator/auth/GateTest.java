package zisk.distributed.coordinator.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import zisk.distributed.coordinator.config.AuthConfig;
import zisk.distributed.coordinator.config.AuthConfig.Role;
import zisk.distributed.coordinator.testing.BearerTokens;

/** The decisions alone, without a server: every RPC, both modes. */
class GateTest {

  private final Gate withTokens =
      new Gate(
          new AuthConfig(
              List.of(
                  BearerTokens.token("ci", Role.CLIENT, "client-secret"),
                  BearerTokens.token("ops", Role.ADMIN, "admin-secret"))));
  private final Gate withoutTokens = new Gate(AuthConfig.NONE);

  @Test
  void anRpcNoRoleListsIsForAdminsOnly() {
    assertEquals(
        Status.Code.PERMISSION_DENIED,
        refused(withTokens.admit("SomeFutureRpc", "Bearer client-secret", true)));
    assertAdmitted(withTokens.admit("SomeFutureRpc", "Bearer admin-secret", false), "ops");
  }

  @Test
  void bearerSchemeIsCaseInsensitiveAndTheSecretExact() {
    assertAdmitted(withTokens.admit("LaunchProof", "bearer client-secret", false), "ci");
    assertEquals(
        Status.Code.UNAUTHENTICATED,
        refused(withTokens.admit("LaunchProof", "Bearer client-secreT", false)));
    assertEquals(
        Status.Code.UNAUTHENTICATED,
        refused(withTokens.admit("LaunchProof", "Bearer " + "x".repeat(10_000), false)));
    assertEquals(
        Status.Code.UNAUTHENTICATED, refused(withTokens.admit("LaunchProof", "Bearer ", false)));
  }

  @Test
  void withTokensLoopbackGetsNoFavours() {
    assertEquals(Status.Code.UNAUTHENTICATED, refused(withTokens.admit("JobsList", null, true)));
    assertEquals(
        Status.Code.UNAUTHENTICATED, refused(withTokens.admit("ProverStream", null, true)));
    assertInstanceOf(Gate.Verdict.Admitted.class, withTokens.admit("HealthCheck", null, false));
  }

  @Test
  void withoutTokensAdminRpcsNeedALocalCaller() {
    assertEquals(Caller.LOOPBACK_OPERATOR, admitted(withoutTokens.admit("CancelJob", null, true)));
    assertEquals(
        Status.Code.PERMISSION_DENIED, refused(withoutTokens.admit("CancelJob", null, false)));
    assertEquals(
        Status.Code.PERMISSION_DENIED, refused(withoutTokens.admit("WatchJob", null, false)));
    assertEquals(Caller.ANONYMOUS, admitted(withoutTokens.admit("ProverStream", null, false)));
    assertEquals(Caller.ANONYMOUS, admitted(withoutTokens.admit("HealthCheck", null, false)));
  }

  @Test
  void proverIdPatternsAreGlobsWithEverythingElseLiteral() {
    ProverIdPattern gpus = new ProverIdPattern("gpu-*");
    ProverIdPattern dotted = new ProverIdPattern("rack.?");

    assertTrue(gpus.matches("gpu-1"));
    assertTrue(gpus.matches("gpu-"));
    assertFalse(gpus.matches("cpu-1"));
    assertFalse(gpus.matches("xgpu-1"));
    assertTrue(dotted.matches("rack.7"));
    assertFalse(dotted.matches("rackx7"));
    assertFalse(dotted.matches("rack.10"));
  }

  private static void assertAdmitted(Gate.Verdict verdict, String tokenName) {
    assertEquals(Optional.of(tokenName), admitted(verdict).tokenName());
  }

  private static Caller admitted(Gate.Verdict verdict) {
    return assertInstanceOf(Gate.Verdict.Admitted.class, verdict).caller();
  }

  private static Status.Code refused(Gate.Verdict verdict) {
    return assertInstanceOf(Gate.Verdict.Refused.class, verdict).status().getCode();
  }
}
