using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Sfu.Core;
using Sfu.Core.Dtls;
using Sfu.Core.Net;
using Sfu.Core.Srtp;

namespace Sfu.Testing;

/// <summary>
/// A room on the real engine whose members are <see cref="EnginePeer"/>s: each joined,
/// negotiated, ICE-checked and DTLS-keyed the way a browser does it, on a
/// <see cref="MemoryDatagramPort"/> instead of a socket. <see cref="Deliver"/> hands the engine a
/// datagram from a member on the caller's thread, as the receive loop would; everything from
/// there on is the engine's own code.
/// </summary>
public sealed class EngineRoom : IAsyncDisposable
{
    public const string Name = "room";

    private readonly MemoryDatagramPort _port = new();
    private readonly List<EnginePeer> _peers = [];
    private readonly byte[] _receive = new byte[UdpMediaPort.ReceiveBufferSize];
    private readonly DtlsCertificate _certificate = DtlsCertificate.Generate();

    private EngineRoom(SfuOptions options, TimeProvider? time)
    {
        Engine = new SfuEngine(options, NullLoggerFactory.Instance, time);
        Engine.Start(_port);
        Profile = Enum.Parse<SrtpProfile>(options.SrtpProfiles.FirstOrDefault() ?? nameof(SrtpProfile.AeadAes128Gcm));
    }

    public SrtpProfile Profile { get; }

    public SfuEngine Engine { get; }

    public MemoryDatagramPort Port => _port;

    /// <summary>Every member, in the order they joined.</summary>
    public IReadOnlyList<EnginePeer> Peers => _peers;

    /// <summary>The first member; in a room made by <see cref="CreateAsync"/> it publishes audio and video.</summary>
    public EnginePeer Publisher => _peers[0];

    /// <summary>Every member but the first.</summary>
    public IReadOnlyList<EnginePeer> Subscribers => _peers.GetRange(1, _peers.Count - 1);

    /// <summary>
    /// A room with one publisher (audio and video; or <paramref name="publishers"/>, the first
    /// members) and <paramref name="subscribers"/> members that only receive, every
    /// subscription negotiated and every member connected.
    /// </summary>
    /// <param name="simulcastRids">When given, the publisher sends its video as these simulcast layers, lowest first.</param>
    /// <param name="fanOutThreads">Helper threads that share large fan-outs (<see cref="SfuOptions.FanOutThreads"/>); 0: every fan-out on the delivering thread.</param>
    /// <param name="fanOutShard">Down-tracks a thread takes at a time (<see cref="SfuOptions.FanOutShard"/>).</param>
    /// <param name="fanOutSplitFromLoad">
    /// The delivering thread's load from which it splits (<see cref="SfuOptions.FanOutSplitFromLoad"/>);
    /// 0, the default here: every fan-out of more than one shard, as the delivering thread is not
    /// a receive loop and its load is not measured.
    /// </param>
    /// <param name="publishers">Members that publish audio and video (they come first, and receive each other too).</param>
    public static async Task<EngineRoom> CreateAsync(SrtpProfile profile, int subscribers, TimeProvider? time = null, IReadOnlyList<string>? simulcastRids = null, int fanOutThreads = 0, int fanOutShard = Sfu.Core.Routing.FanOutWorkers.DefaultShardSize, int fanOutSplitFromLoad = 0, int publishers = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(subscribers);
        ArgumentOutOfRangeException.ThrowIfLessThan(publishers, 1);

        // Nobody sends consent checks while a benchmark runs: keep sessions for its whole length.
        // A benchmark sends as fast as it can: the ingress bound is off (the check still runs).
        // Unless asked, a fan-out stays on the thread that delivers the datagram, as measurements
        // of one thread's cost need.
        var options = new SfuOptions { Port = 0, ConsentTimeoutSeconds = 3600, FanOutThreads = fanOutThreads, FanOutShard = fanOutShard, FanOutSplitFromLoad = fanOutSplitFromLoad };
        options.SrtpProfiles.Add(profile.ToString());
        options.Limits.IngressPacketsPerSecond = 0;
        options.Limits.IngressBitsPerSecond = 0;
        var room = new EngineRoom(options, time);
        try
        {
            for (int i = 0; i < publishers + subscribers; i++)
            {
                room.Join(publish: i < publishers, i < publishers ? simulcastRids : null);
            }

            room.Settle();
            await room.ConnectAsync(room._peers).ConfigureAwait(false);
            return room;
        }
        catch
        {
            await room.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Joins one more member and makes its first offer (not yet connected: see <see cref="ConnectAsync"/>).</summary>
    public EnginePeer Join(bool publish, IReadOnlyList<string>? simulcastRids = null)
    {
        var peer = new EnginePeer(_peers.Count, _port, _certificate);
        _peers.Add(peer);
        peer.Participant = Engine.Join(Name, publish ? $"publisher-{peer.Index}" : $"subscriber-{peer.Index}", peer);
        peer.Participant.HandleOffer(peer.Offer(publish, simulcastRids));
        return peer;
    }

    /// <summary>Answers server offers until none is left: every subscription is negotiated.</summary>
    public void Settle()
    {
        while (_peers.Sum(p => p.AnswerPending()) > 0)
        {
        }
    }

    /// <summary>ICE check and DTLS handshake for each of <paramref name="peers"/>; returns once all have SRTP keys.</summary>
    public async Task ConnectAsync(IReadOnlyList<EnginePeer> peers)
    {
        ArgumentNullException.ThrowIfNull(peers);
        foreach (EnginePeer peer in peers)
        {
            Deliver(peer, peer.BindingRequest());
        }

        var options = new DtlsTransportOptions { SrtpProfiles = [Profile] };
        Task<DtlsHandshakeResult>[] handshakes = [.. peers.Select(p => p.StartDtls(options))];
        var clock = Stopwatch.StartNew();
        while (!handshakes.All(h => h.IsCompleted) || !peers.All(p => p.Participant!.Transport.IsConnected))
        {
            if (_port.DeliverPending() == 0)
            {
                await Task.Delay(1).ConfigureAwait(false);
            }

            if (clock.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException("The room did not connect within 60 s.");
            }
        }

        for (int i = 0; i < peers.Count; i++)
        {
            DtlsHandshakeResult result = await handshakes[i].ConfigureAwait(false);
            if (!result.Succeeded)
            {
                throw new InvalidOperationException($"Peer {peers[i].Index}: DTLS failed: {result.ErrorMessage}");
            }

            peers[i].InstallKeys(result);
        }
    }

    /// <summary>One datagram from <paramref name="from"/>, handled on the calling thread as the receive loop would.</summary>
    public void Deliver(EnginePeer from, ReadOnlySpan<byte> datagram)
    {
        ArgumentNullException.ThrowIfNull(from);
        datagram.CopyTo(_receive);
        _port.Deliver(_receive.AsSpan(0, datagram.Length), from.Address);
    }

    public async ValueTask DisposeAsync()
    {
        await Engine.DisposeAsync().ConfigureAwait(false);
        foreach (EnginePeer peer in _peers)
        {
            peer.Dispose();
        }
    }
}
