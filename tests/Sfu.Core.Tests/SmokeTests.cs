namespace Sfu.Core.Tests;

public class SmokeTests
{
    [Fact]
    public void Assembly_loads() => Assert.NotNull(typeof(Sfu.Core.Net.PacketClassifier).Assembly);
}
