using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Sfu.Core;

namespace Sfu.Host.Cluster;

/// <summary>
/// This node's identity in the cluster. The id and URL default to what Kestrel listens on,
/// which is known once it started (a test's port 0 becomes a real port), so they are read on
/// first use, when the first request or heartbeat comes.
/// </summary>
internal sealed class LocalNode
{
    private readonly Lazy<(string Id, string Url)> _identity;
    private readonly SfuEngine _engine;

    public LocalNode(IOptions<ClusterOptions> options, IServer server, SfuEngine engine)
    {
        ClusterOptions o = options.Value;
        _engine = engine;
        _identity = new Lazy<(string, string)>(() => Resolve(o, server));
    }

    public string Id => _identity.Value.Id;

    public string Url => _identity.Value.Url;

    /// <summary>The media address candidates name ("address:port").</summary>
    public string MediaAddress => $"{_engine.AnnouncedAddress}:{_engine.AnnouncedPort}";

    private static (string, string) Resolve(ClusterOptions options, IServer server)
    {
        string? listening = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        string url = (options.Url ?? Announced(listening) ?? throw new InvalidOperationException(
            "The cluster node's URL is unknown: Kestrel listens on no address yet. Set Sfu:Cluster:Url.")).TrimEnd('/');
        string id = options.NodeId ?? $"{Dns.GetHostName()}:{new Uri(url).Port}";
        if (id.Contains(RedisKeys.MemberSeparator, StringComparison.Ordinal) || string.IsNullOrWhiteSpace(id))
        {
            throw new InvalidOperationException($"Sfu:Cluster:NodeId '{id}' must be non-empty and without '{RedisKeys.MemberSeparator}'.");
        }

        return (id, url);
    }

    /// <summary>A wildcard listening address ("http://0.0.0.0:5080", "http://[::]:5080", "http://+:5080") named by the host name.</summary>
    private static string? Announced(string? listening)
    {
        if (listening is null)
        {
            return null;
        }

        foreach (string wildcard in (string[])["://0.0.0.0:", "://[::]:", "://+:", "://*:"])
        {
            int at = listening.IndexOf(wildcard, StringComparison.Ordinal);
            if (at >= 0)
            {
                return $"{listening[..at]}://{Dns.GetHostName()}:{listening[(at + wildcard.Length)..]}";
            }
        }

        return listening;
    }
}
