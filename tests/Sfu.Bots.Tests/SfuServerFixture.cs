using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sfu.Core;
using Sfu.Host;

namespace Sfu.Bots.Tests;

/// <summary>The real SFU (hub + media engine) started in-process on 127.0.0.1 with ephemeral ports.</summary>
public sealed class SfuServerFixture : IAsyncLifetime
{
    private WebApplication? _app;

    public Uri Url { get; private set; } = null!;

    public SfuEngine Engine { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        _app = SfuServer.CreateApp(
            ["--Urls=http://127.0.0.1:0", "--Sfu:Media:Port=0"],
            builder => builder.Logging.SetMinimumLevel(LogLevel.Warning));
        await _app.StartAsync();
        string address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Url = new Uri(address);
        Engine = _app.Services.GetRequiredService<SfuEngine>();
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            try
            {
                await _app.DisposeAsync();
            }
            catch (ObjectDisposedException)
            {
                // Core: MediaEngineService.StopAsync already disposed the SfuEngine singleton, and
                // SfuEngine.DisposeAsync is not idempotent when the container disposes it again.
            }
        }
    }
}
