using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Sfu.Core.Diagnostics;

namespace Sfu.Host.Telemetry;

/// <summary>
/// OpenTelemetry metrics for the media plane's meter, the .NET runtime and ASP.NET Core:
/// a Prometheus scrape endpoint at <see cref="MetricsPath"/>, an OTLP exporter when
/// <see cref="OtlpEndpointKey"/> is set, and the liveness and readiness probes.
/// </summary>
public static class TelemetryExtensions
{
    public const string MetricsPath = "/metrics";
    public const string LivenessPath = "/healthz";
    public const string ReadinessPath = "/readyz";
    public const string OtlpEndpointKey = "Sfu:Telemetry:OtlpEndpoint";

    internal const string ReadyTag = "ready";

    public static WebApplicationBuilder AddSfuTelemetry(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        Uri? otlp = OtlpEndpoint(builder.Configuration[OtlpEndpointKey]);
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("SfuRouter"))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(SfuMetrics.MeterName)
                    .AddRuntimeInstrumentation()
                    .AddAspNetCoreInstrumentation()
                    .AddPrometheusExporter();
                if (metrics is IDeferredMeterProviderBuilder deferred)
                {
                    deferred.Configure((services, provider) => provider.AddView(OnlyOwnMeters(services.GetRequiredService<IMeterFactory>())));
                }

                if (otlp is not null)
                {
                    metrics.AddOtlpExporter(exporter => exporter.Endpoint = otlp);
                }
            });
        builder.Services.AddHealthChecks().AddCheck<MediaPortHealthCheck>("media-port", tags: [ReadyTag]);
        return builder;
    }

    public static WebApplication MapSfuTelemetry(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapPrometheusScrapingEndpoint(MetricsPath);

        // Liveness runs no check: the process answering is the answer.
        app.MapHealthChecks(LivenessPath, new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks(ReadinessPath, new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag), ResponseWriter = ReadinessWriter.WriteAsync });
        return app;
    }

    /// <summary>
    /// OpenTelemetry subscribes to meters by name across the whole process. A second host in
    /// the same process (tests run several) has meters of the same names from its own
    /// factory; were they exported here too, their disposal would end this host's streams of
    /// the same name. Meters from no factory (the runtime's) are shared and kept.
    /// </summary>
    private static Func<Instrument, MetricStreamConfiguration?> OnlyOwnMeters(IMeterFactory own)
        => instrument => instrument.Meter.Scope is IMeterFactory factory && !ReferenceEquals(factory, own)
            ? MetricStreamConfiguration.Drop
            : null;

    private static Uri? OtlpEndpoint(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        return Uri.TryCreate(value, UriKind.Absolute, out Uri? uri)
            ? uri
            : throw new InvalidOperationException($"{OtlpEndpointKey} must be an absolute URI such as http://127.0.0.1:4317, not '{value}'.");
    }
}
