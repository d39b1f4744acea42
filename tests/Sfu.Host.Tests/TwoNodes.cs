namespace Sfu.Host.Tests;

/// <summary>A redis-server and two cluster nodes on it in this process; <c>aArgs</c> configure node A further.</summary>
internal sealed class TwoNodes(RedisServer redis, SfuTestServer a, SfuTestServer b) : IAsyncDisposable
{
    public SfuTestServer A => a;

    public SfuTestServer B => b;

    /// <summary>A node's arguments, with a fast heartbeat so a dead node is found in about two seconds.</summary>
    public static string[] Args(RedisServer redis, params string[] more)
        => [$"--Sfu:Cluster:Redis={redis.ConnectionString}", "--Sfu:Cluster:HeartbeatSeconds=0.3", "--Sfu:Cluster:NodeTtlSeconds=2", .. more];

    public static Task<TwoNodes> StartAsync(params string[] aArgs) => StartAsync(aArgs, []);

    public static async Task<TwoNodes> StartAsync(string[] aArgs, string[] bArgs)
    {
        RedisServer redis = await RedisServer.StartAsync();
        SfuTestServer a = await SfuTestServer.StartAsync(Args(redis, aArgs));
        SfuTestServer b = await SfuTestServer.StartAsync(Args(redis, bArgs));
        return new TwoNodes(redis, a, b);
    }

    public async ValueTask DisposeAsync()
    {
        await b.DisposeAsync();
        await a.DisposeAsync();
        await redis.DisposeAsync();
    }
}
