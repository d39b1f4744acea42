using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Sfu.Bots;

namespace Sfu.LoadTest;

/// <summary>
/// SfuRouter under load: the server in its own process (or <see cref="LoadOptions.Nodes"/>
/// cluster nodes sharing a redis-server of the run's own), every participant an <see cref="SfuBot"/>.
/// </summary>
internal sealed class SfuTarget(LoadOptions options) : FleetTarget(options)
{
    private readonly List<ChildProcess> _servers = [];
    private readonly List<HttpClient> _admins = [];
    private ChildProcess? _redis;
    private int[] _serverPids = [];

    public override int ServerProcessId => _serverPids[0];

    public override IReadOnlyList<int> ServerProcessIds => _serverPids;

    public override async Task StartAsync(Action<string> status, CancellationToken cancellationToken)
    {
        var urls = new List<Uri>();
        if (Options.Server is null)
        {
            // The admin API gives downlink estimates, and a cluster's relay counters in /metrics.
            string? adminKey = Options.DownlinkLimit > 0 || Options.Nodes > 1 ? Convert.ToHexString(RandomNumberGenerator.GetBytes(16)) : null;
            string? redis = null;
            if (Options.Nodes > 1)
            {
                status("starting redis-server");
                (_redis, redis) = await RedisProcess.StartAsync(cancellationToken).ConfigureAwait(false);
            }

            int tcpConnections = Options.Transport == Sfu.Core.Net.TransportProtocol.Tcp ? ScenarioPlan.Create(Options).Count : 0;
            for (int node = 0; node < Options.Nodes; node++)
            {
                status(Options.Nodes > 1 ? $"starting Sfu.Host node {node + 1}" : "starting Sfu.Host");
                string? log = Options.ServerLog is null || node == 0 ? Options.ServerLog : $"{Options.ServerLog}.{node + 1}";
                (ChildProcess server, Uri url) = await SfuServerProcess.StartAsync(Options.HostDll, cancellationToken, adminKey, tcpConnections, redis, log).ConfigureAwait(false);
                _servers.Add(server);
                urls.Add(url);
                if (adminKey is not null)
                {
                    var admin = new HttpClient { BaseAddress = url };
                    admin.DefaultRequestHeaders.Add("X-Admin-Key", adminKey);
                    _admins.Add(admin);
                }
            }

            _serverPids = [.. _servers.Select(s => s.Id)];
        }
        else
        {
            urls.Add(Options.Server);
            _serverPids = [Options.ServerPid!.Value];
        }

        // Participants go to the nodes in turn, in plan order: a fan-out's publisher is on the
        // first node and its subscribers alternate, so every room spans the cluster.
        Dictionary<string, int> nodeOf = ScenarioPlan.Create(Options).Select((p, i) => (p.Name, i)).ToDictionary(x => x.Name, x => x.i % urls.Count, StringComparer.Ordinal);
        await ConnectFleetAsync((p, bot, ct) => SfuBot.ConnectAsync(urls[nodeOf[p.Name]], bot, ct), null, status, cancellationToken).ConfigureAwait(false);
    }

    public override async Task<long?> ReadRelayedPacketsAsync(CancellationToken cancellationToken)
    {
        if (Options.Nodes < 2)
        {
            return null;
        }

        long sent = 0;
        foreach (HttpClient admin in _admins)
        {
            string metrics = await admin.GetStringAsync("/metrics", cancellationToken).ConfigureAwait(false);
            foreach (string line in metrics.Split('\n'))
            {
                // sfu.relay.packets.sent, one series per peer node (Prometheus adds _total).
                if (line.StartsWith("sfu_relay_packets_sent", StringComparison.Ordinal) && line.Contains('}', StringComparison.Ordinal))
                {
                    sent += (long)double.Parse(line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                }
            }
        }

        return sent;
    }

    protected override Func<CancellationToken, Task<IReadOnlyDictionary<string, DownlinkReading>>>? DownlinkEstimates
        => Options.DownlinkLimit > 0 && _admins.Count > 0 ? ReadEstimatesAsync : null;

    protected override ValueTask DisposeServerAsync()
    {
        foreach (HttpClient admin in _admins)
        {
            admin.Dispose();
        }

        foreach (ChildProcess server in _servers)
        {
            server.Dispose();
        }

        _redis?.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Every participant's downlink estimate and allocation from the admin API's room details (absent until it sent feedback).</summary>
    private async Task<IReadOnlyDictionary<string, DownlinkReading>> ReadEstimatesAsync(CancellationToken cancellationToken)
    {
        var estimates = new Dictionary<string, DownlinkReading>(StringComparer.Ordinal);
        foreach (string room in ScenarioPlan.Create(Options).Select(p => p.Room).Distinct(StringComparer.Ordinal))
        {
            JsonElement detail = await _admins[0].GetFromJsonAsync<JsonElement>($"/api/admin/rooms/{Uri.EscapeDataString(room)}", cancellationToken).ConfigureAwait(false);
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
