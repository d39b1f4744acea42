using System.Text.Json;

namespace Sfu.Host.Tests;

/// <summary>The runtime settings the server ships with, read from the host's own runtimeconfig.json.</summary>
public sealed class RuntimeConfigTests
{
    [Fact]
    public void The_thread_pool_does_not_spin_before_it_sleeps()
    {
        // Copied next to the tests from Sfu.Host's build output, as the host is referenced.
        string path = Path.Combine(AppContext.BaseDirectory, "Sfu.Host.runtimeconfig.json");
        using JsonDocument config = JsonDocument.Parse(File.ReadAllText(path));
        JsonElement properties = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        Assert.True(properties.TryGetProperty("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit", out JsonElement limit), "Sfu.Host.runtimeconfig.json sets no thread-pool spin limit");
        Assert.Equal(0, limit.GetInt32());
    }
}
