using Sfu.Core.Relay;
using Sfu.Core.Routing;

namespace Sfu.Host.Cluster;

/// <summary>
/// This node's side of interest: every <see cref="Interval"/> it works out, per remote track it
/// follows, the layers its own subscribers want and, when that changed or a beat has passed,
/// tells the track's node over the link (<see cref="RelayInterest"/>, RTCP APP).
/// </summary>
internal sealed class InterestTeller(RelayPeers peers, TimeProvider time, TimeSpan heartbeatInterval)
{
    /// <summary>How often this node looks whether its subscribers' interest in remote tracks changed.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    /// <summary>The SSRC this node's interest messages come from.</summary>
    private readonly uint _ssrc = (uint)Random.Shared.Next(2, int.MaxValue);

    /// <summary>Every <see cref="Interval"/>, tells each connected peer what this node wants of its tracks when that changed, and every beat anyway.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        while (await NextAsync(timer, stoppingToken).ConfigureAwait(false))
        {
            foreach (RelayPeer peer in peers.All)
            {
                if (peer.Link.IsConnected)
                {
                    Tell(peer);
                }
            }
        }
    }

    /// <summary>
    /// Which layers of the peer's tracks this node's subscribers want: for each remote track,
    /// every layer up to the highest that a forwarding subscription wants (the lower ones are
    /// what a subscriber falls back to when its bandwidth drops); none when nobody here forwards
    /// it. Sent when it changed, or when a beat passed since the last message (the link is UDP).
    /// </summary>
    private void Tell(RelayPeer peer)
    {
        var wanted = new Dictionary<uint, bool>();
        foreach (Producer producer in peer.Followed)
        {
            int highest = producer.IsClosed ? -1 : producer.Demand.HighestWanted;
            foreach (ProducerLayer layer in producer.Layers)
            {
                if (layer.Stream is { } stream)
                {
                    bool wantsLayer = layer.Index <= highest;
                    wanted[stream.Ssrc] = wantsLayer;
                    if (wantsLayer && !peer.Told.Contains(stream.Ssrc))
                    {
                        producer.OnRelayResumed(layer.Index);
                    }
                }
            }
        }

        foreach (uint ssrc in peer.Told)
        {
            // A track this node no longer follows: said once, then forgotten.
            _ = wanted.TryAdd(ssrc, false);
        }

        var wants = wanted.Where(e => e.Value).Select(e => e.Key).ToHashSet();
        long now = time.GetTimestamp();
        if (wants.SetEquals(peer.Told) && time.GetElapsedTime(peer.ToldAt, now) < heartbeatInterval)
        {
            return;
        }

        uint[] ssrcs = [.. wanted.Keys];
        bool[] flags = [.. wanted.Values];
        byte[] message = new byte[RelayInterest.SizeOf(RelayInterest.MaxEntries)];
        bool sent = true;
        for (int start = 0; start == 0 || start < ssrcs.Length; start += RelayInterest.MaxEntries)
        {
            int count = Math.Min(RelayInterest.MaxEntries, ssrcs.Length - start);
            int length = RelayInterest.TryWrite(message, _ssrc, ssrcs.AsSpan(start, count), flags.AsSpan(start, count));
            sent &= length > 0 && peer.Link.SendRtcp(message.AsSpan(0, length));
        }

        if (sent)
        {
            peer.Told = wants;
            peer.ToldAt = now;
        }
    }

    private static async Task<bool> NextAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
