namespace Sfu.Core;

/// <summary>
/// What one peer may make the media plane create, parse or send (configuration section
/// "Sfu:Limits", beside the host's signaling limits). Every number bounds something a client
/// chooses: the sections of its offers, the tracks it publishes, the packets it sends and the
/// retransmissions it asks for. 0 turns a limit off.
/// </summary>
public sealed class MediaLimits
{
    /// <summary>Tracks one participant may publish at once (a camera, a microphone, a screen and its audio).</summary>
    public int MaxPublishedTracks { get; set; } = 4;

    /// <summary>
    /// m-sections one offer may hold. A browser's offer repeats every section it receives, so
    /// this bounds the room size × tracks a participant can take part in.
    /// </summary>
    public int MaxSectionsPerOffer { get; set; } = 1000;

    /// <summary>Characters of one SDP (at most <see cref="Negotiation.SdpParser.MaxLength"/>, the parser's own bound).</summary>
    public int MaxSdpLength { get; set; } = Negotiation.SdpParser.MaxLength;

    /// <summary>
    /// Bytes of retransmission buffers on the whole server. Buffers grow in pages as video
    /// arrives; past this, a stream keeps what it has and newer packets are not kept for repair.
    /// </summary>
    public long RetransmissionBufferBytes { get; set; } = 512L << 20;

    /// <summary>RTP and RTCP packets one participant may send us per second; the excess is dropped.</summary>
    public int IngressPacketsPerSecond { get; set; } = 5000;

    /// <summary>Bits one participant may send us per second; the excess is dropped.</summary>
    public long IngressBitsPerSecond { get; set; } = 50_000_000;

    /// <summary>A participant over its ingress limit in this many consecutive seconds is removed.</summary>
    public int IngressBreachSeconds { get; set; } = 5;

    /// <summary>Packets resent for one NACK packet at most (the rest of its list is ignored).</summary>
    public int MaxResendsPerNack { get; set; } = 64;

    /// <summary>Packets resent to one subscriber per second at most, whatever its NACKs ask.</summary>
    public int ResendsPerSecond { get; set; } = 500;

    /// <summary>DTLS handshakes running at once on the whole server; the rest wait their turn.</summary>
    public int DtlsHandshakesInFlight { get; set; } = 16;

    /// <summary>DTLS handshakes waiting for a turn at most; a peer beyond this is refused.</summary>
    public int DtlsHandshakeQueue { get; set; } = 1000;
}
