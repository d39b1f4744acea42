using Microsoft.Extensions.Diagnostics.HealthChecks;
using Sfu.Core;

namespace Sfu.Host.Telemetry;

/// <summary>Ready once the media UDP socket is bound and its receive loop runs.</summary>
internal sealed class MediaPortHealthCheck(SfuEngine engine) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        => Task.FromResult(engine.IsReady
            ? HealthCheckResult.Healthy($"media port {engine.MediaEndPoint} is receiving")
            : HealthCheckResult.Unhealthy("the media port is not bound yet"));
}
