using Sfu.Bots;

namespace Sfu.LoadTest;

/// <summary>SfuRouter under load: the server in its own process, every participant an <see cref="SfuBot"/>.</summary>
internal sealed class SfuTarget(LoadOptions options) : FleetTarget(options)
{
    private ChildProcess? _server;
    private int _serverPid;

    public override int ServerProcessId => _serverPid;

    public override async Task StartAsync(Action<string> status, CancellationToken cancellationToken)
    {
        Uri url;
        if (Options.Server is null)
        {
            status("starting Sfu.Host");
            (_server, url) = await SfuServerProcess.StartAsync(Options.HostDll, Options.Transport == Sfu.Core.Net.TransportProtocol.Tcp ? ScenarioPlan.Create(Options).Count : 0, cancellationToken).ConfigureAwait(false);
            _serverPid = _server.Id;
        }
        else
        {
            url = Options.Server;
            _serverPid = Options.ServerPid!.Value;
        }

        await ConnectFleetAsync((_, bot, ct) => SfuBot.ConnectAsync(url, bot, ct), null, status, cancellationToken).ConfigureAwait(false);
    }

    protected override ValueTask DisposeServerAsync()
    {
        _server?.Dispose();
        return ValueTask.CompletedTask;
    }
}
