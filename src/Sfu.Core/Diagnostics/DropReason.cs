namespace Sfu.Core.Diagnostics;

/// <summary>Why a datagram or packet was not used. Every drop is counted under one of these.</summary>
public enum DropReason
{
    /// <summary>Not STUN, DTLS, RTP or RTCP by its first byte (RFC 7983), or a parser rejected it.</summary>
    Malformed,

    /// <summary>No session knows the source address, and it is not an ICE check naming one.</summary>
    UnknownPeer,

    /// <summary>An ICE check whose USERNAME or MESSAGE-INTEGRITY did not match.</summary>
    StunUnauthorized,

    /// <summary>SRTP or SRTCP authentication tag did not verify.</summary>
    SrtpAuth,

    /// <summary>An SRTP or SRTCP index seen before, or older than the replay window.</summary>
    Replay,

    /// <summary>Media arrived before DTLS-SRTP keys existed for the peer.</summary>
    NotReady,

    /// <summary>RTP from an SSRC that no negotiated track announced.</summary>
    UnknownSsrc,

    /// <summary>The DTLS handshake queue of the peer was full.</summary>
    DtlsQueueFull,

    /// <summary>A packet from an address that is not the peer's selected ICE pair.</summary>
    UnselectedAddress,

    /// <summary>A datagram of ours the kernel refused to send (a full send buffer, an unusable destination).</summary>
    SendFailed,

    /// <summary>A participant sent more packets or bits per second than <see cref="MediaLimits"/> allows.</summary>
    IngressLimit,

    /// <summary>A resend a subscriber's NACK asked for, past its resend budget or its per-NACK cap, or repeated within a round trip.</summary>
    ResendBudget,

    /// <summary>A DTLS handshake refused because as many as the server queues were waiting already.</summary>
    DtlsBusy,

    /// <summary>A datagram an ICE-TCP connection's send queue had no room for: the connection backed up (video goes first).</summary>
    SendQueueFull,

    /// <summary>An ICE-TCP stream whose length prefix is zero or larger than any datagram (RFC 4571 §2); the connection is closed.</summary>
    BadFrameLength,

    /// <summary>A DTLS datagram whose records or handshake fragments claim more than it holds, or a handshake message longer than we accept (<see cref="Dtls.DtlsDatagramFraming"/>).</summary>
    DtlsMalformed,
}
