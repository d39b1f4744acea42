using System.Net;
using System.Text;
using Sfu.Core.Diagnostics;
using Sfu.Core.Ice;
using Sfu.Core.Net;
using Sfu.Core.Sessions;
using Sfu.Core.Stun;

namespace Sfu.Core;

/// <summary>
/// The per-datagram entry of the media plane: every datagram of every media thread enters
/// here, is matched to its peer by source address, or introduces a new address with an ICE
/// check. Nothing here changes rooms.
/// </summary>
public sealed partial class SfuEngine
{
    // A receive thread's scratch for SRTP and RTCP work on the datagram it handles.
    [ThreadStatic]
    private static byte[]? t_scratch;

    /// <summary>
    /// The one demultiplexing point (RFC 7983 by first byte). A datagram from a bound
    /// address goes to its transport; an unbound address may only introduce itself with an
    /// ICE check whose USERNAME names a live session. Runs on any of the media threads, at
    /// the same time for datagrams of different peers: the lookups here are concurrent
    /// dictionaries, and everything past them runs under the peer's media gate.
    /// </summary>
    public void OnDatagram(Span<byte> datagram, SocketAddress source)
    {
        IDatagramPath path = _port!;
        Metrics.OnDatagram();
        PacketKind kind = PacketClassifier.Classify(datagram);
        if (kind == PacketKind.Unknown)
        {
            Counters.Dropped(DropReason.Malformed);
            return;
        }

        if (kind == PacketKind.Stun)
        {
            OnStun(datagram, source, path);
            return;
        }

        if (!_byAddress.TryGetValue(source, out PeerTransport? transport))
        {
            Counters.Dropped(DropReason.UnknownPeer);
            return;
        }

        OnBound(transport, kind, datagram, source, path);
    }

    /// <summary>
    /// DTLS or SRTP of a known peer, under its media gate. With several media threads a peer's
    /// datagrams normally reach one thread (the kernel hashes its address to one socket), but
    /// nothing here relies on it: a datagram that lands on another thread (a NAT rebinding
    /// gives the peer a new address, hence maybe a new socket; ICE-TCP frames come from
    /// connection loops) waits for the gate and is handled exactly as on the usual thread.
    /// </summary>
    private static void OnBound(PeerTransport transport, PacketKind kind, Span<byte> datagram, SocketAddress source, IDatagramPath path)
    {
        lock (transport.MediaGate)
        {
            if (kind == PacketKind.Dtls)
            {
                transport.OnDtls(datagram, source, path);
            }
            else
            {
                transport.OnSrtp(datagram, source, path, Scratch);
            }
        }
    }

    /// <summary>
    /// Where this thread writes each subscriber's copy of a packet before it is encrypted and
    /// queued: one per media thread (or ICE-TCP read loop thread), allocated on its first use.
    /// </summary>
    private static byte[] Scratch => t_scratch ??= GC.AllocateUninitializedArray<byte>(UdpMediaPort.ReceiveBufferSize + 64);

    /// <summary>The fan-out of the last datagram has left the port. Runs on the media thread that received it.</summary>
    public void OnSent() => Metrics.OnSent();

    /// <summary>An ICE check; the transport it names, when it authenticated (else null).</summary>
    private PeerTransport? OnStun(ReadOnlySpan<byte> datagram, SocketAddress source, IDatagramPath path)
    {
        if (StunMessage.TryParse(datagram, out StunMessage message) != StunParseResult.Ok)
        {
            Counters.Dropped(DropReason.Malformed);
            return null;
        }

        if (message.Method != StunMethod.Binding || message.Class != StunClass.Request)
        {
            // An ICE-lite agent sends no checks, so no response or indication is expected.
            Counters.Dropped(DropReason.Malformed);
            return null;
        }

        if (!IceUsername.TryGetLocalUfrag(message.Username, out ReadOnlySpan<byte> ufrag) || ufrag.Length > 256)
        {
            Counters.Dropped(DropReason.UnknownPeer);
            return null;
        }

        Span<char> chars = stackalloc char[ufrag.Length];
        if (!Encoding.UTF8.TryGetChars(ufrag, chars, out int charCount)
            || !_byUfragSpan.TryGetValue(chars[..charCount], out PeerTransport? transport))
        {
            Counters.Dropped(DropReason.UnknownPeer);
            return null;
        }

        // The session may have been created by a check that arrived on another thread, and its
        // media may be handled on another one now: the ICE agent, like the rest of the peer's
        // state, changes only under its media gate.
        lock (transport.MediaGate)
        {
            return transport.OnStun(message, source, path) ? transport : null;
        }
    }
}
