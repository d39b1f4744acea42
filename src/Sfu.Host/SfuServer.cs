using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using Sfu.Core;
using Sfu.Host.Access;
using Sfu.Host.Admin;
using Sfu.Host.Signaling;
using Sfu.Host.Telemetry;
using Sfu.Host.Turn;

namespace Sfu.Host;

/// <summary>The composition root, shared by Program and by tests that run the real server.</summary>
public static class SfuServer
{
    public static WebApplication CreateApp(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        DisplayName.EnsureNormalizationWorks();
        WebApplicationBuilder builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
            WebRootPath = Path.Combine(AppContext.BaseDirectory, "wwwroot"),
        });
        builder.Services.Configure<SfuOptions>(builder.Configuration.GetSection("Sfu:Media"));
        builder.Services.Configure<SfuOptions>(o => builder.Configuration.GetSection("Sfu:Limits").Bind(o.Limits));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.Configure<TurnOptions>(builder.Configuration.GetSection(TurnOptions.Section));
        builder.Services.AddSingleton<TurnCredentials>();
        builder.Services.AddSingleton<ConnectionPaths>();
        builder.Services.AddSingleton(sp => new SfuEngine(
            sp.GetRequiredService<IOptions<SfuOptions>>().Value,
            sp.GetRequiredService<ILoggerFactory>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<IMeterFactory>()));
        builder.Services.AddHostedService<MediaEngineService>();

        // Before AddMeeting: a cluster node brings its own room roster and chat history.
        builder.AddSfuCluster();
        builder.Services.AddMeeting(builder.Configuration);
        builder.Services.AddSignalR(o =>
        {
            o.EnableDetailedErrors = false;
            o.MaximumReceiveMessageSize = SfuHub.MaximumMessageBytes;
            o.AddFilter<HubCallLogging>();
        });

        // HubCallLogging logs every failed hub call once, at its level; SignalR's own line for
        // it is Error with a stack trace even for a client's mistake.
        builder.Logging.AddFilter(HubCallLogging.DispatcherCategory, level => level is >= LogLevel.Warning and < LogLevel.Error);
        builder.AddSfuTelemetry().AddSfuAdmin();
        configure?.Invoke(builder);

        WebApplication app = builder.Build();

        // Bad access settings (a short secret, Token mode without a key) stop the start here.
        app.Services.GetRequiredService<AccessTokens>();
        app.Services.GetRequiredService<TurnCredentials>();

        // Built now, so its metric exists whether or not the admin API is on.
        app.Services.GetRequiredService<ConnectionPaths>();
        app.UseSfuAdmin();
        app.UseWebClient();
        app.MapHub<SfuHub>(SfuHub.Path);
        app.MapMeeting();
        app.MapCluster();
        app.MapSfuTelemetry();
        return app;
    }
}
