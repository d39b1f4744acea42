using System.Text;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Sfu.Host.Telemetry;

/// <summary>
/// The body of <c>/readyz</c>: the overall status on the first line ("Healthy" alone when all
/// is well, so a probe can compare it), then the reason of every check
/// that is not healthy, so an operator reads why without the log.
/// </summary>
internal static class ReadinessWriter
{
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        var body = new StringBuilder(report.Status.ToString());
        foreach ((string name, HealthReportEntry entry) in report.Entries)
        {
            if (entry.Status != HealthStatus.Healthy)
            {
                body.Append('\n').Append(entry.Description ?? $"{name}: {entry.Exception?.Message ?? entry.Status.ToString()}");
            }
        }

        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(body.ToString());
    }
}
