package zisk.distributed.coordinator.api;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.junit.jupiter.api.Test;

class AuthInterceptorTest {

  @Test
  void localMeansLoopbackOrATransportThatIsNotIp() {
    assertTrue(AuthInterceptor.isLocal(new InetSocketAddress("127.0.0.1", 1)));
    assertTrue(AuthInterceptor.isLocal(new InetSocketAddress("::1", 1)));
    assertFalse(AuthInterceptor.isLocal(new InetSocketAddress("192.0.2.2", 1)));
    assertFalse(AuthInterceptor.isLocal(InetSocketAddress.createUnresolved("127.0.0.1", 1)));
    assertFalse(AuthInterceptor.isLocal(null));
    assertTrue(AuthInterceptor.isLocal(new SocketAddress() {}));
  }
}
