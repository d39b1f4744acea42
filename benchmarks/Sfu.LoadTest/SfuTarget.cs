using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Sfu.Bots;

namespace Sfu.LoadTest;

/// <summary>SfuRouter under load: the server in its own process, every participant an <see cref="SfuBot"/>.</summary>
internal sealed class SfuTarget(LoadOptions options) : FleetTarget(options)
{
    private ChildProcess? _server;
    private int _serverPid;
    private HttpClient? _admin;

    public override int ServerProcessId => _serverPid;

    public override async Task StartAsync(Action<string> status, CancellationToken cancellationToken)
    {
        Uri url;
        if (Options.Server is null)
        {
            status("starting Sfu.Host");
            string? adminKey = Options.DownlinkLimit > 0 ? Convert.ToHexString(RandomNumberGenerator.GetBytes(16)) : null;
            (_server, url) = await SfuServerProcess.StartAsync(Options.HostDll, cancellationToken, adminKey, Options.Transport == Sfu.Core.Net.TransportProtocol.Tcp ? ScenarioPlan.Create(Options).Count : 0).ConfigureAwait(false);
            _serverPid = _server.Id;
            if (adminKey is not null)
            {
                _admin = new HttpClient { BaseAddress = url };
                _admin.DefaultRequestHeaders.Add("X-Admin-Key", adminKey);
            }
        }
        else
        {
            url = Options.Server;
            _serverPid = Options.ServerPid!.Value;
        }

        await ConnectFleetAsync((_, bot, ct) => SfuBot.ConnectAsync(url, bot, ct), null, status, cancellationToken).ConfigureAwait(false);
    }

    protected override Func<CancellationToken, Task<IReadOnlyDictionary<string, DownlinkReading>>>? DownlinkEstimates
        => _admin is null ? null : ReadEstimatesAsync;

    protected override ValueTask DisposeServerAsync()
    {
        _admin?.Dispose();
        _server?.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Every participant's downlink estimate and allocation from the admin API's room details (absent until it sent feedback).</summary>
    private async Task<IReadOnlyDictionary<string, DownlinkReading>> ReadEstimatesAsync(CancellationToken cancellationToken)
    {
        var estimates = new Dictionary<string, DownlinkReading>(StringComparer.Ordinal);
        foreach (string room in ScenarioPlan.Create(Options).Select(p => p.Room).Distinct(StringComparer.Ordinal))
        {
            JsonElement detail = await _admin!.GetFromJsonAsync<JsonElement>($"/api/admin/rooms/{Uri.EscapeDataString(room)}", cancellationToken).ConfigureAwait(false);
            foreach (JsonElement participant in detail.GetProperty("participants").EnumerateArray())
            {
                if (participant.GetProperty("downlinkEstimate") is { ValueKind: JsonValueKind.Number } estimate)
                {
                    estimates[participant.GetProperty("id").GetString()!] = new DownlinkReading(estimate.GetInt64(), participant.GetProperty("allocatedBitrate").GetInt64());
                }
            }
        }

        return estimates;
    }
}
