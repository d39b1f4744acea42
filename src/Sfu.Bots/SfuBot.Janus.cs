using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Sfu.Bots.Janus;
using Sfu.Core.Negotiation;

namespace Sfu.Bots;

/// <summary>
/// The same bot against Janus's VideoRoom, signaled over its HTTP API instead of our hub, so a
/// load run can compare both servers on identical media. A publisher offers (we stay ICE
/// controlling, as against our own server); a subscriber answers Janus's offer, which makes
/// the bot the controlled agent (RFC 8445 §6.1.1) and the DTLS client.
/// </summary>
public sealed partial class SfuBot
{
    /// <summary>Joins <paramref name="room"/> as a publisher; <see cref="ParticipantId"/> becomes the Janus feed id.</summary>
    public static Task<SfuBot> PublishToJanusAsync(JanusVideoRoom room, SfuBotOptions options, CancellationToken cancellationToken = default)
        => ConnectToJanusAsync(room, options, feeds: null, cancellationToken);

    /// <summary>Joins <paramref name="room"/> as a subscriber of the publisher <paramref name="feed"/>.</summary>
    public static Task<SfuBot> SubscribeToJanusAsync(JanusVideoRoom room, long feed, SfuBotOptions options, CancellationToken cancellationToken = default)
        => ConnectToJanusAsync(room, options, [feed], cancellationToken);

    /// <summary>
    /// Joins <paramref name="room"/> as one subscriber of several publishers: one PeerConnection
    /// carrying every stream of each feed (VideoRoom's multistream subscription), as a meeting
    /// member receives its room mates.
    /// </summary>
    public static Task<SfuBot> SubscribeToJanusAsync(JanusVideoRoom room, IReadOnlyList<long> feeds, SfuBotOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(feeds);
        if (feeds.Count == 0)
        {
            throw new ArgumentException("A subscriber needs at least one feed.", nameof(feeds));
        }

        return ConnectToJanusAsync(room, options, feeds, cancellationToken);
    }

    private static async Task<SfuBot> ConnectToJanusAsync(JanusVideoRoom room, SfuBotOptions options, IReadOnlyList<long>? feeds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(room);
        ArgumentNullException.ThrowIfNull(options);
        if (!IsBenchmarkAddress(options.BindAddress))
        {
            throw new ArgumentException("Bots bind to loopback or to the benchmark range 198.18.0.0/15 only.", nameof(options));
        }

        var bot = new SfuBot(options, server: null, iceControlling: feeds is null);

        // Where a connection that times out was: Janus's answers to our requests come over its
        // long poll, so a slow Janus can leave a bot waiting before ICE has even started.
        string signaling = "attaching a handle";
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.ConnectTimeout);
            long handle = await room.Session.AttachAsync(JanusVideoRoom.Plugin, timeout.Token).ConfigureAwait(false);
            signaling = feeds is null ? "waiting for Janus's answer to joinandconfigure" : "waiting for Janus's offer or its answer to start";
            RemoteTransport remote = feeds is null
                ? await bot.PublishToJanusAsync(room, handle, timeout.Token).ConfigureAwait(false)
                : await bot.SubscribeToJanusAsync(room, handle, feeds, timeout.Token).ConfigureAwait(false);
            signaling = string.Empty;
            await bot.ConnectTransportAsync(remote, timeout.Token).ConfigureAwait(false);
            return bot;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            string stage = signaling.Length > 0 ? $"signaling, {signaling} ({bot._ice.ChecksAnswered} of Janus's checks answered meanwhile)"
                : bot._ice.SelectedAddress is null ? $"ICE ({bot._ice.ChecksSent} checks sent, {bot._ice.ChecksAnswered} answered)"
                : "DTLS";
            await bot.DisposeAsync().ConfigureAwait(false);
            throw new TimeoutException($"{options.Name} did not connect to Janus within {options.ConnectTimeout.TotalSeconds:0} s: stuck in {stage}.");
        }
        catch
        {
            await bot.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<RemoteTransport> PublishToJanusAsync(JanusVideoRoom room, long handle, CancellationToken cancellationToken)
    {
        StartSocketAndStreams();
        string offer = BotSdp.BuildOffer(LocalTransport(DtlsSetup.ActPass), _audioStream, _videoStream, SimulcastEncodings, _sessionId);
        var join = new JsonObject
        {
            ["request"] = "joinandconfigure",
            ["room"] = room.Id,
            ["ptype"] = "publisher",
            ["display"] = _options.Name,
        };
        JsonElement joined = await room.Session.MessageAsync(handle, join, Jsep("offer", offer), cancellationToken).ConfigureAwait(false);
        ParticipantId = joined.GetProperty("plugindata").GetProperty("data").GetProperty("id").GetInt64().ToString(CultureInfo.InvariantCulture);
        return AcceptAnswer(SdpOf(joined), "Janus");
    }

    private async Task<RemoteTransport> SubscribeToJanusAsync(JanusVideoRoom room, long handle, IReadOnlyList<long> feeds, CancellationToken cancellationToken)
    {
        var streams = new JsonArray();
        foreach (long feed in feeds)
        {
            // A feed without a "mid" subscribes to all of its streams.
            streams.Add(new JsonObject { ["feed"] = feed });
        }

        var join = new JsonObject
        {
            ["request"] = "join",
            ["room"] = room.Id,
            ["ptype"] = "subscriber",
            ["streams"] = streams,
        };
        JsonElement attached = await room.Session.MessageAsync(handle, join, null, cancellationToken).ConfigureAwait(false);
        StartSocketAndStreams();

        // RFC 5763 §5: Janus offers actpass; we answer active and are the DTLS client.
        _localSetup = DtlsSetup.Active;
        string answer = BuildAnswer(SdpOf(attached), out SessionDescription? offer)
            ?? throw new InvalidOperationException("Janus's subscriber offer cannot be answered.");
        RemoteTransport remote = BotSdp.ReadTransport(offer!, Sfu.Core.Net.TransportProtocol.Udp, out string? error)
            ?? throw new InvalidOperationException("Janus's offer has no usable transport: " + error);
        await room.Session.MessageAsync(handle, new JsonObject { ["request"] = "start", ["room"] = room.Id }, Jsep("answer", answer), cancellationToken).ConfigureAwait(false);
        return remote;
    }

    /// <summary>Our SDP carries every candidate, so Janus need not wait for trickled ones.</summary>
    private static JsonObject Jsep(string type, string sdp) => new() { ["type"] = type, ["sdp"] = sdp, ["trickle"] = false };

    private static string SdpOf(JsonElement message)
        => message.TryGetProperty("jsep", out JsonElement jsep) && jsep.TryGetProperty("sdp", out JsonElement sdp) && sdp.GetString() is string text
            ? text
            : throw new InvalidOperationException("Janus sent no SDP where one was due: " + message);

    private static bool IsBenchmarkAddress(IPAddress address)
    {
        // RFC 2544 §C.2.2 reserves 198.18.0.0/15 for benchmarks; it exists only inside the private namespace.
        byte[] bytes = address.GetAddressBytes();
        return IPAddress.IsLoopback(address) || (bytes.Length == 4 && bytes[0] == 198 && (bytes[1] & 0xFE) == 18);
    }
}
