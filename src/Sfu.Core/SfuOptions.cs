using Sfu.Core.Routing;

namespace Sfu.Core;

/// <summary>Media-plane settings (configuration section "Sfu:Media").</summary>
public sealed class SfuOptions
{
    /// <summary>
    /// The most participants one room admits (0: no limit). Every member receives every other
    /// member's tracks, so a room's forwarding cost grows with the square of its size; this is
    /// how an operator keeps one room from taking the whole server.
    /// </summary>
    public int MaxParticipantsPerRoom { get; set; }

    /// <summary>The address the media socket binds to.</summary>
    public string BindAddress { get; set; } = "127.0.0.1";

    /// <summary>The one UDP port every peer uses; 0 picks a free one.</summary>
    public int Port { get; set; } = 50000;

    /// <summary>
    /// Media threads, each receiving on its own socket of the one port (Linux SO_REUSEPORT: the
    /// kernel hashes each peer's address to one socket). 1 is one socket and one thread; where
    /// the sockets cannot share the port, one is used whatever this says.
    /// </summary>
    public int Threads { get; set; } = Environment.ProcessorCount;

    /// <summary>
    /// Helper threads that share a large fan-out with the media thread that received its packet
    /// (each takes shards of up to <see cref="FanOutShard"/> subscribers). Unset: <see cref="Threads"/>
    /// − 1, so one room's fan-out can use every core; 0: a packet's fan-out always stays on the
    /// thread that received it.
    /// </summary>
    public int? FanOutThreads { get; set; }

    /// <summary>
    /// The most subscribers of one track that one thread takes at a time; a fan-out splits over
    /// threads only beyond one shard, and a short one is cut finer (about four shards a thread,
    /// at least <see cref="FanOutWorkers.MinShardSize"/> subscribers each).
    /// </summary>
    public int FanOutShard { get; set; } = FanOutWorkers.DefaultShardSize;

    /// <summary>
    /// How loaded a media thread must be, in percent of one core (its own handling time plus
    /// what helpers did for it, over the last tenth of a second), before it splits a fan-out;
    /// it stops below three quarters of that. A thread with time to spare forwards faster per
    /// CPU-second alone. 0: split every fan-out of more than one shard.
    /// </summary>
    public int FanOutSplitFromLoad { get; set; } = FanOutWorkers.DefaultSplitFromLoad;

    /// <summary>
    /// Datagrams a media thread takes in one <c>recvmmsg</c> at most (Linux): it wakes for the
    /// first and takes those already queued behind it. 1 receives one datagram per
    /// <c>recvfrom</c>, as elsewhere, and is the default: at the loads measured here batches
    /// rarely formed and gave no gain (benchmarks/RESULTS.md), so the batched receive waits for
    /// a load that shows one before the whole server runs on it.
    /// </summary>
    public int ReceiveBatch { get; set; } = 1;

    /// <summary>The address put in our ICE candidate; peers send media there.</summary>
    public string AnnouncedAddress { get; set; } = "127.0.0.1";

    /// <summary>The port put in our ICE candidate, when a relay or port mapping sits in front; 0 = the bound port.</summary>
    public int AnnouncedPort { get; set; }

    /// <summary>
    /// The ICE-TCP port (RFC 6544, passive): announced as a <c>tcptype passive</c> host candidate
    /// below the UDP one, for peers whose network blocks UDP. Unset: the UDP port + 1 (any free
    /// port when the UDP port is 0); 0: any free port; negative: no ICE-TCP.
    /// </summary>
    public int? TcpPort { get; set; }

    /// <summary>The port put in our TCP candidate when a port mapping sits in front; 0 = the bound port.</summary>
    public int AnnouncedTcpPort { get; set; }

    /// <summary>ICE-TCP connections one source IP address may hold open.</summary>
    public int TcpMaxConnectionsPerAddress { get; set; } = 16;

    /// <summary>ICE-TCP connections that have not sent a valid ICE check yet, over all addresses.</summary>
    public int TcpMaxUnauthenticated { get; set; } = 256;

    /// <summary>Seconds an ICE-TCP connection may stay open without a valid ICE check.</summary>
    public double TcpAuthenticationTimeoutSeconds { get; set; } = 5;

    /// <summary>A peer silent this long loses its session (RFC 7675 consent freshness).</summary>
    public int ConsentTimeoutSeconds { get; set; } = 30;

    /// <summary>
    /// SRTP protection profiles in our order of preference (names of
    /// <see cref="Srtp.SrtpProfile"/>); by default AES-GCM, then AES-CM with HMAC-SHA1-80.
    /// </summary>
    public IList<string> SrtpProfiles { get; } = [];

    /// <summary>The bitrate (bits/s) each published video track is invited to reach, through REMB.</summary>
    public long MaxVideoBitrate { get; set; } = 2_500_000;

    /// <summary>Upper bound for a DTLS handshake once ICE is up.</summary>
    public int DtlsHandshakeTimeoutSeconds { get; set; } = 10;

    /// <summary>
    /// What one peer may make the media plane create, parse or send. The host binds these
    /// from "Sfu:Limits", the section of its own signaling limits.
    /// </summary>
    public MediaLimits Limits { get; } = new();
}
