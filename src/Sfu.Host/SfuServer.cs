using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using Sfu.Core;
using Sfu.Core.Negotiation;
using Sfu.Host.Admin;
using Sfu.Host.Signaling;
using Sfu.Host.Telemetry;

namespace Sfu.Host;

/// <summary>The composition root, shared by Program and by tests that run the real server.</summary>
public static class SfuServer
{
    public static WebApplication CreateApp(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
            WebRootPath = Path.Combine(AppContext.BaseDirectory, "wwwroot"),
        });
        builder.Services.Configure<SfuOptions>(builder.Configuration.GetSection("Sfu:Media"));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sp => new SfuEngine(
            sp.GetRequiredService<IOptions<SfuOptions>>().Value,
            sp.GetRequiredService<ILoggerFactory>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<IMeterFactory>()));
        builder.Services.AddHostedService<MediaEngineService>();
        builder.Services.AddMeeting(builder.Configuration);
        builder.Services.AddSignalR(o =>
        {
            o.EnableDetailedErrors = false;
            // SignalR's default of 32 KB closes the connection of anyone in a room of about eight
            // or more who sends an offer (a screen share, an ICE restart): the browser's offer
            // repeats every m-section it receives. Allow the largest SDP the parser accepts, with
            // room for its JSON escaping; larger SDP gets a clear error from the parser instead.
            o.MaximumReceiveMessageSize = 4L * SdpParser.MaxLength;
        });
        builder.AddSfuTelemetry().AddSfuAdmin();
        configure?.Invoke(builder);

        WebApplication app = builder.Build();
        app.UseSfuAdmin();
        app.UseWebClient();
        app.MapHub<SfuHub>(SfuHub.Path);
        app.MapMeeting();
        app.MapSfuTelemetry();
        return app;
    }
}
