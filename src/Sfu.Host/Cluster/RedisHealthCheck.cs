using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Sfu.Host.Cluster;

/// <summary>Readiness of a cluster node: degraded, with the reason, while its Redis is unreachable (it still serves its own rooms).</summary>
internal sealed class RedisHealthCheck(RedisLink link) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        => Task.FromResult(link.Reason is string reason
            ? HealthCheckResult.Degraded($"{reason}; serving this node's rooms alone")
            : HealthCheckResult.Healthy("cluster: redis connected"));
}
