using Sfu.Core;

namespace Sfu.Host;

/// <summary>Starts the media plane with the host and stops it on shutdown.</summary>
internal sealed class MediaEngineService(SfuEngine engine) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        engine.Start();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await engine.DisposeAsync().ConfigureAwait(false);
}
