using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace Sfu.Host.Cluster;

/// <summary>Readiness of a cluster node: degraded, with the reason, while its Redis is unreachable (it still serves its own rooms).</summary>
internal sealed class RedisHealthCheck(IConnectionMultiplexer redis) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        => Task.FromResult(redis.IsConnected
            ? HealthCheckResult.Healthy("the cluster's Redis is connected")
            : HealthCheckResult.Degraded("the cluster's Redis is unreachable: this node serves its own rooms only"));
}
