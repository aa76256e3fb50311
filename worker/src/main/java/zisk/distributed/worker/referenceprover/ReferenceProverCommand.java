package zisk.distributed.worker.referenceprover;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import zisk.distributed.common.logging.LoggingSetup;
import zisk.distributed.worker.prover.reference.ReferenceProverBackend;

/**
 * {@code reference-prover}: the reference prover behind the native prover contract, for {@code
 * ./zisk worker --backend native --prover-command "./zisk reference-prover"}.
 */
@Command(
    name = ReferenceProverCommand.NAME,
    mixinStandardHelpOptions = true,
    description = {
      "Runs the reference prover as a native prover process: requests on standard input, "
          + "messages on standard output (one JSON object a line, protocol 1), logs on standard "
          + "error. See docs/native-prover.md.",
      "Honours "
          + ReferenceProverBackend.PHASE_DELAY_ENV
          + " (a fault-drill delay at the start "
          + "of every phase, in milliseconds)."
    })
public final class ReferenceProverCommand implements Callable<Integer> {

  private static final Logger log = LoggerFactory.getLogger(ReferenceProverCommand.class);

  /** The subcommand's name; {@code Zisk.main} claims standard output before anything else. */
  public static final String NAME = "reference-prover";

  /** The name the prover gives in its {@code ready} message. */
  static final String PROGRAM = "zisk-reference-prover";

  @Option(
      names = "--log-level",
      defaultValue = "info",
      paramLabel = "LEVEL",
      description = "Log level on standard error: trace, debug, info, warn or error.")
  private String logLevel;

  @Override
  public Integer call() throws Exception {
    BufferedOutputStream stdout = new BufferedOutputStream(ProtocolStdout.claim(), 1 << 16);
    LoggingSetup.configure(logLevel, "compact", null);
    ObjectMapper json = new ObjectMapper();
    ReferencePhases phases = new ReferencePhases(new ReferenceProverBackend());
    MessageWriter out = new MessageWriter(json, stdout);
    ContractServer server = new ContractServer(new RequestParser(json), out, phases);
    // The worker copies stderr into its log: say whose prover this is and which GPUs it was given.
    log.info(
        "reference prover ready: ZISK_PROVER_ID={}, CUDA_VISIBLE_DEVICES={}",
        System.getenv().getOrDefault("ZISK_PROVER_ID", "(unset)"),
        System.getenv().getOrDefault("CUDA_VISIBLE_DEVICES", "(unset)"));
    out.ready(PROGRAM, version(), true);
    BufferedReader stdin =
        new BufferedReader(
            new InputStreamReader(new FileInputStream(FileDescriptor.in), StandardCharsets.UTF_8),
            1 << 16);
    return server.serve(stdin);
  }

  private static String version() {
    String version = ReferenceProverCommand.class.getPackage().getImplementationVersion();
    return version != null ? version : "development";
  }
}
