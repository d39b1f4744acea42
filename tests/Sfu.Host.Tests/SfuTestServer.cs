using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Sfu.Core;

namespace Sfu.Host.Tests;

/// <summary>The real server (Kestrel, SignalR, the media port) on 127.0.0.1 with free ports.</summary>
public sealed class SfuTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SfuTestServer(WebApplication app, string baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }

    public SfuEngine Engine => _app.Services.GetRequiredService<SfuEngine>();

    public IServiceProvider Services => _app.Services;

    public static Task<SfuTestServer> StartAsync(params string[] extraArgs) => StartAsync(_ => { }, extraArgs);

    /// <summary>Starts the server with more services of the test's own (registered after the server's).</summary>
    public static async Task<SfuTestServer> StartAsync(Action<IServiceCollection> services, params string[] extraArgs)
    {
        string[] args = ["--Urls=http://127.0.0.1:0", "--Sfu:Media:Port=0", "--Logging:LogLevel:Default=Warning", .. extraArgs];
        WebApplication app = SfuServer.CreateApp(args, builder => services(builder.Services));
        await app.StartAsync().ConfigureAwait(false);
        string url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new SfuTestServer(app, url.TrimEnd('/'));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
